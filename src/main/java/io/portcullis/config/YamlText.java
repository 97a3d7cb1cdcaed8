package io.portcullis.config;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML configuration text through Jackson's YAML streaming parser (SnakeYAML's event parser
 * underneath, never its object constructor: no tags make objects). SnakeYAML's own limits apply
 * (nesting, the size of the text in code points); aliases are expanded, within a bound, by
 * {@link DocumentReader}, which also refuses keys that are not strings (a plain {@code 1:} or
 * {@code true:}), through {@link KeyCheckingParser#keyIsNotAString()}.
 */
final class YamlText {

  /** The most code points of a YAML text read: ample for any configuration, bounded for any file. */
  static final int MAX_CODE_POINTS = 16 * 1024 * 1024;
  /**
   * The longest line of a YAML text read. SnakeYAML's reader slows down more than linearly on one
   * very long line (a megabyte takes seconds), and no configuration needs a line this long.
   */
  static final int MAX_LINE_CHARS = 8192;

  private static final ConfiguredFactory FACTORY = new ConfiguredFactory(YAMLFactory.builder()
      .loaderOptions(loaderOptions())
      .streamReadConstraints(ConfigFormat.constraints()));

  private YamlText() {}

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setNestingDepthLimit(ConfigFormat.MAX_DEPTH);
    options.setMaxAliasesForCollections(DocumentReader.MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    return options;
  }

  /**
   * The problem of {@code text} as a whole, checked before it reaches the YAML parser (too long,
   * or a line too long), worded with its line and column; null if it has none.
   */
  static String precheck(String text) {
    if (text.length() > MAX_CODE_POINTS) {
      return "text longer than " + MAX_CODE_POINTS + " characters at line 1, column 1";
    }
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - lineStart > MAX_LINE_CHARS) {
          return "line " + line + " is longer than " + MAX_LINE_CHARS + " characters at line " + line + ", column "
              + (MAX_LINE_CHARS + 1);
        }
        line++;
        lineStart = i + 1;
      }
    }
    return null;
  }

  /** A parser of the YAML text {@code reader} gives. */
  static KeyCheckingParser parser(Reader reader) throws IOException {
    return (KeyCheckingParser) FACTORY.createParser(reader);
  }

  /** A YAML factory whose parsers are {@link KeyCheckingParser}s. */
  private static final class ConfiguredFactory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    ConfiguredFactory(YAMLFactoryBuilder builder) {
      super(builder);
    }

    @Override
    protected YAMLParser _createParser(Reader reader, IOContext context) throws IOException {
      return new KeyCheckingParser(context, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
    }
  }

  /** A YAML parser that can tell whether the member name just read was written as a string. */
  static final class KeyCheckingParser extends YAMLParser {

    KeyCheckingParser(IOContext context, int parserFeatures, int yamlFeatures, LoaderOptions options,
        ObjectCodec codec, Reader reader) {
      super(context, parserFeatures, yamlFeatures, options, codec, reader);
    }

    /** The anchor of the value just started (a mapping, a sequence or a scalar), or null. */
    String anchor() {
      return _lastEvent instanceof NodeEvent node && !(node instanceof AliasEvent) ? node.getAnchor() : null;
    }

    /**
     * Whether the member name just read is a scalar that YAML reads as something else than a
     * string: plain {@code 1}, {@code 1.5}, {@code true} or {@code null}, or one with an explicit
     * tag other than {@code !!str}.
     */
    boolean keyIsNotAString() {
      if (!(_lastEvent instanceof ScalarEvent scalar)) {
        return false;
      }
      String tag = scalar.getTag();
      if (tag != null && !tag.equals("!") && !tag.equals(Tag.STR.getValue())) {
        return true;
      }
      return tag == null && scalar.isPlain()
          && !_yamlResolver.resolve(NodeId.scalar, scalar.getValue(), true).equals(Tag.STR);
    }
  }
}

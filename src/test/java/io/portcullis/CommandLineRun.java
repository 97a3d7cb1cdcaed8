package io.portcullis;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** What one in-process run of the command line ({@link Main#run}) printed and returned. */
record CommandLineRun(int status, String out, String err) {

  /** Runs {@code args}, capturing stdout and stderr. */
  static CommandLineRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = Main.run(args, o, e);
    }
    return new CommandLineRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The stderr lines, empty when nothing was printed. */
  List<String> errLines() {
    return err.isBlank() ? List.of() : Arrays.asList(err.strip().split("\\R"));
  }
}

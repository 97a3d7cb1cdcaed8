package io.portcullis.observe;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.util.CachingDateFormatter;

/**
 * The line of an operational event on stderr, written as Logback's pattern
 * {@value #PATTERN} writes it (a stack trace, when the event has one, follows as the pattern layout
 * appends it), without the pattern layout: parsing the pattern and building its converters (about
 * 60 of them, each behind a lambda) was a noticeable share of the logging set-up that start-up
 * waits for (docs/performance.md "Start-up, third pass").
 */
final class EventLineEncoder extends EncoderBase<ILoggingEvent> {

  /** The pattern this encoder's lines follow. */
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg%n";
  private static final String DATE_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
  private static final int LEVEL_WIDTH = 5;

  /** The system's zone and locale, as the pattern's date converter takes them. */
  private final CachingDateFormatter dates = new CachingDateFormatter(DATE_PATTERN, null, null);
  private ThrowableProxyConverter stackTraces;

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    String level = event.getLevel().toString();
    String logger = event.getLoggerName();
    StringBuilder line = new StringBuilder(128)
        .append(dates.format(event.getTimeStamp())).append(' ')
        .append(level);
    for (int pad = level.length(); pad < LEVEL_WIDTH; pad++) {
      line.append(' ');
    }
    line.append(' ').append(logger, logger.lastIndexOf('.') + 1, logger.length())
        .append(' ').append(event.getFormattedMessage())
        .append(CoreConstants.LINE_SEPARATOR);
    if (event.getThrowableProxy() != null) {
      line.append(stackTraces().convert(event));
    }
    return line.toString().getBytes();
  }

  /** Made on the first event with a throwable: most runs never log one. */
  private synchronized ThrowableProxyConverter stackTraces() {
    if (stackTraces == null) {
      ThrowableProxyConverter converter = new ThrowableProxyConverter();
      converter.setContext(getContext());
      converter.start();
      stackTraces = converter;
    }
    return stackTraces;
  }
}

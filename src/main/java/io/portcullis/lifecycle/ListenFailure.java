package io.portcullis.lifecycle;

import java.net.BindException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A listener that could not start (the main port, the admin port, a demo backend), with which one
 * it was: what start-up reports in its one line on stderr (CONTRACT §1).
 */
public final class ListenFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param listener which listener, e.g. {@code "main listener"}
   * @param host the host it was to listen on
   * @param port the port it was to listen on
   * @param cause why it could not
   */
  public ListenFailure(String listener, String host, int port, Throwable cause) {
    super(listener + " " + hostPort(host, port) + ": " + reason(cause), cause);
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The cause in a few words: the usual ones by name, anything else by its own message. */
  static String reason(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    if (root instanceof BindException || lower.contains("address already in use")) {
      return "address already in use";
    }
    if (lower.contains("cannot assign requested address")) {
      return "not an address of this machine";
    }
    if (lower.contains("permission denied")) {
      return "permission denied (a port below 1024 needs privileges)";
    }
    if (root instanceof UnknownHostException || lower.contains("nxdomain") || lower.contains("failed to resolve")) {
      return "cannot resolve the host";
    }
    return root.getClass().getSimpleName() + ": " + message;
  }
}

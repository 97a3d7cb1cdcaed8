package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of README "Command line": options, {@code --check}, exit statuses, one-line errors. */
class MainTest {

  @TempDir
  Path dir;

  private static CommandLineRun run(String... args) {
    return CommandLineRun.of(args);
  }

  private static void assertNoStackTrace(CommandLineRun run) {
    for (String line : (run.out() + "\n" + run.err()).split("\\R")) {
      assertThat(line).as("no stack trace in the output").doesNotStartWith("\tat ").doesNotContain("Exception");
    }
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content.replace('\'', '"'), StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void checkOfTheShippedConfigPrintsConfigOkAndExits0() {
    Path shipped = Path.of(System.getProperty("user.dir"), "conf", "gateway.json");
    assertThat(shipped).exists();

    CommandLineRun run = run("--check", "--config", shipped.toString());

    assertThat(run.status()).isZero();
    assertThat(run.out().strip()).isEqualTo("config OK");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void checkOfAnInvalidConfigExits2AndPrintsEveryPathQualifiedError() throws IOException {
    Path config = write("bad.json", "{"
        + "'server':{'prot':8080},"
        + "'upstreams':{'users':{'endpoints':['http://127.0.0.1:9001'],'retry':{'maxAttempts':0}}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'nope'}]}");

    CommandLineRun run = run("--check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.out()).doesNotContain("config OK");
    assertThat(run.errLines()).contains(
        "server.prot: unknown key",
        "upstreams.users.retry.maxAttempts: must be >= 1, got 0",
        "routes[0].upstream: unknown upstream \"nope\"");
    assertNoStackTrace(run);
  }

  @Test
  void anInvalidConfigExits2WithoutCheckToo() throws IOException {
    Path config = write("bad.json", "{'upstreams':{'u':{'endpoints':['http://127.0.0.1:9001']}},"
        + "'routes':[{'name':'r','match':{'pathPrefix':'/r'},'upstream':'nope'}]}");

    CommandLineRun run = run("--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines()).contains("routes[0].upstream: unknown upstream \"nope\"");
    assertNoStackTrace(run);
  }

  @Test
  void aMissingConfigFileExits1WithOneLineNamingTheFile() {
    Path missing = dir.resolve("does-not-exist.json");

    CommandLineRun run = run("--check", "--config", missing.toString());

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.errLines()).singleElement().asString().contains(missing.toString());
    assertThat(run.out()).isEmpty();
    assertNoStackTrace(run);
  }

  @Test
  void malformedJsonExits2() throws IOException {
    Path config = write("broken.json", "{'upstreams': {");

    CommandLineRun run = run("--check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).isNotBlank();
    assertThat(run.out()).doesNotContain("config OK");
    assertNoStackTrace(run);
  }

  @Test
  void anUnknownOptionExits1AndNamesIt() {
    CommandLineRun run = run("--frobnicate");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).contains("--frobnicate");
    assertNoStackTrace(run);
  }

  @Test
  void startingOnAPortAlreadyInUseExits1WithOneClearLine() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int busyPort = taken.getLocalPort();
      Path config = write("busy.json", "{"
          + "'server':{'host':'127.0.0.1','port':" + busyPort + ",'instances':1},"
          + "'admin':{'host':'127.0.0.1','port':0},"
          + "'shutdown':{'drainMs':0,'graceMs':1000},"
          + "'accessLog':{'enabled':false},"
          + "'upstreams':{'u':{'endpoints':['http://127.0.0.1:9']}},"
          + "'routes':[{'name':'r','match':{'pathPrefix':'/'},'upstream':'u'}]}");

      // run() blocks only when start-up succeeds: a hang here is a failure too.
      CommandLineRun run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("--config", config.toString()));

      assertThat(run.status()).isEqualTo(1);
      assertThat(run.errLines()).singleElement().asString()
          .isEqualTo("portcullis: cannot start: main listener 127.0.0.1:" + busyPort + ": address already in use");
      assertNoStackTrace(run);
    }
  }
}

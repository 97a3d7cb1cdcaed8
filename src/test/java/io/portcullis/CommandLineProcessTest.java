package io.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testkit.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line in a child JVM ({@code java -cp <classpath> io.portcullis.Main}), whose stderr
 * is what an operator sees: a user error gives its own lines there and nothing else (README
 * "Command line"), no logging-library noise.
 */
@Timeout(180)
class CommandLineProcessTest {

  @TempDir
  Path dir;

  /** Exit status and stderr lines of one child-JVM run. */
  private record Run(int status, List<String> errLines) {
  }

  private Run run(String... args) throws Exception {
    String java = ChildJvm.java();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", ChildJvm.classpath(), "io.portcullis.Main"));
    command.addAll(List.of(args));
    Path err = dir.resolve("stderr.txt");
    Process process = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(err.toFile())
        .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the command did not end within 120 s");
    }
    String text = Files.readString(err, StandardCharsets.UTF_8);
    return new Run(process.exitValue(), text.isBlank() ? List.of() : List.of(text.strip().split("\\R")));
  }

  @Test
  void aMissingConfigFileExits1WithExactlyOneLineOnStderr() throws Exception {
    Run run = run("--config", dir.resolve("absent.json").toString());

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.errLines()).singleElement().asString()
        .startsWith("portcullis: cannot read config file").contains("absent.json");
  }

  @Test
  void anInvalidConfigExits2WithItsErrorsAndNothingElseOnStderr() throws Exception {
    Path config = dir.resolve("bad.json");
    Files.writeString(config, "{\"upstreams\": {\"u\": {\"endpoints\": [\"http://127.0.0.1:1\"],"
        + " \"retry\": {\"maxAttempts\": 0}}}, \"routes\": [{\"name\": \"a\","
        + " \"match\": {\"pathPrefix\": \"/\"}, \"upstream\": \"u\"}]}", StandardCharsets.UTF_8);

    Run run = run("--check", "--config", config.toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(
        "portcullis: invalid configuration " + config + ":",
        "upstreams.u.retry.maxAttempts: must be >= 1, got 0");
  }

  @Test
  void sigtermWhileTheGatewayIsStartingShutsItDownCleanlyWithStatus0() throws Exception {
    Path config = dir.resolve("gateway.json");
    Files.writeString(config, "{\"server\": {\"host\": \"127.0.0.1\", \"port\": 0, \"instances\": 1},"
        + " \"admin\": {\"port\": 0}, \"shutdown\": {\"drainMs\": 0, \"graceMs\": 1000},"
        + " \"upstreams\": {\"u\": {\"endpoints\": [\"http://127.0.0.1:1\"]}},"
        + " \"routes\": [{\"name\": \"a\", \"match\": {\"pathPrefix\": \"/\"}, \"upstream\": \"u\"}]}",
        StandardCharsets.UTF_8);
    Path loaded = dir.resolve("classes.txt");
    Path err = dir.resolve("stderr.txt");
    String java = ChildJvm.java();
    Process process = new ProcessBuilder(java, "-Xlog:class+load=info:file=" + loaded, "-cp", ChildJvm.classpath(),
        "io.portcullis.Main", "--config", config.toString())
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(err.toFile())
        .start();
    try {
      // The gateway verticle's class loads while the start-up deploys it: the gateway is starting.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!(Files.exists(loaded) && Files.readString(loaded).contains("io.portcullis.lifecycle.GatewayVerticle "))) {
        assertThat(process.isAlive()).as("the gateway is still running").isTrue();
        assertThat(System.nanoTime()).as("the start-up reached the deployment within 120 s").isLessThan(deadline);
        Thread.sleep(5);
      }
      process.destroy(); // SIGTERM

      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the gateway exited").isTrue();
      assertThat(process.exitValue()).isEqualTo(0);
      assertThat(Files.readString(err, StandardCharsets.UTF_8)).contains("received SIGTERM", "portcullis stopped");
    } finally {
      process.destroyForcibly();
    }
  }
}

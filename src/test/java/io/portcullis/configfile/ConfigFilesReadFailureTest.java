package io.portcullis.configfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reason on the one line that says a configuration file could not be read (CONTRACT §1). */
class ConfigFilesReadFailureTest {

  @Test
  void eachKindOfFailureIsNamedNotThePathRepeated() {
    assertThat(ConfigFiles.readFailure(new NoSuchFileException("/etc/p.json"))).isEqualTo("no such file");
    assertThat(ConfigFiles.readFailure(new AccessDeniedException("/etc/p.json"))).isEqualTo("permission denied");
    assertThat(ConfigFiles.readFailure(new FileSystemException("/etc/p.json", null, "Too many open files")))
        .isEqualTo("too many open files");
    assertThat(ConfigFiles.readFailure(new IOException("Input/output error"))).isEqualTo("Input/output error");
    assertThat(ConfigFiles.readFailure(new IOException())).isEqualTo("IOException");
  }

  @Test
  void aDirectoryIsNamedAsOne(@TempDir Path dir) {
    IOException failure = null;
    try {
      Files.readAllBytes(dir);
    } catch (IOException e) {
      failure = e;
    }

    assertThat(failure).isNotNull();
    assertThat(ConfigFiles.readFailure(failure)).isEqualToIgnoringCase("is a directory");
  }
}

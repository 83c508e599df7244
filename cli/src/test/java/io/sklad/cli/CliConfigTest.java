package io.sklad.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sklad.cli.config.ClientProfile;
import io.sklad.cli.config.Durations;
import io.sklad.cli.config.HostPort;
import io.sklad.cli.config.YamlDefaults;
import io.sklad.cli.io.ErrorReporter;
import io.sklad.cli.io.Units;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CliConfigTest {

    @TempDir
    Path dir;

    @Test
    void sizesAndDurationsParseAsWrittenInFlagsAndYaml() {
        assertThat(Units.parseSize("65536")).isEqualTo(65536);
        assertThat(Units.parseSize("64KiB")).isEqualTo(65536);
        assertThat(Units.parseSize("4M")).isEqualTo(4L << 20);
        assertThat(Units.parseSize("1GiB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> Units.parseSize("lots")).hasMessageContaining("not a size");
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void hostPortsParseAndRejectGarbage() {
        assertThat(HostPort.parse("10.0.0.1:7700")).isEqualTo(new HostPort("10.0.0.1", 7700));
        assertThat(HostPort.parse(":7700").host()).isEqualTo("127.0.0.1");
        assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
        assertThatThrownBy(() -> HostPort.parse("nohost")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> HostPort.parse("h:99999")).hasMessageContaining("port");
    }

    @Test
    void profileRoundTripsAndIsPrivate() throws Exception {
        Path file = dir.resolve("sub/profile.yaml");
        ClientProfile p = new ClientProfile("127.0.0.1:7700", "admin", "tok", "chunk", 1234L);
        p.save(file);
        assertThat(ClientProfile.load(file)).isEqualTo(p);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Files.writeString(file, "- not a mapping\n");
        assertThatThrownBy(() -> ClientProfile.load(file)).hasMessageContaining("not a Sklad profile");
    }

    @Command(name = "sklad")
    static final class Root {
    }

    @Command(name = "worker")
    static final class Child implements Runnable {
        @Option(names = "--workers", defaultValue = "3")
        int workers;

        @Option(names = "--label", split = ",")
        Map<String, String> labels;

        @Option(names = "--host", defaultValue = "127.0.0.1")
        String host;

        @Override
        public void run() {
        }
    }

    @Test
    void yamlGivesDefaultsThatFlagsOverride() throws Exception {
        Path yaml = dir.resolve("sklad.yaml");
        Files.writeString(yaml, "worker:\n  workers: 5\n  label: {site: office1, rack: r2}\n");
        Child child = new Child();
        CommandLine cmd = new CommandLine(new Root()).addSubcommand(child);
        cmd.setDefaultValueProvider(YamlDefaults.load(yaml));
        cmd.parseArgs("worker");
        assertThat(child.workers).isEqualTo(5);
        assertThat(child.labels).containsEntry("site", "office1").containsEntry("rack", "r2");
        assertThat(child.host).isEqualTo("127.0.0.1");
        cmd.parseArgs("worker", "--workers", "7");
        assertThat(child.workers).isEqualTo(7);
        assertThat(YamlDefaults.locate(Map.of("SKLAD_CONFIG", yaml.toString()))).contains(yaml);
    }

    @Test
    void errorsAreOneLineInTheFileSystemsWords() {
        assertThat(ErrorReporter.describe(new NoSuchFileException("/main/x"))).isEqualTo("/main/x: no such file or directory");
        assertThat(ErrorReporter.describe(new java.nio.file.FileSystemException("/main/a/..", null, "Invalid name")))
                .isEqualTo("/main/a/..: Invalid name");
        assertThat(ErrorReporter.describe(new java.util.concurrent.ExecutionException(new NoSuchFileException("/v/f"))))
                .contains("no such file");
    }

    @Test
    void unknownCommandsAndMissingArgumentsAreUsageErrors() {
        assertThat(SkladMain.execute("no-such-command")).isEqualTo(ErrorReporter.USAGE);
        assertThat(SkladMain.execute("put")).isEqualTo(ErrorReporter.USAGE);
        assertThat(SkladMain.execute("worker", "ls")).isEqualTo(ErrorReporter.USAGE);
    }
}

package io.sklad.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults for any command's options from {@code sklad.yaml}: a section per command (its name after
 * "sklad", e.g. {@code up}, {@code worker}, {@code volume create}) holding option names without dashes.
 * Flags beat the file; the file beats built-in defaults.
 *
 * <pre>
 * up:
 *   workers: 5
 *   webdav-port: 8080
 * worker:
 *   master: 10.0.0.1:7700
 *   label: {site: office1}
 * </pre>
 *
 * The file is {@code SKLAD_CONFIG}, else {@code ./sklad.yaml}, else {@code ~/.config/sklad/sklad.yaml}.
 */
public final class YamlDefaults implements CommandLine.IDefaultValueProvider {

    private final Path file;
    private final Map<String, Object> doc;

    private YamlDefaults(Path file, Map<String, Object> doc) {
        this.file = file;
        this.doc = doc;
    }

    /** The config file in use, if there is one. */
    public static Optional<Path> locate(Map<String, String> env) {
        String given = env.get("SKLAD_CONFIG");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given));
        }
        Path local = Path.of("sklad.yaml");
        if (Files.isRegularFile(local)) {
            return Optional.of(local);
        }
        Path user = ClientProfile.userProfile().resolveSibling("sklad.yaml");
        return Files.isRegularFile(user) ? Optional.of(user) : Optional.empty();
    }

    public static YamlDefaults load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (doc == null) {
                return new YamlDefaults(file, Map.of());
            }
            if (!(doc instanceof Map<?, ?> m)) {
                throw new IOException(file + ": expected a mapping of command names to options");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return new YamlDefaults(file, copy);
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.command() == null) {
            return null;
        }
        String section = option.command().qualifiedName(" ").replaceFirst("^sklad ?", "");
        Object values = doc.get(section);
        if (!(values instanceof Map<?, ?> opts)) {
            return null;
        }
        Object v = opts.get(option.longestName().replaceFirst("^-+", ""));
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> map) {
            // picocli splits map defaults on its split regex; labels are KEY=VALUE pairs
            StringBuilder b = new StringBuilder();
            map.forEach((k, val) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(val));
            return b.toString();
        }
        if (v instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    @Override
    public String toString() {
        return "sklad.yaml at " + file;
    }
}

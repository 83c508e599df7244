package io.sklad.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What a client needs to reach a cluster: the master's address and a login (token, never a password).
 * Kept as a small YAML file readable only by its owner.
 */
public record ClientProfile(String master, String user, String token, String chunkToken, long expiresAtMillis) {

    public static final String FILE_NAME = "profile.yaml";

    public static ClientProfile load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (!(doc instanceof Map<?, ?> m)) {
                throw new IOException(file + ": not a Sklad profile (expected a YAML mapping)");
            }
            return new ClientProfile(str(m, "master"), str(m, "user"), str(m, "token"), str(m, "chunkToken"),
                    m.get("expiresAtMillis") instanceof Number n ? n.longValue() : 0L);
        }
    }

    private static String str(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? null : v.toString();
    }

    /** Writes the profile atomically with mode 0600 (it holds a bearer token). */
    public void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("master", master);
        m.put("user", user);
        m.put("token", token);
        m.put("chunkToken", chunkToken);
        m.put("expiresAtMillis", expiresAtMillis);
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path tmp = Files.createTempFile(dir, ".profile", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system (Windows): the user's profile folder is private already
            }
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("# Sklad client profile: where the master is and a login token. Keep it private.\n");
                new Yaml(opts).dump(m, w);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The user's own profile: $XDG_CONFIG_HOME/sklad/profile.yaml or ~/.config/sklad/profile.yaml. */
    public static Path userProfile() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("sklad").resolve(FILE_NAME);
    }
}

package io.sklad.cli.config;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.fs.SkladFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the cluster and the login for a client command: master from {@code --master} / SKLAD_MASTER, else
 * the profile ({@code --profile}, SKLAD_PROFILE, ./sklad-data/profile.yaml, the user's profile);
 * credentials from SKLAD_USER + SKLAD_PASSWORD, else the profile's token.
 */
public final class ClusterConnection {

    private final ClientOptions options;
    private final Map<String, String> env;

    public ClusterConnection(ClientOptions options, Map<String, String> env) {
        this.options = options;
        this.env = env;
    }

    /** The profile file in use, if any exists. */
    public Optional<Path> profileFile() {
        if (options.profile != null) {
            return Optional.of(options.profile);
        }
        String fromEnv = env.get("SKLAD_PROFILE");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Path.of(fromEnv));
        }
        Path local = Path.of("sklad-data", ClientProfile.FILE_NAME);
        if (Files.isRegularFile(local)) {
            return Optional.of(local);
        }
        Path user = ClientProfile.userProfile();
        return Files.isRegularFile(user) ? Optional.of(user) : Optional.empty();
    }

    public Optional<ClientProfile> profile() throws IOException {
        Optional<Path> file = profileFile();
        if (file.isEmpty()) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file.get())) {
            throw new IOException("profile " + file.get() + " not found");
        }
        return Optional.of(ClientProfile.load(file.get()));
    }

    public String masterAddress() throws IOException {
        if (options.master != null) {
            return HostPort.parse(options.master).toString();
        }
        String fromEnv = env.get("SKLAD_MASTER");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return HostPort.parse(fromEnv).toString();
        }
        return profile().map(ClientProfile::master).filter(m -> m != null && !m.isBlank())
                .orElseThrow(() -> new IOException("no cluster: pass --master HOST:PORT, set SKLAD_MASTER, run 'sklad login', "
                        + "or run this from the directory where 'sklad up' keeps sklad-data"));
    }

    /** Opens the file system as the configured user, without a block cache; the caller closes it. */
    public SkladFileSystem open() throws IOException {
        return open(agentWorkDir(), 0, java.time.Duration.ZERO);
    }

    /**
     * Opens the file system as the configured user with its spill area and a block cache of
     * {@code cacheBytes} under {@code work}, and an attribute cache of {@code attributeTtl} (a long-running
     * agent such as a mount); the caller closes it.
     */
    public SkladFileSystem open(Path work, long cacheBytes, java.time.Duration attributeTtl) throws IOException {
        String master = masterAddress();
        String user = env.get("SKLAD_USER");
        String password = env.get("SKLAD_PASSWORD");
        AgentConfig config;
        if (user != null && password != null) {
            config = new AgentConfig(master, user, password, null, work, 0, cacheBytes, null, attributeTtl);
        } else {
            ClientProfile p = profile().filter(pr -> pr.token() != null)
                    .orElseThrow(() -> new IOException("not logged in: run 'sklad login --master " + master
                            + " --user NAME' or set SKLAD_USER and SKLAD_PASSWORD"));
            config = new AgentConfig(master, p.user(), null, p.token(), work, 0, cacheBytes, null, attributeTtl);
        }
        return SkladFileSystem.open(config);
    }

    /** A bearer token for admin calls: a fresh login with SKLAD_USER/SKLAD_PASSWORD, else the profile's. */
    public String token() throws IOException {
        String user = env.get("SKLAD_USER");
        String password = env.get("SKLAD_PASSWORD");
        if (user != null && password != null) {
            try (io.sklad.vfs.client.GrpcMetadataClient meta =
                         new io.sklad.vfs.client.GrpcMetadataClient(masterAddress(), java.time.Duration.ofSeconds(30))) {
                return meta.login(user, password).token();
            }
        }
        String master = masterAddress();
        return profile().map(ClientProfile::token).filter(t -> t != null && !t.isBlank())
                .orElseThrow(() -> new IOException("not logged in: run 'sklad login --master " + master
                        + " --user NAME' or set SKLAD_USER and SKLAD_PASSWORD"));
    }

    /** Spill area for one-shot client commands: the user's cache directory. */
    public Path agentWorkDir() {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sklad").resolve("agent");
    }
}

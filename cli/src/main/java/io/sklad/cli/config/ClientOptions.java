package io.sklad.cli.config;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every client command shares: where the cluster is and how to log in. */
public final class ClientOptions {

    @Option(names = "--master", description = "Master HOST:PORT (default: SKLAD_MASTER, else the profile).")
    public String master;

    @Option(names = "--profile", description = "Profile file (default: SKLAD_PROFILE, ./sklad-data/profile.yaml, ~/.config/sklad/profile.yaml).")
    public Path profile;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces on errors.")
    public boolean verbose;
}

package io.sklad.cli.command;

import io.sklad.cli.io.ErrorReporter;
import io.sklad.vfs.client.AdminClient;
import io.sklad.vfs.client.GrantRole;
import io.sklad.vfs.client.TokenInfo;
import io.sklad.vfs.client.UserInfo;
import io.sklad.vfs.client.UserKey;
import io.sklad.vfs.client.VolumeGrant;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sklad user ...}: users, their grants on volumes, SSH keys and login tokens (admin only, but passwd). */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users, grants, SSH keys and tokens.",
        subcommands = {UserCommands.Add.class, UserCommands.Ls.class, UserCommands.Disable.class,
                UserCommands.Enable.class, UserCommands.Rm.class, UserCommands.Passwd.class, UserCommands.Grant.class,
                UserCommands.Revoke.class, UserCommands.Key.class, UserCommands.Token.class})
public final class UserCommands implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** A new password: --password, --password-stdin, SKLAD_NEW_PASSWORD, or asked twice on the terminal. */
    static String newPassword(String given, boolean stdin, String who) throws IOException {
        if (given != null) {
            return given;
        }
        if (stdin) {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        String env = System.getenv("SKLAD_NEW_PASSWORD");
        if (env != null) {
            return env;
        }
        Console c = System.console();
        if (c == null) {
            throw new ErrorReporter.UsageException("no password: use --password, --password-stdin or SKLAD_NEW_PASSWORD");
        }
        char[] a = c.readPassword("New password for %s: ", who);
        char[] b = c.readPassword("Again: ");
        if (a == null || b == null || !new String(a).equals(new String(b))) {
            throw new ErrorReporter.UsageException("the passwords differ");
        }
        return new String(a);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a user.")
    static final class Add extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--password", description = "The password (visible in the process list: prefer --password-stdin).")
        String password;

        @Option(names = "--password-stdin", description = "Read the password from standard input.")
        boolean stdin;

        @Option(names = "--admin", description = "Give the user the admin role.")
        boolean admin;

        @Override
        void run(AdminClient a) throws Exception {
            UserInfo u = a.addUser(name, newPassword(password, stdin, name), admin);
            System.out.println("created user " + u.name() + (u.admin() ? " (admin)" : "")
                    + "; grant volumes with: sklad user grant " + u.name() + " VOLUME");
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List users with their grants.")
    static final class Ls extends AdminCommand {
        @Override
        void run(AdminClient a) throws Exception {
            System.out.printf(Locale.ROOT, "%-20s %-6s %-8s %5s  %s%n", "USER", "ADMIN", "STATE", "KEYS", "GRANTS");
            for (UserInfo u : a.listUsers()) {
                System.out.printf(Locale.ROOT, "%-20s %-6s %-8s %5d  %s%n", u.name(), u.admin() ? "yes" : "no",
                        u.disabled() ? "disabled" : "enabled", u.keyCount(), grants(u.grants()));
            }
        }

        private static String grants(List<VolumeGrant> grants) {
            return grants.isEmpty() ? "-" : grants.stream()
                    .map(g -> g.volume() + ":" + g.role().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(","));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a user: logins and tokens stop working at once.")
    static final class Disable extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient a) throws Exception {
            a.setUserDisabled(name, true);
            System.out.println("disabled user " + name);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled user.")
    static final class Enable extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient a) throws Exception {
            a.setUserDisabled(name, false);
            System.out.println("enabled user " + name);
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a user (its tokens are revoked; its files stay).")
    static final class Rm extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient a) throws Exception {
            a.removeUser(name);
            System.out.println("removed user " + name);
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = "Set a user's password (admins for anyone; a user for itself with --old-password).")
    static final class Passwd extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--password", description = "The new password (prefer --password-stdin).")
        String password;

        @Option(names = "--password-stdin", description = "Read the new password from standard input.")
        boolean stdin;

        @Option(names = "--old-password", description = "The current password (needed when changing your own as a non-admin).")
        String oldPassword;

        @Override
        void run(AdminClient a) throws Exception {
            a.setPassword(name, oldPassword, newPassword(password, stdin, name));
            System.out.println("password of " + name + " changed");
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Give a user access to a volume (read-write unless --read-only).")
    static final class Grant extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VOLUME")
        String volume;

        @Option(names = "--read-only", description = "Read access only.")
        boolean readOnly;

        @Option(names = "--owner", description = "Owner of the volume.")
        boolean owner;

        @Override
        void run(AdminClient a) throws Exception {
            if (readOnly && owner) {
                throw new ErrorReporter.UsageException("--read-only and --owner exclude each other");
            }
            GrantRole role = readOnly ? GrantRole.READ_ONLY : owner ? GrantRole.OWNER : GrantRole.READ_WRITE;
            a.grant(name, volume, role);
            System.out.println("granted " + role.name().toLowerCase(Locale.ROOT).replace('_', '-') + " on " + volume + " to " + name);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Take a user's access to a volume away.")
    static final class Revoke extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VOLUME")
        String volume;

        @Override
        void run(AdminClient a) throws Exception {
            System.out.println(a.revoke(name, volume) ? "revoked " + name + "'s access to " + volume
                    : name + " had no grant on " + volume);
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true, description = "SSH public keys for SFTP/SCP logins.",
            subcommands = {KeyAdd.class, KeyLs.class, KeyRm.class})
    static final class Key implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a public key (an OpenSSH .pub file, or - for stdin).")
    static final class KeyAdd extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "KEYFILE")
        String keyFile;

        @Option(names = "--comment", description = "A note to recognise the key by (default: the key's own comment).")
        String comment;

        @Override
        void run(AdminClient a) throws Exception {
            String line = keyFile.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(keyFile), StandardCharsets.UTF_8);
            UserKey k = a.addKey(name, line.strip(), comment == null ? "" : comment);
            System.out.println("added " + k.type() + " key " + k.fingerprint() + " for " + name);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a user's keys.")
    static final class KeyLs extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient a) throws Exception {
            for (UserKey k : a.listKeys(name)) {
                System.out.printf(Locale.ROOT, "%s %s %s %s%n", k.fingerprint(), k.type(),
                        ClientCommands.TIME.format(Instant.ofEpochMilli(k.addedAtMillis())), k.comment());
            }
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a key by its fingerprint.")
    static final class KeyRm extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "FINGERPRINT")
        String fingerprint;

        @Override
        void run(AdminClient a) throws Exception {
            a.removeKey(name, fingerprint);
            System.out.println("removed key " + fingerprint + " of " + name);
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "List or revoke a user's login tokens.",
            subcommands = {TokenLs.class, TokenRevoke.class})
    static final class Token implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a user's tokens.")
    static final class TokenLs extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient a) throws Exception {
            System.out.printf(Locale.ROOT, "%-16s %-19s %-19s %s%n", "ID", "CREATED", "EXPIRES", "STATE");
            for (TokenInfo t : a.listTokens(name)) {
                System.out.printf(Locale.ROOT, "%-16s %-19s %-19s %s%n", t.id(),
                        ClientCommands.TIME.format(Instant.ofEpochMilli(t.createdAtMillis())),
                        ClientCommands.TIME.format(Instant.ofEpochMilli(t.expiresAtMillis())),
                        t.revoked() ? "revoked" : t.expiresAtMillis() < System.currentTimeMillis() ? "expired" : "valid");
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke tokens by id, or all with --all.")
    static final class TokenRevoke extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", paramLabel = "ID")
        List<String> ids = List.of();

        @Option(names = "--all", description = "Revoke every token of the user.")
        boolean all;

        @Override
        void run(AdminClient a) throws Exception {
            if (all == !ids.isEmpty()) {
                throw new ErrorReporter.UsageException("give token ids or --all (not both)");
            }
            System.out.println("revoked " + a.revokeTokens(name, all ? List.of() : ids) + " token(s) of " + name);
        }
    }
}

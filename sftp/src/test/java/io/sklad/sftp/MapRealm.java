package io.sklad.sftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/** A realm of fixed users for tests. */
final class MapRealm implements SftpRealm {

    private record User(String password, PublicKey key, SftpSession session) {
    }

    private final Map<String, User> users = new ConcurrentHashMap<>();

    MapRealm add(String user, String password, SftpSession session) {
        users.put(user, new User(password, null, session));
        return this;
    }

    MapRealm addKey(String user, Path publicKeyFile, SftpSession session) throws IOException {
        try {
            String line = Files.readString(publicKeyFile).trim();
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, Map.of(), null);
            User old = users.get(user);
            users.put(user, new User(old == null ? null : old.password(), key, session));
            return this;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    @Override
    public Optional<SftpSession> authenticatePassword(String user, String password) {
        User u = users.get(user);
        return u != null && u.password() != null && u.password().equals(password)
                ? Optional.of(u.session()) : Optional.empty();
    }

    @Override
    public Optional<SftpSession> authenticateKey(String user, PublicKey key) {
        User u = users.get(user);
        return u != null && u.key() != null && KeyUtils.compareKeys(u.key(), key)
                ? Optional.of(u.session()) : Optional.empty();
    }
}

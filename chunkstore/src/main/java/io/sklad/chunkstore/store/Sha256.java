package io.sklad.chunkstore.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 from the JDK, which every Java SE runtime must provide. */
final class Sha256 {
    private Sha256() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static byte[] digest(byte[] data, int offset, int length) {
        MessageDigest md = newDigest();
        md.update(data, offset, length);
        return md.digest();
    }
}

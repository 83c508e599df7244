package io.sklad.metadata.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Block access tokens for the workers: {@code <expiresAtMillis>.<user>.<base64url-no-padding(
 * HMAC-SHA256(join token, "<expiresAtMillis>.<user>"))>}, verified by workers with the join token.
 */
public final class ChunkTokens {
    private final byte[] key;

    public ChunkTokens(String joinToken) {
        this.key = joinToken.getBytes(StandardCharsets.UTF_8);
    }

    public String mint(String user, long expiresAtMillis) {
        String payload = expiresAtMillis + "." + user;
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(payload));
    }

    /** Whether {@code token} was minted with this key and is unexpired at {@code nowMillis}. */
    public boolean verify(String token, long nowMillis) {
        int last = token.lastIndexOf('.');
        int first = token.indexOf('.');
        if (first <= 0 || last <= first) {
            return false;
        }
        String payload = token.substring(0, last);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token.substring(last + 1));
            if (Long.parseLong(token.substring(0, first)) <= nowMillis) {
                return false;
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(payload), given);
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }
}

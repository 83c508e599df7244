package io.sklad.chunkstore.rpc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Block access tokens (like HDFS block tokens): minted by the master at login, verified by each
 * worker with the cluster join token, no round trip. Format
 * {@code <expiresAtMillis>.<user>.<base64url-no-padding(HMAC-SHA256(key = joinToken UTF-8,
 * msg = "<expiresAtMillis>.<user>"))>}. Self-contained so it can move to a shared module.
 */
public final class BlockAccessToken {
    private BlockAccessToken() {
    }

    /** Mints a token for {@code user} valid until {@code expiresAtMillis}. */
    public static String mint(String joinToken, String user, long expiresAtMillis) {
        String payload = expiresAtMillis + "." + user;
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(joinToken, payload));
    }

    /**
     * The user a token was minted for, when its MAC is right and it has not expired at
     * {@code nowMillis}; empty otherwise.
     */
    public static Optional<String> verify(String joinToken, String token, long nowMillis) {
        if (token == null || joinToken == null) {
            return Optional.empty();
        }
        int firstDot = token.indexOf('.');
        int lastDot = token.lastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot) {
            return Optional.empty();
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(token.substring(0, firstDot));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        byte[] mac;
        try {
            mac = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String payload = token.substring(0, lastDot);
        if (!MessageDigest.isEqual(mac, hmac(joinToken, payload)) || nowMillis >= expiresAt) {
            return Optional.empty();
        }
        return Optional.of(token.substring(firstDot + 1, lastDot));
    }

    private static byte[] hmac(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }
}

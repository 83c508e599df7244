package io.sklad.chunkstore.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class BlockAccessTokenTest {
    private static final String JOIN = "join-token-123";

    @Test
    void mintedTokenHasTheDocumentedFormat() throws Exception {
        String token = BlockAccessToken.mint(JOIN, "alice", 1_700_000_000_000L);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(JOIN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expectedMac = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal("1700000000000.alice".getBytes(StandardCharsets.UTF_8)));
        assertThat(token).isEqualTo("1700000000000.alice." + expectedMac);
        assertThat(token).doesNotContain("=");
    }

    @Test
    void verifiesAndReturnsTheUser() {
        String token = BlockAccessToken.mint(JOIN, "bob.smith", 2000);
        assertThat(BlockAccessToken.verify(JOIN, token, 1999)).contains("bob.smith");
    }

    @Test
    void rejectsExpiredForgedAndMalformedTokens() {
        String token = BlockAccessToken.mint(JOIN, "bob", 2000);
        assertThat(BlockAccessToken.verify(JOIN, token, 2000)).isEmpty();
        assertThat(BlockAccessToken.verify("other-join-token", token, 1000)).isEmpty();
        assertThat(BlockAccessToken.verify(JOIN, token.replace(".bob.", ".eve."), 1000)).isEmpty();
        assertThat(BlockAccessToken.verify(JOIN, "9" + token, 1000)).isEmpty();
        assertThat(BlockAccessToken.verify(JOIN, "", 1000)).isEmpty();
        assertThat(BlockAccessToken.verify(JOIN, "abc.bob.xyz", 1000)).isEmpty();
        assertThat(BlockAccessToken.verify(JOIN, "2000.bob.!!!", 1000)).isEmpty();
        assertThat(BlockAccessToken.verify(JOIN, null, 1000)).isEmpty();
    }
}

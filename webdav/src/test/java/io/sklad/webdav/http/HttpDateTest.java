package io.sklad.webdav.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HttpDateTest {

    @Test
    void datesAreImfFixdateWithATwoDigitDay() {
        assertThat(DavServices.httpDate(Instant.parse("2025-01-06T09:30:05.789Z"))).isEqualTo("Mon, 06 Jan 2025 09:30:05 GMT");
        assertThat(DavServices.httpDate(Instant.parse("2025-11-22T23:59:59Z"))).isEqualTo("Sat, 22 Nov 2025 23:59:59 GMT");
    }
}

package io.sklad.mount.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryListingTest {

    @TempDir
    Path dir;

    /** Plays the kernel: a buffer with room for a few entries, resuming where it stopped. */
    private static final class Buffer implements DirectoryListing.Sink {
        final List<String> names = new ArrayList<>();
        final int room;
        long lastOffset;
        int taken;

        Buffer(int room) {
            this.room = room;
        }

        @Override
        public int accept(String name, long nextOffset) {
            if (taken == room) {
                return 1;
            }
            taken++;
            names.add(name);
            lastOffset = nextOffset;
            return 0;
        }
    }

    @Test
    void aLargeDirectoryIsReadBufferByBufferWithoutLosingOrRepeatingEntries() throws IOException {
        Set<String> created = createFiles(2500);
        List<String> seen = new ArrayList<>();
        try (DirectoryListing listing = new DirectoryListing(dir)) {
            long offset = 0;
            while (true) {
                Buffer buffer = new Buffer(97);
                listing.fill(offset, buffer);
                seen.addAll(buffer.names);
                if (buffer.taken < buffer.room) {
                    break;
                }
                offset = buffer.lastOffset;
            }
        }
        assertThat(seen.subList(0, 2)).containsExactly(".", "..");
        assertThat(seen).hasSize(2502).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen.subList(2, seen.size()))).isEqualTo(created);
    }

    @Test
    void seekingBackOrForwardReopensAndSkips() throws IOException {
        createFiles(50);
        try (DirectoryListing listing = new DirectoryListing(dir)) {
            Buffer all = new Buffer(1000);
            listing.fill(0, all);
            assertThat(all.names).hasSize(52);

            Buffer rewound = new Buffer(1000);
            listing.fill(0, rewound);
            assertThat(rewound.names).isEqualTo(all.names);

            Buffer fromTen = new Buffer(5);
            listing.fill(10, fromTen);
            assertThat(fromTen.names).isEqualTo(all.names.subList(10, 15));
            assertThat(fromTen.lastOffset).isEqualTo(15);

            Buffer rest = new Buffer(1000);
            listing.fill(15, rest);
            assertThat(rest.names).isEqualTo(all.names.subList(15, 52));

            Buffer pastEnd = new Buffer(1000);
            listing.fill(52, pastEnd);
            assertThat(pastEnd.names).isEmpty();
        }
    }

    @Test
    void theHandleTableClosesWhatIsLeft() throws IOException {
        DirectoryListings listings = new DirectoryListings();
        long first = listings.open(dir);
        long second = listings.open(dir);
        assertThat(first).isNotEqualTo(second).isPositive();
        listings.release(first);
        assertThat(listings.size()).isEqualTo(1);
        listings.close();
        assertThat(listings.size()).isZero();
    }

    private Set<String> createFiles(int count) throws IOException {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String name = "entry-" + i + "-" + "x".repeat(i % 40);
            Files.createFile(dir.resolve(name));
            names.add(name);
        }
        return names;
    }
}

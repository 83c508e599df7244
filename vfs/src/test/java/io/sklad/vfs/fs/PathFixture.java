package io.sklad.vfs.fs;

import io.sklad.vfs.AgentConfig;
import io.sklad.vfs.client.ChunkClient;
import io.sklad.vfs.client.MetadataClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file system with no cluster behind it (every remote call fails): for path and name tests. */
final class PathFixture implements AutoCloseable {

    private final Path work;
    private final SkladFileSystem fs;

    PathFixture() {
        try {
            work = Files.createTempDirectory("sklad-path-test");
            fs = new SkladFileSystem(SkladFileSystemProvider.instance(), "127.0.0.1:1",
                    AgentConfig.withPassword("127.0.0.1:1", "u", "p", work), unreachable(MetadataClient.class),
                    unreachable(ChunkClient.class), () -> {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T unreachable(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (method.getName().equals("close") || method.getName().equals("useLeaseHolder")) {
                return null;
            }
            throw new IOException("no cluster in this test: " + method.getName());
        });
    }

    SkladFileSystem fs() {
        return fs;
    }

    Path path(String s) {
        return fs.getPath(s);
    }

    @Override
    public void close() throws IOException {
        fs.close();
        try (var all = Files.walk(work)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

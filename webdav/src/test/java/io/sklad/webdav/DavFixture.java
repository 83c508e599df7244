package io.sklad.webdav;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** A server on 127.0.0.1:0 over one directory, user {@code user} / password {@code pass}. */
final class DavFixture implements AutoCloseable {

    static final String USER = "user";
    static final String PASS = "pass";

    final Path root;
    final WebDavServer server;

    DavFixture(Path root) throws IOException {
        this(root, WebDavConfig.loopback(0));
    }

    DavFixture(Path root, WebDavConfig config) throws IOException {
        this.root = root;
        DavRealm realm = (u, p) -> USER.equals(u) && PASS.equals(p) ? Optional.of(root) : Optional.empty();
        this.server = new WebDavServer(config, realm);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.port() + "/dav/";
    }

    @Override
    public void close() {
        server.close();
    }

    /** Whether a required external tool may be missing (locally) or must be there (CI). */
    static boolean mustHaveTools() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}

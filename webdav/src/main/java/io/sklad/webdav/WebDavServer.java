package io.sklad.webdav;

import io.milton.config.HttpManagerBuilder;
import io.milton.http.HttpManager;
import io.milton.http.webdav.ResourceTypeHelper;
import io.milton.http.webdav.WebDavResponseHandler;
import io.sklad.common.auth.LoginThrottle;
import io.sklad.webdav.auth.BasicAuthenticator;
import io.sklad.webdav.fs.DeadProperties;
import io.sklad.webdav.fs.EntityTags;
import io.sklad.webdav.fs.PathResourceFactory;
import io.sklad.webdav.http.DavServices;
import io.sklad.webdav.http.DavServlet;
import io.sklad.webdav.http.SkladDavExtension;
import io.sklad.webdav.lock.DavLockManager;
import io.sklad.webdav.lock.InMemoryDavLockManager;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebDAV over any {@code java.nio.file} tree: Milton CE for dispatch on Jetty 12 (EE10), our own
 * handlers for every method, HTTP Basic against a {@link DavRealm}, HTTPS when a key store is configured.
 */
public final class WebDavServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebDavServer.class);

    private final WebDavConfig config;
    private final DavRealm realm;
    private final DavLockManager lockManager;
    private final EntityTags entityTags;
    private Server server;
    private ServerConnector connector;

    public WebDavServer(WebDavConfig config, DavRealm realm) {
        this(config, realm, new InMemoryDavLockManager());
    }

    /** With a specific lock manager, entity tags of size and time. */
    public WebDavServer(WebDavConfig config, DavRealm realm, DavLockManager lockManager) {
        this(config, realm, lockManager, EntityTags.SIZE_AND_TIME);
    }

    /**
     * With a specific lock manager and entity tags: the agent passes a {@link io.sklad.webdav.lock.BackedDavLockManager}
     * over the master's leases and tags from the file's version id.
     */
    public WebDavServer(WebDavConfig config, DavRealm realm, DavLockManager lockManager, EntityTags entityTags) {
        this.config = config;
        this.realm = realm;
        this.lockManager = lockManager;
        this.entityTags = entityTags;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException           when the port cannot be bound or the key store cannot be made
     * @throws IllegalStateException for plain HTTP on a non-loopback address without permission
     */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        if (!config.tls() && !config.allowPlainHttpOnNonLoopback()
                && !InetAddress.getByName(config.listenHost()).isLoopbackAddress()) {
            throw new IllegalStateException("refusing plain HTTP on non-loopback address " + config.listenHost()
                    + ": configure a key store or allow it explicitly");
        }
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("webdav");
        Server s = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector c;
        if (config.tls()) {
            SelfSignedCertificate.ensure(config.keyStorePath(), config.keyStorePassword(), config.listenHost());
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(config.keyStorePath().toString());
            ssl.setKeyStorePassword(config.keyStorePassword());
            ssl.setKeyStoreType("PKCS12");
            SecureRequestCustomizer src = new SecureRequestCustomizer();
            // Clients reach us by IP or by whatever name the user typed; the certificate cannot know.
            src.setSniHostCheck(false);
            http.addCustomizer(src);
            c = new ServerConnector(s, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            c = new ServerConnector(s, new HttpConnectionFactory(http));
        }
        c.setHost(config.listenHost());
        c.setPort(config.listenPort());
        s.addConnector(c);

        ServletContextHandler context = new ServletContextHandler("/");
        BasicAuthenticator auth = new BasicAuthenticator(realm, LoginThrottle.forRequests("webdav"));
        context.addServlet(new ServletHolder("webdav", new DavServlet(buildManager(), auth, config.basePath())), "/*");
        s.setHandler(context);
        try {
            s.start();
        } catch (Exception e) {
            try {
                s.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? io : new IOException("cannot start WebDAV server", e);
        }
        server = s;
        connector = c;
        log.info("WebDAV serving {}://{}:{}{}/", config.tls() ? "https" : "http", config.listenHost(), port(),
                config.basePath());
    }

    private HttpManager buildManager() {
        PathResourceFactory resources = new PathResourceFactory(entityTags);
        DavServices services = new DavServices(lockManager, new DeadProperties(), config.maxLockTimeout(), resources);
        HttpManagerBuilder b = new HttpManagerBuilder() {
            @Override
            protected void buildProtocolHandlers(WebDavResponseHandler responseHandler, ResourceTypeHelper types) {
                super.buildProtocolHandlers(responseHandler, types);
                // Last extension wins per method in Milton's dispatch table.
                ArrayList<io.milton.http.HttpExtension> list = getProtocols();
                list.add(new SkladDavExtension(services));
            }
        };
        b.setResourceFactory(resources);
        b.setEnableBasicAuth(false);
        b.setEnableDigestAuth(false);
        b.setEnableFormAuth(false);
        b.setEnableCookieAuth(false);
        b.setEnableCompression(false);
        b.setEnabledJson(false);
        b.setEnableExpectContinue(false);
        return b.buildHttpManager();
    }

    /** The bound port (useful with port 0). */
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("not started");
        }
        return connector.getLocalPort();
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("error stopping WebDAV server", e);
        } finally {
            server = null;
            connector = null;
        }
    }

    /** Makes a self-signed certificate with the JDK's keytool the first time a key store path is used. */
    static final class SelfSignedCertificate {
        private SelfSignedCertificate() {
        }

        static void ensure(Path keyStore, String password, String host) throws IOException {
            if (Files.exists(keyStore)) {
                return;
            }
            Path parent = keyStore.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            String san = "dns:localhost,ip:127.0.0.1" + (isIp(host) && !host.equals("127.0.0.1") ? ",ip:" + host
                    : (!isIp(host) && !host.equals("localhost") ? ",dns:" + host : ""));
            ProcessBuilder pb = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sklad",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650",
                    "-dname", "CN=Sklad WebDAV", "-ext", "san=" + san,
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass:env", "SKLAD_KS_PASS")
                    .redirectErrorStream(true);
            pb.environment().put("SKLAD_KS_PASS", password);
            try {
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IOException("keytool failed: " + out.trim());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while generating certificate", e);
            }
            log.info("generated self-signed WebDAV certificate in {}", keyStore);
        }

        private static boolean isIp(String host) {
            return host.matches("[0-9.]+") || host.contains(":");
        }
    }
}

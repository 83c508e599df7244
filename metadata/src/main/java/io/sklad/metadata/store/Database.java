package io.sklad.metadata.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;

/** The master's connection pool with the schema migrated to the latest version. */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Opens a pool on {@code jdbcUrl} and runs the Flyway migrations in {@code db/migration}. */
    public static Database open(String jdbcUrl) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            hc.setUsername("sa");
            hc.setPassword("");
        }
        hc.setPoolName("sklad-meta");
        hc.setMaximumPoolSize(8);
        hc.setAutoCommit(false);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.info("metadata database ready");
        return new Database(pool);
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    static MetadataException failure(SQLException e) {
        LOG.warn("metadata store failure (SQLState {})", e.getSQLState(), e);
        MetadataException m = new MetadataException(MetaError.UNAVAILABLE,
                "metadata store failure (SQLState " + e.getSQLState() + ")");
        m.initCause(e);
        return m;
    }

    /** "?, ?, ?" for an IN list of {@code n} parameters. */
    static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A unit of JDBC work inside a transaction. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }
}

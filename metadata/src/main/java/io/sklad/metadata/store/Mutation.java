package io.sklad.metadata.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * An open mutating transaction with its allocated tx. Allocation updates the single
 * {@code counters} row first, so its row lock serialises mutations: tx ids commit in order,
 * wall-clock times never go backwards, and check-then-act inside one mutation is race-free.
 */
final class Mutation {
    final Connection c;
    final long tx;
    final long millis;

    private Mutation(Connection c, long tx, long millis) {
        this.c = c;
        this.tx = tx;
        this.millis = millis;
    }

    static Mutation begin(Connection c, long nowMillis) throws SQLException {
        Sql.update(c, "UPDATE counters SET last_tx = last_tx + 1, last_millis = GREATEST(last_millis, ?) WHERE id = 1",
                nowMillis);
        long[] now = Sql.first(c, "SELECT last_tx, last_millis FROM counters WHERE id = 1",
                rs -> new long[] {rs.getLong(1), rs.getLong(2)});
        Sql.update(c, "INSERT INTO tx (id, at_millis) VALUES (?, ?)", now[0], now[1]);
        return new Mutation(c, now[0], now[1]);
    }

    /**
     * Takes the same {@code counters} row lock without allocating a tx: for upkeep (garbage collection,
     * retention) that must not interleave with mutations but changes nothing a reader resolves by tx.
     */
    static Mutation serialised(Connection c, long nowMillis) throws SQLException {
        long tx = Sql.first(c, "SELECT last_tx FROM counters WHERE id = 1 FOR UPDATE", rs -> rs.getLong(1));
        return new Mutation(c, tx, nowMillis);
    }

    long nextInode() throws SQLException {
        return bump("last_inode");
    }

    long nextVolume() throws SQLException {
        return bump("last_volume");
    }

    private long bump(String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE counters SET " + column + " = " + column + " + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM counters WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

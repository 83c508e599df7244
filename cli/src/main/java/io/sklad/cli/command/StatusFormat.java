package io.sklad.cli.command;

import io.sklad.cli.io.Units;
import io.sklad.vfs.client.ClusterStatus;
import io.sklad.vfs.client.VolumeInfo;
import io.sklad.vfs.client.WorkerNode;
import java.util.Locale;
import java.util.Map;

/** {@code sklad status} as a table for people and as JSON for scripts. */
final class StatusFormat {

    private StatusFormat() {
    }

    static String state(WorkerNode n) {
        return n.state().name().toLowerCase(Locale.ROOT);
    }

    static String text(ClusterStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-36s %-22s %-9s %10s %10s %10s %9s  %s%n",
                "NODE", "ADDRESS", "STATE", "CAPACITY", "USED", "FREE", "BLOCKS", "LABELS"));
        for (WorkerNode n : s.nodes()) {
            b.append(String.format(Locale.ROOT, "%-36s %-22s %-9s %10s %10s %10s %9d  %s%n", n.nodeId(), n.address(),
                    state(n) + (n.readOnly() ? "(ro)" : ""), Units.bytes(n.capacityBytes()), Units.bytes(n.usedBytes()),
                    Units.bytes(n.freeBytes()), n.blockCount(), labels(n.labels())));
        }
        long alive = s.nodes().stream().filter(n -> state(n).equals("alive")).count();
        b.append(String.format(Locale.ROOT, "%nnodes: %d (%d alive)   blocks: %d   stored: %s   files: %s%n",
                s.nodes().size(), alive, s.blockCount(), Units.bytes(s.storedBytes()), Units.bytes(s.logicalBytes())));
        b.append("under_replicated: ").append(s.underReplicated())
                .append(s.underReplicated() == 0 ? "  (every block has all its copies)" : "  (blocks with fewer live copies than their volume wants)")
                .append('\n');
        return b.toString();
    }

    private static String labels(Map<String, String> labels) {
        return labels.isEmpty() ? "-" : labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .sorted().reduce((a, c) -> a + "," + c).orElse("-");
    }

    static String json(ClusterStatus s) {
        StringBuilder b = new StringBuilder("{\n  \"nodes\": [");
        for (int i = 0; i < s.nodes().size(); i++) {
            WorkerNode n = s.nodes().get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {")
                    .append("\"node_id\": ").append(str(n.nodeId()))
                    .append(", \"address\": ").append(str(n.address()))
                    .append(", \"state\": ").append(str(state(n)))
                    .append(", \"capacity_bytes\": ").append(n.capacityBytes())
                    .append(", \"used_bytes\": ").append(n.usedBytes())
                    .append(", \"free_bytes\": ").append(n.freeBytes())
                    .append(", \"block_count\": ").append(n.blockCount())
                    .append(", \"read_only\": ").append(n.readOnly())
                    .append(", \"last_heartbeat_millis\": ").append(n.lastHeartbeatMillis())
                    .append(", \"labels\": {");
            int j = 0;
            for (Map.Entry<String, String> e : n.labels().entrySet()) {
                b.append(j++ == 0 ? "" : ", ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
            }
            b.append("}}");
        }
        b.append(s.nodes().isEmpty() ? "],\n" : "\n  ],\n");
        b.append("  \"under_replicated\": ").append(s.underReplicated()).append(",\n");
        b.append("  \"block_count\": ").append(s.blockCount()).append(",\n");
        b.append("  \"logical_bytes\": ").append(s.logicalBytes()).append(",\n");
        b.append("  \"stored_bytes\": ").append(s.storedBytes()).append(",\n");
        b.append("  \"volumes\": [");
        for (int i = 0; i < s.volumes().size(); i++) {
            VolumeInfo v = s.volumes().get(i);
            b.append(i == 0 ? "" : ", ").append("{\"name\": ").append(str(v.name())).append(", \"replicas\": ").append(v.replicas())
                    .append(", \"block_size\": ").append(v.blockSize()).append("}");
        }
        b.append("]\n}\n");
        return b.toString();
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

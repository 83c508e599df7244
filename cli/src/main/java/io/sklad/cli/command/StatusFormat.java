package io.sklad.cli.command;

import io.sklad.cli.io.Units;
import io.sklad.vfs.client.ClusterStatus;
import io.sklad.vfs.client.RepairProgress;
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
        RepairProgress r = s.repair();
        b.append(String.format(Locale.ROOT, "repair: %d blocks at risk (%s to copy), %d being repaired, %s/s, %s%n",
                r.blocksAtRisk(), Units.bytes(r.bytesAtRisk()), r.blocksRepairing(),
                Units.bytes((long) r.repairedBytesPerSecond()), eta(r)));
        if (r.blocksWithoutSource() > 0) {
            b.append("  ").append(r.blocksWithoutSource()).append(" blocks have no live copy to repair from\n");
        }
        b.append(String.format(Locale.ROOT, "        %d copies made, %d surplus copies deleted since the master started%n",
                r.repairedBlocks(), r.trimmedBlocks()));
        b.append(String.format(Locale.ROOT, "gc: %d blocks waiting out the grace period, %d deleted%n",
                r.gcPendingBlocks(), r.gcDeletedBlocks()));
        long draining = s.nodes().stream().filter(n -> state(n).equals("draining")).count();
        if (draining > 0) {
            b.append("draining: ").append(draining).append(" node(s); 'sklad node ls' shows what they still hold\n");
        }
        return b.toString();
    }

    static String labels(Map<String, String> labels) {
        return labels.isEmpty() ? "-" : labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .sorted().reduce((a, c) -> a + "," + c).orElse("-");
    }

    private static String eta(RepairProgress r) {
        if (r.blocksAtRisk() == 0) {
            return "full redundancy";
        }
        if (r.etaSeconds() < 0) {
            return "time to full redundancy unknown";
        }
        long t = r.etaSeconds();
        return String.format(Locale.ROOT, "full redundancy in ~%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60);
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
        RepairProgress r = s.repair();
        b.append("  \"repair\": {\"blocks_at_risk\": ").append(r.blocksAtRisk())
                .append(", \"bytes_at_risk\": ").append(r.bytesAtRisk())
                .append(", \"blocks_repairing\": ").append(r.blocksRepairing())
                .append(", \"repaired_bytes_per_second\": ").append(Math.round(r.repairedBytesPerSecond()))
                .append(", \"eta_seconds\": ").append(r.etaSeconds())
                .append(", \"blocks_without_source\": ").append(r.blocksWithoutSource())
                .append(", \"repaired_blocks\": ").append(r.repairedBlocks())
                .append(", \"trimmed_blocks\": ").append(r.trimmedBlocks())
                .append(", \"gc_pending_blocks\": ").append(r.gcPendingBlocks())
                .append(", \"gc_deleted_blocks\": ").append(r.gcDeletedBlocks()).append("},\n");
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

package io.sklad.metadata;

import io.sklad.proto.v1.CopyRequest;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateFileResponse;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.DeleteRequest;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.EntryKind;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ListRequest;
import io.sklad.proto.v1.ListResponse;
import io.sklad.proto.v1.MkdirRequest;
import io.sklad.proto.v1.NamespaceServiceGrpc;
import io.sklad.proto.v1.RenameRequest;
import io.sklad.proto.v1.SetAttributesRequest;
import io.sklad.proto.v1.StatEntryRequest;
import io.sklad.proto.v1.SymlinkRequest;
import io.sklad.metadata.store.NewAttributes;
import io.sklad.metadata.store.Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamespaceGrpcTest {
    private static final AtomicInteger VOLUMES = new AtomicInteger();

    @TempDir
    static Path dir;
    MasterFixture m;

    @BeforeAll
    void start() {
        // in-memory H2 here (5 000 creates); file mode runs in the other test classes
        MasterConfig c = MasterConfig.defaults(dir).withListenPort(0);
        m = new MasterFixture(new MasterConfig(c.dataDir(), c.listenHost(), 0, "jdbc:h2:mem:namespace-test;QUERY_CACHE_SIZE=100",
                c.suspectAfter(), c.deadAfter(), c.writeQuorum(), c.tokenTtl()));
        m.registerNode("n1");
    }

    @AfterAll
    void stop() throws Exception {
        m.close();
    }

    /** A fresh volume per test so tests do not see each other's entries. */
    private String volume() {
        String name = "vol" + VOLUMES.incrementAndGet();
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName(name).setReplicas(1).build());
        return name;
    }

    private NamespaceServiceGrpc.NamespaceServiceBlockingStub ns() {
        return m.ns();
    }

    private Entry mkdir(String vol, String path) {
        return ns().mkdir(MkdirRequest.newBuilder().setVolume(vol).setPath(path).build()).getEntry();
    }

    private CreateFileResponse create(String vol, String path) {
        return ns().createFile(CreateFileRequest.newBuilder().setVolume(vol).setPath(path).setExclusive(true).build());
    }

    private Entry stat(String vol, String path) {
        return ns().stat(StatEntryRequest.newBuilder().setVolume(vol).setPath(path).build()).getEntry();
    }

    private List<Entry> list(String vol, String path, int pageSize, List<Integer> pageSizes) {
        List<Entry> all = new ArrayList<>();
        Iterator<ListResponse> it = ns().list(ListRequest.newBuilder().setVolume(vol).setPath(path)
                .setPageSize(pageSize).build());
        it.forEachRemaining(r -> {
            pageSizes.add(r.getEntriesCount());
            all.addAll(r.getEntriesList());
        });
        return all;
    }

    @Test
    void createStatAndListEntries() {
        String v = volume();
        Entry d = mkdir(v, "/docs");
        assertThat(d.getKind()).isEqualTo(EntryKind.DIRECTORY);
        assertThat(d.getMode()).isEqualTo(0755);
        CreateFileResponse f = create(v, "/docs/report.1cd");
        assertThat(f.getCreated()).isTrue();
        assertThat(f.getEntry().getKind()).isEqualTo(EntryKind.FILE);
        assertThat(f.getEntry().getSize()).isZero();
        assertThat(f.getEntry().getVersion()).isPositive();
        Entry link = ns().symlink(SymlinkRequest.newBuilder().setVolume(v).setPath("/docs/latest")
                .setTarget("report.1cd").build()).getEntry();
        assertThat(link.getKind()).isEqualTo(EntryKind.SYMLINK);
        assertThat(link.getSymlinkTarget()).isEqualTo("report.1cd");

        assertThat(stat(v, "/docs/report.1cd").getInode()).isEqualTo(f.getEntry().getInode());
        assertThat(stat(v, "/").getKind()).isEqualTo(EntryKind.DIRECTORY);
        assertThat(list(v, "/docs", 0, new ArrayList<>())).extracting(Entry::getName)
                .containsExactly("latest", "report.1cd");

        // non-exclusive create returns the existing file as is
        CreateFileResponse again = ns().createFile(CreateFileRequest.newBuilder().setVolume(v)
                .setPath("/docs/report.1cd").build());
        assertThat(again.getCreated()).isFalse();
        assertThat(again.getEntry().getInode()).isEqualTo(f.getEntry().getInode());
        expectError(ErrorCode.ALREADY_EXISTS, () -> create(v, "/docs/report.1cd"));
        expectError(ErrorCode.IS_DIRECTORY, () -> ns().createFile(CreateFileRequest.newBuilder().setVolume(v)
                .setPath("/docs").build()));
    }

    @Test
    void mkdirWithParentsAndErrors() {
        String v = volume();
        expectError(ErrorCode.NOT_FOUND, () -> mkdir(v, "/a/b/c"));
        Entry c = ns().mkdir(MkdirRequest.newBuilder().setVolume(v).setPath("/a/b/c").setParents(true).build())
                .getEntry();
        assertThat(c.getName()).isEqualTo("c");
        Entry again = ns().mkdir(MkdirRequest.newBuilder().setVolume(v).setPath("/a/b/c").setParents(true).build())
                .getEntry();
        assertThat(again.getInode()).isEqualTo(c.getInode());
        expectError(ErrorCode.ALREADY_EXISTS, () -> mkdir(v, "/a/b"));
        create(v, "/a/file");
        expectError(ErrorCode.NOT_DIRECTORY, () -> mkdir(v, "/a/file/sub"));
        expectError(ErrorCode.NOT_DIRECTORY, () -> create(v, "/a/file/x"));
        expectError(ErrorCode.NOT_DIRECTORY, () -> stat(v, "/a/file/x"));
        expectError(ErrorCode.NOT_DIRECTORY, () -> list(v, "/a/file", 0, new ArrayList<>()));
        expectError(ErrorCode.NOT_FOUND, () -> stat(v, "/a/missing"));
        expectError(ErrorCode.NOT_FOUND, () -> create(v, "/nope/x"));
    }

    @Test
    void everyBadNameIsRefusedAndChangesNothing() {
        String v = volume();
        String longName = "x".repeat(256);
        String longUtf8 = "ж".repeat(128); // 256 bytes in UTF-8
        for (String bad : List.of("/a//b", "/.", "/..", "/a/../b", "/nul\0byte", "/" + longName, "/" + longUtf8)) {
            expectError(ErrorCode.INVALID_NAME, () -> mkdir(v, bad));
            expectError(ErrorCode.INVALID_NAME, () -> create(v, bad));
            expectError(ErrorCode.INVALID_NAME, () -> stat(v, bad));
        }
        assertThat(create(v, "/" + "y".repeat(255)).getCreated()).isTrue();
        assertThat(create(v, "/" + "ж".repeat(127)).getCreated()).isTrue();
        assertThat(list(v, "/", 0, new ArrayList<>())).hasSize(2);
        expectError(ErrorCode.INVALID_NAME, () -> ns().createVolume(CreateVolumeRequest.newBuilder()
                .setName("a/b").setReplicas(1).build()));
    }

    @Test
    void unknownVolume() {
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> stat("no-such-volume", "/"));
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> mkdir("no-such-volume", "/x"));
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> list("no-such-volume", "/", 0, new ArrayList<>()));
    }

    @Test
    void renameMovesReplacesAndRefusesOwnSubtree() {
        String v = volume();
        mkdir(v, "/a");
        mkdir(v, "/a/b");
        long fileInode = create(v, "/a/f").getEntry().getInode();
        create(v, "/g");

        Entry moved = ns().rename(RenameRequest.newBuilder().setVolume(v).setFromPath("/a/f").setToPath("/a/b/f2")
                .build()).getEntry();
        assertThat(moved.getInode()).isEqualTo(fileInode);
        assertThat(moved.getName()).isEqualTo("f2");
        expectError(ErrorCode.NOT_FOUND, () -> stat(v, "/a/f"));

        expectError(ErrorCode.ALREADY_EXISTS, () -> ns().rename(RenameRequest.newBuilder().setVolume(v)
                .setFromPath("/a/b/f2").setToPath("/g").build()));
        ns().rename(RenameRequest.newBuilder().setVolume(v).setFromPath("/a/b/f2").setToPath("/g")
                .setReplace(true).build());
        assertThat(stat(v, "/g").getInode()).isEqualTo(fileInode);

        expectError(ErrorCode.INVALID_ARGUMENT, () -> ns().rename(RenameRequest.newBuilder().setVolume(v)
                .setFromPath("/a").setToPath("/a/b/inside").build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> ns().rename(RenameRequest.newBuilder().setVolume(v)
                .setFromPath("/a").setToPath("/a/x").build()));
        expectError(ErrorCode.NOT_FOUND, () -> ns().rename(RenameRequest.newBuilder().setVolume(v)
                .setFromPath("/missing").setToPath("/x").build()));

        // replace an empty directory, but never a non-empty one
        mkdir(v, "/empty");
        mkdir(v, "/full");
        create(v, "/full/x");
        mkdir(v, "/src");
        expectError(ErrorCode.NOT_EMPTY, () -> ns().rename(RenameRequest.newBuilder().setVolume(v)
                .setFromPath("/src").setToPath("/full").setReplace(true).build()));
        ns().rename(RenameRequest.newBuilder().setVolume(v).setFromPath("/src").setToPath("/empty")
                .setReplace(true).build());
        assertThat(list(v, "/", 0, new ArrayList<>())).extracting(Entry::getName)
                .containsExactly("a", "empty", "full", "g");

        // a directory moves with its contents
        ns().rename(RenameRequest.newBuilder().setVolume(v).setFromPath("/full").setToPath("/a/b/full").build());
        assertThat(stat(v, "/a/b/full/x").getKind()).isEqualTo(EntryKind.FILE);
    }

    @Test
    void deleteFilesAndDirectories() {
        String v = volume();
        mkdir(v, "/d");
        mkdir(v, "/d/sub");
        create(v, "/d/sub/f");
        create(v, "/f");
        expectError(ErrorCode.NOT_EMPTY, () -> ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/d").build()));
        expectError(ErrorCode.IS_DIRECTORY, () -> ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/d")
                .setExpectKind(EntryKind.FILE).build()));
        expectError(ErrorCode.NOT_DIRECTORY, () -> ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/f")
                .setExpectKind(EntryKind.DIRECTORY).build()));
        expectError(ErrorCode.NOT_FOUND, () -> ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/nope").build()));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/").build()));

        ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/f").build());
        ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/d").setRecursive(true).build());
        assertThat(list(v, "/", 0, new ArrayList<>())).isEmpty();
        expectError(ErrorCode.NOT_FOUND, () -> stat(v, "/d/sub/f"));
        // the name is free again
        assertThat(create(v, "/f").getCreated()).isTrue();
    }

    @Test
    void asOfStatAndListShowDeletedFiles() throws Exception {
        String v = volume();
        mkdir(v, "/d");
        Entry f = create(v, "/d/old").getEntry();
        Thread.sleep(5);
        long beforeDelete = System.currentTimeMillis();
        Thread.sleep(5);
        ns().delete(DeleteRequest.newBuilder().setVolume(v).setPath("/d").setRecursive(true).build());
        expectError(ErrorCode.NOT_FOUND, () -> stat(v, "/d/old"));

        Entry byTime = ns().stat(StatEntryRequest.newBuilder().setVolume(v).setPath("/d/old")
                .setAsOfMillis(beforeDelete).build()).getEntry();
        assertThat(byTime.getInode()).isEqualTo(f.getInode());
        Entry byTx = ns().stat(StatEntryRequest.newBuilder().setVolume(v).setPath("/d/old")
                .setAsOfTx(f.getVersion()).build()).getEntry();
        assertThat(byTx.getInode()).isEqualTo(f.getInode());

        List<Entry> then = new ArrayList<>();
        ns().list(ListRequest.newBuilder().setVolume(v).setPath("/d").setAsOfMillis(beforeDelete).build())
                .forEachRemaining(r -> then.addAll(r.getEntriesList()));
        assertThat(then).extracting(Entry::getName).containsExactly("old");
        // before the file existed it is not there
        expectError(ErrorCode.NOT_FOUND, () -> ns().stat(StatEntryRequest.newBuilder().setVolume(v)
                .setPath("/d/old").setAsOfTx(f.getVersion() - 1).build()));
    }

    @Test
    void setAttributesAddsARowAndKeepsTheVersion() {
        String v = volume();
        Entry f = create(v, "/f").getEntry();
        Entry changed = ns().setAttributes(SetAttributesRequest.newBuilder().setVolume(v).setPath("/f")
                .setMode(0600).setMtimeMillis(1234).setUid(7).build()).getEntry();
        assertThat(changed.getMode()).isEqualTo(0600);
        assertThat(changed.getUid()).isEqualTo(7);
        assertThat(changed.getGid()).isEqualTo(f.getGid());
        assertThat(changed.getMtimeMillis()).isEqualTo(1234);
        assertThat(changed.getVersion()).isEqualTo(f.getVersion());
        // as of the creation the old attributes are still there
        Entry old = ns().stat(StatEntryRequest.newBuilder().setVolume(v).setPath("/f").setAsOfTx(f.getVersion())
                .build()).getEntry();
        assertThat(old.getMode()).isEqualTo(0644);
    }

    @Test
    void copyOfDirectoryAndSymlink() {
        String v = volume();
        mkdir(v, "/d");
        create(v, "/d/inner");
        Entry copy = ns().copy(CopyRequest.newBuilder().setVolume(v).setFromPath("/d").setToPath("/d2").build())
                .getEntry();
        assertThat(copy.getKind()).isEqualTo(EntryKind.DIRECTORY);
        assertThat(list(v, "/d2", 0, new ArrayList<>())).isEmpty();
        expectError(ErrorCode.ALREADY_EXISTS, () -> ns().copy(CopyRequest.newBuilder().setVolume(v)
                .setFromPath("/d/inner").setToPath("/d2").build()));
        expectError(ErrorCode.NOT_EMPTY, () -> ns().copy(CopyRequest.newBuilder().setVolume(v)
                .setFromPath("/d2").setToPath("/d").setReplace(true).build()));
    }

    @Test
    void listOf5000EntriesComesSortedInPages() {
        String v = volume();
        mkdir(v, "/big");
        Principal admin = new Principal("admin", true);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            names.add(String.format("f-%05d", (i * 7919) % 5000));
        }
        for (String n : names) {
            m.server.store().createFile(admin, v, "/big/" + n, NewAttributes.defaults(), true);
        }
        List<Integer> pages = new ArrayList<>();
        long started = System.nanoTime();
        List<Entry> all = list(v, "/big", 700, pages);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(all).hasSize(5000);
        assertThat(all).extracting(Entry::getName).isSorted().doesNotHaveDuplicates();
        assertThat(all).allSatisfy(e -> assertThat(e.getKind()).isEqualTo(EntryKind.FILE));
        assertThat(pages).hasSize(8).allSatisfy(p -> assertThat(p).isLessThanOrEqualTo(700));
        assertThat(millis).as("listing 5000 entries took %d ms", millis).isLessThan(20_000);
    }
}

package io.sklad.metadata;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.sklad.metadata.auth.PasswordHasher;
import io.sklad.metadata.store.Role;
import io.sklad.proto.v1.AcquireLeaseRequest;
import io.sklad.proto.v1.AcquireLeaseResponse;
import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.Entry;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import io.sklad.proto.v1.Lease;
import io.sklad.proto.v1.LeaseMode;
import io.sklad.proto.v1.LeaseServiceGrpc;
import io.sklad.proto.v1.ListLeasesRequest;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.NamespaceServiceGrpc;
import io.sklad.proto.v1.ReleaseLeaseRequest;
import io.sklad.proto.v1.RenewLeaseRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

/** LeaseService and CommitVersion's lease check against a real master. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseServiceTest {
    private static final AtomicInteger FILES = new AtomicInteger();
    private static final String VOL = "work";

    @TempDir
    static Path dir;
    MasterFixture m;
    String aliceToken;
    String readerToken;

    @BeforeAll
    void start() {
        m = new MasterFixture(dir);
        m.registerNode("n1");
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName(VOL).setReplicas(1).build());
        PasswordHasher hasher = new PasswordHasher(new SecureRandom());
        m.server.store().createUser(hasher.hash("alice", "alice-pw", false));
        m.server.store().createUser(hasher.hash("reader", "reader-pw", false));
        m.server.store().grant("alice", VOL, Role.READ_WRITE);
        m.server.store().grant("reader", VOL, Role.READ_ONLY);
        aliceToken = m.auth().login(LoginRequest.newBuilder().setUser("alice").setPassword("alice-pw").build())
                .getToken();
        readerToken = m.auth().login(LoginRequest.newBuilder().setUser("reader").setPassword("reader-pw").build())
                .getToken();
    }

    @AfterAll
    void stop() throws Exception {
        m.close();
    }

    private LeaseServiceGrpc.LeaseServiceBlockingStub leases(String token) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return LeaseServiceGrpc.newBlockingStub(m.channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** The admin's namespace stub naming a lease holder (null = none) on every call. */
    private NamespaceServiceGrpc.NamespaceServiceBlockingStub nsAs(String holder) {
        if (holder == null) {
            return m.ns();
        }
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("sklad-lease-holder", Metadata.ASCII_STRING_MARSHALLER), holder);
        return m.ns().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    }

    private String newFile() {
        String path = "/f" + FILES.incrementAndGet();
        m.ns().createFile(CreateFileRequest.newBuilder().setVolume(VOL).setPath(path).build());
        return path;
    }

    private AcquireLeaseResponse acquire(String token, String path, LeaseMode mode, String holder, long ttlMillis) {
        return leases(token).acquire(AcquireLeaseRequest.newBuilder().setVolume(VOL).setPath(path).setMode(mode)
                .setHolder(holder).setTtlMillis(ttlMillis).build());
    }

    private Entry commit(String holder, Entry base, long size) {
        return nsAs(holder).commitVersion(CommitVersionRequest.newBuilder().setVolume(VOL).setInode(base.getInode())
                .setBaseVersion(base.getVersion()).setSize(size).build()).getEntry();
    }

    private Entry stat(String path) {
        return m.ns().stat(io.sklad.proto.v1.StatEntryRequest.newBuilder().setVolume(VOL).setPath(path).build())
                .getEntry();
    }

    @Test
    void secondWriterConflictsAndNamesTheHolder() {
        String path = newFile();
        AcquireLeaseResponse a = acquire(aliceToken, path, LeaseMode.WRITE_SHARED_READ, "agent-a", 0);
        assertThat(a.getLeaseId()).isNotEmpty();
        assertThat(a.getInode()).isEqualTo(stat(path).getInode());
        assertThat(a.getExpiresAtMillis() - System.currentTimeMillis()).isBetween(50_000L, 60_001L);
        ErrorDetail d = expectError(ErrorCode.CONFLICT, () -> acquire(m.adminLogin.getToken(), path,
                LeaseMode.WRITE_SHARED_READ, "agent-b", 0));
        assertThat(d.getMessage()).contains("agent-a").contains("alice");
        expectError(ErrorCode.CONFLICT, () -> acquire(m.adminLogin.getToken(), path, LeaseMode.EXCLUSIVE, "agent-b", 0));
        // readers are welcome, and a holder never conflicts with itself
        acquire(readerToken, path, LeaseMode.SHARED_READ, "agent-r", 0);
        acquire(aliceToken, path, LeaseMode.WRITE_SHARED_READ, "agent-a", 0);
        assertThat(leases(aliceToken).listLeases(ListLeasesRequest.newBuilder().setVolume(VOL).setPath(path).build())
                .getLeasesList()).extracting(Lease::getHolder).containsExactlyInAnyOrder("agent-a", "agent-a", "agent-r");
        // lease ids of other users are not shown
        assertThat(leases(readerToken).listLeases(ListLeasesRequest.newBuilder().setVolume(VOL).setPath(path).build())
                .getLeasesList()).filteredOn(l -> l.getUser().equals("alice")).allMatch(l -> l.getLeaseId().isEmpty());
    }

    @Test
    void leasesFollowAccessRightsAndValidateInput() {
        String path = newFile();
        expectError(ErrorCode.ACCESS_DENIED, () -> acquire(readerToken, path, LeaseMode.WRITE_SHARED_READ, "r", 0));
        expectError(ErrorCode.ACCESS_DENIED, () -> acquire(readerToken, path, LeaseMode.EXCLUSIVE, "r", 0));
        acquire(readerToken, path, LeaseMode.SHARED_READ, "r", 0);
        expectError(ErrorCode.INVALID_ARGUMENT, () -> acquire(aliceToken, path, LeaseMode.LEASE_MODE_UNSPECIFIED,
                "a", 0));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> acquire(aliceToken, path, LeaseMode.EXCLUSIVE, "", 0));
        expectError(ErrorCode.NOT_FOUND, () -> acquire(aliceToken, "/missing", LeaseMode.EXCLUSIVE, "a", 0));
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> leases(aliceToken).acquire(AcquireLeaseRequest.newBuilder()
                .setVolume("nope").setPath(path).setMode(LeaseMode.EXCLUSIVE).setHolder("a").build()));
        expectError(ErrorCode.UNAUTHENTICATED, () -> LeaseServiceGrpc.newBlockingStub(m.channel)
                .acquire(AcquireLeaseRequest.newBuilder().setVolume(VOL).setPath(path)
                        .setMode(LeaseMode.EXCLUSIVE).setHolder("a").build()));
    }

    @Test
    void releaseLetsTheNextWriterIn() {
        String path = newFile();
        AcquireLeaseResponse a = acquire(aliceToken, path, LeaseMode.EXCLUSIVE, "agent-a", 0);
        expectError(ErrorCode.CONFLICT, () -> acquire(readerToken, path, LeaseMode.SHARED_READ, "agent-r", 0));
        // only its user (or an admin) releases a lease
        assertThat(leases(readerToken).release(ReleaseLeaseRequest.newBuilder().setLeaseId(a.getLeaseId()).build())
                .getReleased()).isFalse();
        assertThat(leases(aliceToken).release(ReleaseLeaseRequest.newBuilder().setLeaseId(a.getLeaseId()).build())
                .getReleased()).isTrue();
        assertThat(leases(aliceToken).release(ReleaseLeaseRequest.newBuilder().setLeaseId(a.getLeaseId()).build())
                .getReleased()).isFalse();
        acquire(m.adminLogin.getToken(), path, LeaseMode.EXCLUSIVE, "agent-b", 0);
    }

    @Test
    void unrenewedLeasesExpireAndRenewedOnesDoNot() throws Exception {
        String path = newFile();
        String other = newFile();
        AcquireLeaseResponse a = acquire(aliceToken, path, LeaseMode.WRITE_SHARED_READ, "agent-a", 1000);
        AcquireLeaseResponse kept = acquire(aliceToken, other, LeaseMode.WRITE_SHARED_READ, "agent-a", 1000);
        Thread.sleep(600);
        long renewed = leases(aliceToken).renew(RenewLeaseRequest.newBuilder().setLeaseId(kept.getLeaseId())
                .build()).getExpiresAtMillis();
        assertThat(renewed).isGreaterThan(kept.getExpiresAtMillis());
        expectError(ErrorCode.NOT_FOUND, () -> leases(readerToken).renew(RenewLeaseRequest.newBuilder()
                .setLeaseId(kept.getLeaseId()).build()));
        Thread.sleep(600);
        // 1.2 s after acquiring: the first is gone (crashed agent), the renewed one holds
        acquire(m.adminLogin.getToken(), path, LeaseMode.WRITE_SHARED_READ, "agent-b", 0);
        expectError(ErrorCode.CONFLICT, () -> acquire(m.adminLogin.getToken(), other, LeaseMode.WRITE_SHARED_READ,
                "agent-b", 0));
        expectError(ErrorCode.NOT_FOUND, () -> leases(aliceToken).renew(RenewLeaseRequest.newBuilder()
                .setLeaseId(a.getLeaseId()).build()));
    }

    @Test
    void commitIsRefusedUnderAnotherHoldersWriteLease() {
        String path = newFile();
        Entry base = stat(path);
        AcquireLeaseResponse a = acquire(aliceToken, path, LeaseMode.WRITE_SHARED_READ, "agent-a", 0);
        ErrorDetail d = expectError(ErrorCode.CONFLICT, () -> commit("agent-b", base, 10));
        assertThat(d.getMessage()).contains("agent-a");
        expectError(ErrorCode.CONFLICT, () -> commit(null, base, 10));
        assertThat(stat(path).getVersion()).isEqualTo(base.getVersion());
        assertThat(stat(path).getSize()).isZero();
        // the holder itself commits (the admin's token, alice's holder id: the holder is what counts)
        Entry v1 = commit("agent-a", base, 10);
        assertThat(v1.getSize()).isEqualTo(10);
        leases(aliceToken).release(ReleaseLeaseRequest.newBuilder().setLeaseId(a.getLeaseId()).build());
        Entry v2 = commit("agent-b", v1, 20);
        assertThat(v2.getSize()).isEqualTo(20);
        // a shared reader does not stop commits
        acquire(readerToken, path, LeaseMode.SHARED_READ, "agent-r", 0);
        assertThat(commit(null, v2, 30).getSize()).isEqualTo(30);
    }
}

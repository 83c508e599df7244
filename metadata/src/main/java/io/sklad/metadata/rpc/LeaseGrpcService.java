package io.sklad.metadata.rpc;

import io.grpc.stub.StreamObserver;
import io.sklad.metadata.lease.Lease;
import io.sklad.metadata.lease.LeaseMode;
import io.sklad.metadata.lease.LeaseTable;
import io.sklad.metadata.store.AsOf;
import io.sklad.metadata.store.EntryInfo;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.Principal;
import io.sklad.proto.v1.AcquireLeaseRequest;
import io.sklad.proto.v1.AcquireLeaseResponse;
import io.sklad.proto.v1.LeaseServiceGrpc;
import io.sklad.proto.v1.ListLeasesRequest;
import io.sklad.proto.v1.ListLeasesResponse;
import io.sklad.proto.v1.ReleaseLeaseRequest;
import io.sklad.proto.v1.ReleaseLeaseResponse;
import io.sklad.proto.v1.RenewLeaseRequest;
import io.sklad.proto.v1.RenewLeaseResponse;

import java.time.Duration;

/** LeaseService: the path is resolved (with the caller's access checked) by the store, leases live in a {@link LeaseTable}. */
public final class LeaseGrpcService extends LeaseServiceGrpc.LeaseServiceImplBase {
    private final MetadataStore store;
    private final LeaseTable leases;

    public LeaseGrpcService(MetadataStore store, LeaseTable leases) {
        this.store = store;
        this.leases = leases;
    }

    @Override
    public void acquire(AcquireLeaseRequest r, StreamObserver<AcquireLeaseResponse> out) {
        GrpcErrors.unary(out, () -> {
            Principal caller = CallerContext.current();
            LeaseMode mode = mode(r.getMode());
            LeaseTable.checkHolder(r.getHolder());
            store.volumeAccess(caller, r.getVolume(), mode.writes());
            EntryInfo e = store.stat(caller, r.getVolume(), r.getPath(), AsOf.now(), 0);
            Lease l = leases.acquire(r.getVolume(), e.inode(), r.getPath(), mode, r.getHolder(), caller.user(),
                    Duration.ofMillis(r.getTtlMillis()));
            return AcquireLeaseResponse.newBuilder().setLeaseId(l.id()).setExpiresAtMillis(l.expiresAtMillis())
                    .setInode(l.inode()).build();
        });
    }

    @Override
    public void renew(RenewLeaseRequest r, StreamObserver<RenewLeaseResponse> out) {
        GrpcErrors.unary(out, () -> RenewLeaseResponse.newBuilder().setExpiresAtMillis(leases.renew(r.getLeaseId(),
                CallerContext.current().user(), Duration.ofMillis(r.getTtlMillis())).expiresAtMillis()).build());
    }

    @Override
    public void release(ReleaseLeaseRequest r, StreamObserver<ReleaseLeaseResponse> out) {
        GrpcErrors.unary(out, () -> {
            Principal caller = CallerContext.current();
            return ReleaseLeaseResponse.newBuilder()
                    .setReleased(leases.release(r.getLeaseId(), caller.user(), caller.admin())).build();
        });
    }

    @Override
    public void listLeases(ListLeasesRequest r, StreamObserver<ListLeasesResponse> out) {
        GrpcErrors.unary(out, () -> {
            Principal caller = CallerContext.current();
            EntryInfo e = store.stat(caller, r.getVolume(), r.getPath(), AsOf.now(), 0);
            ListLeasesResponse.Builder b = ListLeasesResponse.newBuilder();
            for (Lease l : leases.leasesOn(r.getVolume(), e.inode())) {
                b.addLeases(io.sklad.proto.v1.Lease.newBuilder()
                        .setLeaseId(l.user().equals(caller.user()) ? l.id() : "")
                        .setMode(mode(l.mode())).setHolder(l.holder()).setUser(l.user())
                        .setExpiresAtMillis(l.expiresAtMillis()).setInode(l.inode()));
            }
            return b.build();
        });
    }

    static LeaseMode mode(io.sklad.proto.v1.LeaseMode m) {
        return switch (m) {
            case EXCLUSIVE -> LeaseMode.EXCLUSIVE;
            case SHARED_READ -> LeaseMode.SHARED_READ;
            case WRITE_SHARED_READ -> LeaseMode.WRITE_SHARED_READ;
            default -> throw new MetadataException(MetaError.INVALID_ARGUMENT,
                    "lease mode must be EXCLUSIVE, SHARED_READ or WRITE_SHARED_READ");
        };
    }

    static io.sklad.proto.v1.LeaseMode mode(LeaseMode m) {
        return switch (m) {
            case EXCLUSIVE -> io.sklad.proto.v1.LeaseMode.EXCLUSIVE;
            case SHARED_READ -> io.sklad.proto.v1.LeaseMode.SHARED_READ;
            case WRITE_SHARED_READ -> io.sklad.proto.v1.LeaseMode.WRITE_SHARED_READ;
        };
    }
}

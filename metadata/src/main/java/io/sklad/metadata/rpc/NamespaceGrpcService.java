package io.sklad.metadata.rpc;

import io.grpc.stub.StreamObserver;
import io.sklad.metadata.lease.Lease;
import io.sklad.metadata.lease.LeaseMode;
import io.sklad.metadata.lease.LeaseTable;
import io.sklad.metadata.store.AsOf;
import io.sklad.metadata.store.AttributeUpdate;
import io.sklad.metadata.store.BlockId;
import io.sklad.metadata.store.BlockMapPage;
import io.sklad.metadata.store.ClusterSummary;
import io.sklad.metadata.store.CommitRequest;
import io.sklad.metadata.store.CommittedBlock;
import io.sklad.metadata.store.EntryInfo;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.metadata.store.MetadataStore;
import io.sklad.metadata.store.NewAttributes;
import io.sklad.metadata.store.Principal;
import io.sklad.metadata.repair.HealingStatus;
import io.sklad.proto.v1.ClusterStatusRequest;
import io.sklad.proto.v1.ClusterStatusResponse;
import io.sklad.proto.v1.CommitVersionRequest;
import io.sklad.proto.v1.CommitVersionResponse;
import io.sklad.proto.v1.CopyRequest;
import io.sklad.proto.v1.CopyResponse;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateFileResponse;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.CreateVolumeResponse;
import io.sklad.proto.v1.DeleteRequest;
import io.sklad.proto.v1.DeleteResponse;
import io.sklad.proto.v1.FindBlocksRequest;
import io.sklad.proto.v1.FindBlocksResponse;
import io.sklad.proto.v1.GetBlockMapRequest;
import io.sklad.proto.v1.GetBlockMapResponse;
import io.sklad.proto.v1.ListRequest;
import io.sklad.proto.v1.ListResponse;
import io.sklad.proto.v1.ListVersionsRequest;
import io.sklad.proto.v1.ListVersionsResponse;
import io.sklad.proto.v1.ListVolumesRequest;
import io.sklad.proto.v1.ListVolumesResponse;
import io.sklad.proto.v1.LiveNodesRequest;
import io.sklad.proto.v1.LiveNodesResponse;
import io.sklad.proto.v1.MkdirRequest;
import io.sklad.proto.v1.MkdirResponse;
import io.sklad.proto.v1.NamespaceServiceGrpc;
import io.sklad.proto.v1.RenameRequest;
import io.sklad.proto.v1.RenameResponse;
import io.sklad.proto.v1.ReportBadReplicaRequest;
import io.sklad.proto.v1.ReportBadReplicaResponse;
import io.sklad.proto.v1.SetAttributesRequest;
import io.sklad.proto.v1.SetAttributesResponse;
import io.sklad.proto.v1.StatEntryRequest;
import io.sklad.proto.v1.StatEntryResponse;
import io.sklad.proto.v1.SymlinkRequest;
import io.sklad.proto.v1.SymlinkResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** NamespaceService: each call resolves the caller and makes one {@link MetadataStore} call. */
public final class NamespaceGrpcService extends NamespaceServiceGrpc.NamespaceServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceGrpcService.class);
    static final int DEFAULT_LIST_PAGE = 1000;
    static final int MAX_LIST_PAGE = 10_000;
    static final int BLOCK_MAP_PAGE = 4096;
    /** Commit parts at least this big get their blocks recorded ahead of the commit (smaller: not worth a transaction). */
    static final int REGISTER_AHEAD_MIN = 256;

    /** How long a block access token from {@link #getBlockAccess} stays valid; agents refresh before. */
    static final java.time.Duration BLOCK_ACCESS_TTL = java.time.Duration.ofHours(12);

    private final MetadataStore store;
    private final io.sklad.metadata.auth.ChunkTokens chunkTokens;
    private final java.time.Clock clock;
    private final io.sklad.metadata.lease.LeaseTable leases;
    private final java.util.function.Supplier<HealingStatus> healing;

    /**
     * @param leases write leases CommitVersion respects (the holder a commit names comes from
     *               {@link LeaseHolderInterceptor})
     */
    public NamespaceGrpcService(MetadataStore store, io.sklad.metadata.auth.ChunkTokens chunkTokens,
                                java.time.Clock clock, io.sklad.metadata.lease.LeaseTable leases) {
        this(store, chunkTokens, clock, leases, () -> HealingStatus.NONE);
    }

    /** With {@code healing} giving the repair progress ClusterStatus shows. */
    public NamespaceGrpcService(MetadataStore store, io.sklad.metadata.auth.ChunkTokens chunkTokens,
                                java.time.Clock clock, io.sklad.metadata.lease.LeaseTable leases,
                                java.util.function.Supplier<HealingStatus> healing) {
        this.store = store;
        this.chunkTokens = chunkTokens;
        this.clock = clock;
        this.leases = leases;
        this.healing = healing;
    }

    @Override
    public void getBlockAccess(io.sklad.proto.v1.GetBlockAccessRequest request,
                               StreamObserver<io.sklad.proto.v1.GetBlockAccessResponse> response) {
        long expires = clock.millis() + BLOCK_ACCESS_TTL.toMillis();
        response.onNext(io.sklad.proto.v1.GetBlockAccessResponse.newBuilder()
                .setChunkToken(chunkTokens.mint(caller().user(), expires))
                .setExpiresAtMillis(expires).build());
        response.onCompleted();
    }

    private static Principal caller() {
        return CallerContext.current();
    }

    private static AsOf asOf(long tx, long millis) {
        return tx > 0 ? AsOf.tx(tx) : millis > 0 ? AsOf.millis(millis) : AsOf.now();
    }

    @Override
    public void createVolume(CreateVolumeRequest r, StreamObserver<CreateVolumeResponse> out) {
        GrpcErrors.unary(out, () -> CreateVolumeResponse.newBuilder().setVolume(ProtoMapping.volume(
                store.createVolume(caller(), r.getName(), r.getReplicas(), r.getBlockSize()))).build());
    }

    @Override
    public void listVolumes(ListVolumesRequest r, StreamObserver<ListVolumesResponse> out) {
        GrpcErrors.unary(out, () -> {
            ListVolumesResponse.Builder b = ListVolumesResponse.newBuilder();
            store.listVolumes(caller()).forEach(v -> b.addVolumes(ProtoMapping.volume(v)));
            return b.build();
        });
    }

    @Override
    public void stat(StatEntryRequest r, StreamObserver<StatEntryResponse> out) {
        GrpcErrors.unary(out, () -> StatEntryResponse.newBuilder().setEntry(ProtoMapping.entry(store.stat(caller(),
                r.getVolume(), r.getPath(), asOf(r.getAsOfTx(), r.getAsOfMillis()), r.getVersion()))).build());
    }

    @Override
    public void list(ListRequest r, StreamObserver<ListResponse> out) {
        Principal p;
        try {
            p = caller();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        int pageSize = r.getPageSize() <= 0 ? DEFAULT_LIST_PAGE : Math.min(r.getPageSize(), MAX_LIST_PAGE);
        AsOf asOf = asOf(r.getAsOfTx(), r.getAsOfMillis());
        PagedStreamer.stream(out, new PagedStreamer.PageSource<>() {
            private long tx = -1;
            private String after = "";
            private boolean finished;

            @Override
            public Optional<ListResponse> next() {
                if (finished) {
                    return Optional.empty();
                }
                if (tx < 0) {
                    // one snapshot for all pages: later mutations do not shift the listing
                    tx = store.resolveTx(asOf);
                }
                List<EntryInfo> page = store.list(p, r.getVolume(), r.getPath(), tx, after, pageSize);
                finished = page.size() < pageSize;
                if (page.isEmpty()) {
                    return Optional.empty();
                }
                after = page.get(page.size() - 1).name();
                ListResponse.Builder b = ListResponse.newBuilder();
                page.forEach(e -> b.addEntries(ProtoMapping.entry(e)));
                return Optional.of(b.build());
            }
        });
    }

    @Override
    public void mkdir(MkdirRequest r, StreamObserver<MkdirResponse> out) {
        GrpcErrors.unary(out, () -> MkdirResponse.newBuilder().setEntry(ProtoMapping.entry(store.mkdir(caller(),
                r.getVolume(), r.getPath(), new NewAttributes(r.getMode(), r.getUid(), r.getGid()), r.getParents())))
                .build());
    }

    @Override
    public void createFile(CreateFileRequest r, StreamObserver<CreateFileResponse> out) {
        GrpcErrors.unary(out, () -> {
            if (!r.getLeaseHolder().isEmpty()) {
                LeaseTable.checkHolder(r.getLeaseHolder());
            }
            Principal p = caller();
            MetadataStore.Created c = store.createFile(p, r.getVolume(), r.getPath(),
                    new NewAttributes(r.getMode(), r.getUid(), r.getGid()), r.getExclusive());
            CreateFileResponse.Builder b = CreateFileResponse.newBuilder().setEntry(ProtoMapping.entry(c.entry()))
                    .setCreated(c.created());
            if (c.created() && !r.getLeaseHolder().isEmpty()) {
                newFileLease(r, p, c.entry().inode()).ifPresent(l ->
                        b.setLeaseId(l.id()).setLeaseExpiresAtMillis(l.expiresAtMillis()));
            }
            return b.build();
        });
    }

    /**
     * The write lease a creating writer asked for. Nobody can hold one on a file this call made, except a holder
     * that raced in between the create's commit and here: then none is taken, and the agent's own acquire reports
     * the holder in the way.
     */
    private Optional<Lease> newFileLease(CreateFileRequest r, Principal p, long inode) {
        try {
            return Optional.of(leases.acquire(r.getVolume(), inode, r.getPath(),
                    LeaseMode.WRITE_SHARED_READ, r.getLeaseHolder(), p.user(), Duration.ofMillis(r.getLeaseTtlMillis())));
        } catch (MetadataException e) {
            return Optional.empty();
        }
    }

    @Override
    public void symlink(SymlinkRequest r, StreamObserver<SymlinkResponse> out) {
        GrpcErrors.unary(out, () -> SymlinkResponse.newBuilder().setEntry(ProtoMapping.entry(store.symlink(caller(),
                r.getVolume(), r.getPath(), r.getTarget(), new NewAttributes(0, r.getUid(), r.getGid())))).build());
    }

    @Override
    public void rename(RenameRequest r, StreamObserver<RenameResponse> out) {
        GrpcErrors.unary(out, () -> RenameResponse.newBuilder().setEntry(ProtoMapping.entry(store.rename(caller(),
                r.getVolume(), r.getFromPath(), r.getToPath(), r.getReplace(), r.getNoReplaceDir()))).build());
    }

    @Override
    public void delete(DeleteRequest r, StreamObserver<DeleteResponse> out) {
        GrpcErrors.unary(out, () -> {
            store.delete(caller(), r.getVolume(), r.getPath(), r.getRecursive(),
                    ProtoMapping.kind(r.getExpectKind()));
            return DeleteResponse.getDefaultInstance();
        });
    }

    @Override
    public void copy(CopyRequest r, StreamObserver<CopyResponse> out) {
        GrpcErrors.unary(out, () -> CopyResponse.newBuilder().setEntry(ProtoMapping.entry(store.copy(caller(),
                r.getVolume(), r.getFromPath(), r.getToVolume(), r.getToPath(), r.getReplace()))).build());
    }

    @Override
    public void setAttributes(SetAttributesRequest r, StreamObserver<SetAttributesResponse> out) {
        GrpcErrors.unary(out, () -> {
            AttributeUpdate u = new AttributeUpdate(
                    r.hasMode() ? r.getMode() : null,
                    r.hasUid() ? r.getUid() : null,
                    r.hasGid() ? r.getGid() : null,
                    r.hasMtimeMillis() ? r.getMtimeMillis() : null,
                    r.hasAtimeMillis() ? r.getAtimeMillis() : null);
            return SetAttributesResponse.newBuilder().setEntry(ProtoMapping.entry(
                    store.setAttributes(caller(), r.getVolume(), r.getPath(), u))).build();
        });
    }

    @Override
    public void getBlockMap(GetBlockMapRequest r, StreamObserver<GetBlockMapResponse> out) {
        Principal p;
        try {
            p = caller();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        long end = r.getCount() > 0 ? r.getFromIndex() + r.getCount() : Long.MAX_VALUE;
        PagedStreamer.stream(out, new PagedStreamer.PageSource<>() {
            private long version = r.getVersion();
            private long next = Math.max(0, r.getFromIndex());
            private boolean first = true;
            private boolean finished;

            @Override
            public Optional<GetBlockMapResponse> next() {
                if (finished) {
                    return Optional.empty();
                }
                int limit = (int) Math.min(BLOCK_MAP_PAGE, Math.max(1, end - next));
                BlockMapPage page = store.blockMap(p, r.getVolume(), r.getInode(), version, next, end, limit);
                // later pages read the version the first one resolved, even if a commit lands meanwhile
                version = page.version();
                finished = page.blocks().size() < limit || next >= end;
                if (page.blocks().isEmpty() && !first) {
                    return Optional.empty();
                }
                first = false;
                if (!page.blocks().isEmpty()) {
                    next = page.blocks().get(page.blocks().size() - 1).index() + 1;
                    finished |= next >= end;
                }
                GetBlockMapResponse.Builder b = GetBlockMapResponse.newBuilder().setVersion(page.version())
                        .setSize(page.size()).setBlockSize(page.blockSize());
                page.blocks().forEach(l -> b.addBlocks(ProtoMapping.blockRef(l)));
                return Optional.of(b.build());
            }
        });
    }

    @Override
    public void commitVersion(CommitVersionRequest r, StreamObserver<CommitVersionResponse> out) {
        GrpcErrors.unary(out, () -> {
            List<CommittedBlock> blocks = new ArrayList<>(r.getBlocksCount());
            for (io.sklad.proto.v1.CommittedBlock b : r.getBlocksList()) {
                BlockId id = b.getBlockId().isEmpty() ? null : ProtoMapping.blockId(b.getBlockId());
                blocks.add(new CommittedBlock(b.getIndex(), id, b.getStoredLength(), b.getNodeIdsList()));
            }
            boolean big = blocks.size() >= REGISTER_AHEAD_MIN;
            if (big) {
                for (int i = 0; i < blocks.size(); i += CommitParts.MAX_PART) {
                    store.registerBlocks(caller(), r.getVolume(),
                            blocks.subList(i, Math.min(blocks.size(), i + CommitParts.MAX_PART)));
                }
            }
            return commit(new CommitRequest(r.getVolume(), r.getInode(), r.getBaseVersion(), r.getSize(), blocks,
                    ProtoMapping.attributes(r), big));
        });
    }

    /**
     * A commit in parts: each part is checked as it arrives, outside any lock; the commit itself (one store
     * transaction: compare-and-set and row writes) runs once the client half-closes.
     */
    @Override
    public StreamObserver<CommitVersionRequest> commitVersionStream(StreamObserver<CommitVersionResponse> out) {
        return new StreamObserver<>() {
            private CommitParts parts;
            private int recorded; // blocks [0, recorded) went through registerBlocks
            private boolean failed;

            @Override
            public void onNext(CommitVersionRequest part) {
                if (failed) {
                    return;
                }
                try {
                    if (parts == null) {
                        parts = new CommitParts(part, store.volumeAccess(caller(), part.getVolume(), true));
                    } else {
                        parts.add(part);
                    }
                    if (parts.blockCount() - recorded >= REGISTER_AHEAD_MIN) {
                        // these blocks' rows now, in a short transaction of their own, while the agent sends the
                        // next part: the commit at the end then holds the namespace lock for the block map only
                        recordRest();
                    }
                } catch (RuntimeException e) {
                    fail(e);
                }
            }

            private void recordRest() {
                store.registerBlocks(caller(), parts.volume(), parts.blocksFrom(recorded));
                recorded = parts.blockCount();
            }

            @Override
            public void onError(Throwable t) {
                // the agent gave up (deadline, cancel): nothing was committed, the parts are dropped
                failed = true;
                parts = null;
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (parts == null) {
                    fail(new MetadataException(MetaError.INVALID_ARGUMENT, "empty commit stream"));
                    return;
                }
                CommitParts done = parts;
                parts = null;
                GrpcErrors.unary(out, () -> {
                    boolean big = done.blockCount() >= REGISTER_AHEAD_MIN;
                    if (big && recorded < done.blockCount()) {
                        store.registerBlocks(caller(), done.volume(), done.blocksFrom(recorded));
                    }
                    return commit(done.request(big));
                });
            }

            private void fail(RuntimeException e) {
                failed = true;
                parts = null;
                out.onError(GrpcErrors.toStatus(e));
            }
        };
    }

    private CommitVersionResponse commit(CommitRequest request) {
        if (io.grpc.Context.current().isCancelled()) {
            // the agent already gave up (deadline): committing now would make a version it reports as failed
            throw new MetadataException(MetaError.UNAVAILABLE,
                    "commit of inode " + request.inode() + " cancelled by the client");
        }
        // checked before, not inside, the commit transaction: a lease taken in between is still safe,
        // because its holder's own commit is compare-and-set on the version it started from
        leases.checkCommit(request.volume(), request.inode(), "inode " + request.inode(),
                LeaseHolderInterceptor.current());
        long start = System.nanoTime();
        EntryInfo e = store.commitVersion(caller(), request);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (millis > 1000) {
            LOG.info("commit of inode {} with {} blocks took {} ms", request.inode(), request.blocks().size(), millis);
        }
        return CommitVersionResponse.newBuilder().setEntry(ProtoMapping.entry(e)).build();
    }

    @Override
    public void listVersions(ListVersionsRequest r, StreamObserver<ListVersionsResponse> out) {
        GrpcErrors.unary(out, () -> {
            ListVersionsResponse.Builder b = ListVersionsResponse.newBuilder();
            store.listVersions(caller(), r.getVolume(), r.getPath()).forEach(v -> b.addVersions(ProtoMapping.version(v)));
            return b.build();
        });
    }

    @Override
    public void liveNodes(LiveNodesRequest r, StreamObserver<LiveNodesResponse> out) {
        GrpcErrors.unary(out, () -> {
            LiveNodesResponse.Builder b = LiveNodesResponse.newBuilder();
            store.liveNodes().forEach(n -> b.addNodes(ProtoMapping.node(n)));
            return b.build();
        });
    }

    @Override
    public void findBlocks(FindBlocksRequest r, StreamObserver<FindBlocksResponse> out) {
        GrpcErrors.unary(out, () -> {
            List<BlockId> ids = r.getBlockIdsList().stream().map(ProtoMapping::blockId).toList();
            FindBlocksResponse.Builder b = FindBlocksResponse.newBuilder();
            store.findBlocks(ids).forEach(l -> b.addFound(ProtoMapping.blockRef(l)));
            return b.build();
        });
    }

    @Override
    public void reportBadReplica(ReportBadReplicaRequest r, StreamObserver<ReportBadReplicaResponse> out) {
        GrpcErrors.unary(out, () -> {
            BlockId id = ProtoMapping.blockId(r.getBlockId());
            LOG.warn("user {} reports bad replica of block {} on node {}: {}", caller().user(), id, r.getNodeId(),
                    r.getReason());
            store.dropReplica(id, r.getNodeId());
            return ReportBadReplicaResponse.getDefaultInstance();
        });
    }

    @Override
    public void clusterStatus(ClusterStatusRequest r, StreamObserver<ClusterStatusResponse> out) {
        GrpcErrors.unary(out, () -> {
            ClusterSummary s = store.clusterSummary(caller());
            ClusterStatusResponse.Builder b = ClusterStatusResponse.newBuilder()
                    .setUnderReplicated(s.underReplicated()).setBlockCount(s.blockCount())
                    .setLogicalBytes(s.logicalBytes()).setStoredBytes(s.storedBytes());
            s.nodes().forEach(n -> b.addNodes(ProtoMapping.node(n)));
            s.volumes().forEach(v -> b.addVolumes(ProtoMapping.volume(v)));
            b.setRepair(ProtoMapping.repair(healing.get()));
            return b.build();
        });
    }

    @Override
    public void getProperties(io.sklad.proto.v1.GetPropertiesRequest r,
                              StreamObserver<io.sklad.proto.v1.GetPropertiesResponse> out) {
        GrpcErrors.unary(out, () -> {
            io.sklad.proto.v1.GetPropertiesResponse.Builder b = io.sklad.proto.v1.GetPropertiesResponse.newBuilder();
            store.getProperties(caller(), r.getVolume(), r.getPath()).forEach((name, value) -> b.addProperties(
                    io.sklad.proto.v1.Property.newBuilder().setName(name)
                            .setValue(com.google.protobuf.ByteString.copyFrom(value))));
            return b.build();
        });
    }

    @Override
    public void setProperties(io.sklad.proto.v1.SetPropertiesRequest r,
                              StreamObserver<io.sklad.proto.v1.SetPropertiesResponse> out) {
        GrpcErrors.unary(out, () -> {
            java.util.Map<String, byte[]> set = new java.util.LinkedHashMap<>();
            r.getSetList().forEach(p -> set.put(p.getName(), p.getValue().toByteArray()));
            store.setProperties(caller(), r.getVolume(), r.getPath(), set, r.getRemoveList());
            return io.sklad.proto.v1.SetPropertiesResponse.getDefaultInstance();
        });
    }

    @Override
    public void getVolumeAccess(io.sklad.proto.v1.GetVolumeAccessRequest r,
                                StreamObserver<io.sklad.proto.v1.GetVolumeAccessResponse> out) {
        GrpcErrors.unary(out, () -> {
            Principal p = caller();
            store.volumeAccess(p, r.getVolume(), false);
            boolean write;
            try {
                store.volumeAccess(p, r.getVolume(), true);
                write = true;
            } catch (io.sklad.metadata.store.MetadataException e) {
                if (e.code() != io.sklad.metadata.store.MetaError.ACCESS_DENIED) {
                    throw e;
                }
                write = false;
            }
            return io.sklad.proto.v1.GetVolumeAccessResponse.newBuilder().setRead(true).setWrite(write).build();
        });
    }
}

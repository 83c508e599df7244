package io.sklad.vfs.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.sklad.proto.v1.AddKeyRequest;
import io.sklad.proto.v1.AddUserRequest;
import io.sklad.proto.v1.AdminServiceGrpc;
import io.sklad.proto.v1.ClusterAdminServiceGrpc;
import io.sklad.proto.v1.DrainNodeRequest;
import io.sklad.proto.v1.DrainNodeResponse;
import io.sklad.proto.v1.ListNodesRequest;
import io.sklad.proto.v1.ListNodesResponse;
import io.sklad.proto.v1.NodeUsage;
import io.sklad.proto.v1.RemoveNodeRequest;
import io.sklad.proto.v1.SetVolumeRetentionRequest;
import io.sklad.proto.v1.GrantRequest;
import io.sklad.proto.v1.ListKeysRequest;
import io.sklad.proto.v1.ListTokensRequest;
import io.sklad.proto.v1.ListUsersRequest;
import io.sklad.proto.v1.RemoveKeyRequest;
import io.sklad.proto.v1.RemoveUserRequest;
import io.sklad.proto.v1.RevokeRequest;
import io.sklad.proto.v1.RevokeTokensRequest;
import io.sklad.proto.v1.SetPasswordRequest;
import io.sklad.proto.v1.SetUserDisabledRequest;
import io.sklad.proto.v1.User;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link AdminClient} over gRPC: one channel to the master, a deadline on every call, a bearer token. */
public final class GrpcAdminClient implements AdminClient {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final Duration timeout;
    private final AdminServiceGrpc.AdminServiceBlockingStub admin;
    private final ClusterAdminServiceGrpc.ClusterAdminServiceBlockingStub cluster;

    /**
     * @param address host:port of the master
     * @param token   a bearer token from a login (an admin's, except for changing one's own password)
     */
    public GrpcAdminClient(String address, Duration timeout, String token) {
        this(ManagedChannelBuilder.forTarget(address).usePlaintext().build(), timeout, token);
    }

    /** Over a channel built elsewhere; the client owns and closes it. */
    public GrpcAdminClient(ManagedChannel channel, Duration timeout, String token) {
        this.channel = channel;
        this.timeout = timeout;
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        this.admin = AdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        this.cluster = ClusterAdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private AdminServiceGrpc.AdminServiceBlockingStub stub() {
        return admin.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static IOException failed(StatusRuntimeException e, String about) {
        return GrpcErrors.map(e, null, about);
    }

    @Override
    public UserInfo addUser(String name, String password, boolean isAdmin) throws IOException {
        try {
            return user(stub().addUser(AddUserRequest.newBuilder().setName(name).setPassword(password)
                    .setAdmin(isAdmin).build()).getUser());
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + name);
        }
    }

    @Override
    public List<UserInfo> listUsers() throws IOException {
        try {
            return stub().listUsers(ListUsersRequest.getDefaultInstance()).getUsersList().stream()
                    .map(GrpcAdminClient::user).toList();
        } catch (StatusRuntimeException e) {
            throw failed(e, "users");
        }
    }

    @Override
    public void setUserDisabled(String name, boolean disabled) throws IOException {
        try {
            stub().setUserDisabled(SetUserDisabledRequest.newBuilder().setName(name).setDisabled(disabled).build());
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + name);
        }
    }

    @Override
    public void removeUser(String name) throws IOException {
        try {
            stub().removeUser(RemoveUserRequest.newBuilder().setName(name).build());
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + name);
        }
    }

    @Override
    public void setPassword(String name, String oldPassword, String newPassword) throws IOException {
        try {
            stub().setPassword(SetPasswordRequest.newBuilder().setName(name)
                    .setOldPassword(oldPassword == null ? "" : oldPassword).setNewPassword(newPassword).build());
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + name);
        }
    }

    @Override
    public void grant(String user, String volume, GrantRole role) throws IOException {
        try {
            stub().grant(GrantRequest.newBuilder().setUser(user).setVolume(volume).setRole(role(role)).build());
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + user + " on volume " + volume);
        }
    }

    @Override
    public boolean revoke(String user, String volume) throws IOException {
        try {
            return stub().revoke(RevokeRequest.newBuilder().setUser(user).setVolume(volume).build()).getRevoked();
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + user + " on volume " + volume);
        }
    }

    @Override
    public UserKey addKey(String user, String publicKey, String comment) throws IOException {
        try {
            return key(stub().addKey(AddKeyRequest.newBuilder().setUser(user).setPublicKey(publicKey)
                    .setComment(comment == null ? "" : comment).build()).getKey());
        } catch (StatusRuntimeException e) {
            throw failed(e, "key of user " + user);
        }
    }

    @Override
    public List<UserKey> listKeys(String user) throws IOException {
        try {
            return stub().listKeys(ListKeysRequest.newBuilder().setUser(user).build()).getKeysList().stream()
                    .map(GrpcAdminClient::key).toList();
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + user);
        }
    }

    @Override
    public void removeKey(String user, String fingerprint) throws IOException {
        try {
            stub().removeKey(RemoveKeyRequest.newBuilder().setUser(user).setFingerprint(fingerprint).build());
        } catch (StatusRuntimeException e) {
            throw failed(e, "key " + fingerprint + " of user " + user);
        }
    }

    @Override
    public List<TokenInfo> listTokens(String user) throws IOException {
        try {
            return stub().listTokens(ListTokensRequest.newBuilder().setUser(user).build()).getTokensList().stream()
                    .map(t -> new TokenInfo(t.getId(), t.getCreatedAtMillis(), t.getExpiresAtMillis(), t.getRevoked()))
                    .toList();
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + user);
        }
    }

    @Override
    public int revokeTokens(String user, Collection<String> ids) throws IOException {
        try {
            return stub().revokeTokens(RevokeTokensRequest.newBuilder().setUser(user).addAllIds(ids).build())
                    .getRevoked();
        } catch (StatusRuntimeException e) {
            throw failed(e, "user " + user);
        }
    }

    private ClusterAdminServiceGrpc.ClusterAdminServiceBlockingStub cluster() {
        return cluster.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public List<NodeReport> listNodes() throws IOException {
        try {
            ListNodesResponse r = cluster().listNodes(ListNodesRequest.getDefaultInstance());
            List<NodeReport> out = new java.util.ArrayList<>();
            for (int i = 0; i < r.getNodesCount(); i++) {
                NodeUsage u = i < r.getUsageCount() ? r.getUsage(i) : NodeUsage.getDefaultInstance();
                out.add(new NodeReport(GrpcMetadataClient.node(r.getNodes(i)), u.getBlocks(), u.getBlocksOnlyHere()));
            }
            return out;
        } catch (StatusRuntimeException e) {
            throw failed(e, "nodes");
        }
    }

    @Override
    public NodeReport drainNode(String nodeId, boolean cancel) throws IOException {
        try {
            DrainNodeResponse r = cluster().drainNode(DrainNodeRequest.newBuilder().setNodeId(nodeId).setCancel(cancel)
                    .build());
            return new NodeReport(GrpcMetadataClient.node(r.getNode()), r.getBlocksToMove(), r.getBlocksToMove());
        } catch (StatusRuntimeException e) {
            throw failed(e, "node " + nodeId);
        }
    }

    @Override
    public void removeNode(String nodeId) throws IOException {
        try {
            cluster().removeNode(RemoveNodeRequest.newBuilder().setNodeId(nodeId).build());
        } catch (StatusRuntimeException e) {
            throw failed(e, "node " + nodeId);
        }
    }

    @Override
    public VolumeInfo setVolumeRetention(String volume, Duration retention) throws IOException {
        try {
            return GrpcMetadataClient.volume(cluster().setVolumeRetention(SetVolumeRetentionRequest.newBuilder()
                    .setVolume(volume).setRetentionSeconds(retention.toSeconds()).build()).getVolume());
        } catch (StatusRuntimeException e) {
            throw failed(e, "volume " + volume);
        }
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ proto -> domain

    static UserInfo user(User u) {
        return new UserInfo(u.getName(), u.getAdmin(), u.getDisabled(), u.getGrantsList().stream()
                .map(g -> new VolumeGrant(g.getVolume(), role(g.getRole()))).toList(), u.getKeyCount(),
                u.getCreatedAtMillis());
    }

    static UserKey key(io.sklad.proto.v1.UserKey k) {
        return new UserKey(k.getFingerprint(), k.getType(), k.getComment(), k.getAddedAtMillis(), k.getPublicKey());
    }

    static io.sklad.proto.v1.GrantRole role(GrantRole r) {
        return switch (r) {
            case OWNER -> io.sklad.proto.v1.GrantRole.OWNER;
            case READ_WRITE -> io.sklad.proto.v1.GrantRole.READ_WRITE;
            case READ_ONLY -> io.sklad.proto.v1.GrantRole.READ_ONLY;
        };
    }

    static GrantRole role(io.sklad.proto.v1.GrantRole r) {
        return switch (r) {
            case OWNER -> GrantRole.OWNER;
            case READ_WRITE -> GrantRole.READ_WRITE;
            default -> GrantRole.READ_ONLY;
        };
    }
}

package io.sklad.metadata;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.sklad.proto.v1.AuthServiceGrpc;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.LoginResponse;
import io.sklad.proto.v1.NamespaceServiceGrpc;
import io.sklad.proto.v1.NodeInfo;
import io.sklad.proto.v1.NodeServiceGrpc;
import io.sklad.proto.v1.RegisterRequest;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A real master on 127.0.0.1:0 in a temp dir, with an admin session and stubs. */
final class MasterFixture implements AutoCloseable {
    static final String ADMIN_PASSWORD = "correct horse battery staple";

    final MasterConfig config;
    final MasterServer server;
    final ManagedChannel channel;
    final LoginResponse adminLogin;

    MasterFixture(Path dir) {
        this(MasterConfig.defaults(dir).withListenPort(0));
    }

    MasterFixture(MasterConfig config) {
        this.config = config;
        this.server = new MasterServer(config).start();
        server.ensureAdmin(ADMIN_PASSWORD);
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        this.adminLogin = auth().login(LoginRequest.newBuilder().setUser("admin").setPassword(ADMIN_PASSWORD).build());
    }

    AuthServiceGrpc.AuthServiceBlockingStub auth() {
        return AuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    NamespaceServiceGrpc.NamespaceServiceBlockingStub ns() {
        return ns(adminLogin.getToken());
    }

    NamespaceServiceGrpc.NamespaceServiceBlockingStub ns(String token) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return NamespaceServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    NodeServiceGrpc.NodeServiceBlockingStub nodes() {
        return nodes(server.joinToken());
    }

    NodeServiceGrpc.NodeServiceStub nodesAsync() {
        return NodeServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                joinHeader(server.joinToken())));
    }

    NodeServiceGrpc.NodeServiceBlockingStub nodes(String joinToken) {
        return NodeServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(joinHeader(joinToken)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static Metadata joinHeader(String token) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("sklad-join-token", Metadata.ASCII_STRING_MARSHALLER), token);
        return h;
    }

    /** Registers a fake worker with some free space. */
    void registerNode(String id) {
        nodes().register(RegisterRequest.newBuilder().setNode(NodeInfo.newBuilder().setNodeId(id)
                .setAddress("127.0.0.1:" + (9000 + Math.abs(id.hashCode() % 1000)))
                .putLabels("site", "s-" + id).setCapacityBytes(1L << 40).setFreeBytes(1L << 39)).build());
    }

    /** A deterministic fake block id. */
    static ByteString blockId(String seed) {
        try {
            return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(seed.getBytes()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code call}, expects a failure carrying {@code code} in its ErrorDetail, returns the detail. */
    static ErrorDetail expectError(ErrorCode code, Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("expected %s", code).isNotNull();
        com.google.rpc.Status st = StatusProto.fromThrowable(e);
        assertThat(st).isNotNull();
        assertThat(st.getDetailsCount()).isEqualTo(1);
        try {
            ErrorDetail d = st.getDetails(0).unpack(ErrorDetail.class);
            assertThat(d.getCode()).as(d.getMessage()).isEqualTo(code);
            return d;
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }
}

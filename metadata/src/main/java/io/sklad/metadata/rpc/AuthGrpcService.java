package io.sklad.metadata.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.StreamObserver;
import io.sklad.metadata.auth.Authenticator;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.proto.v1.AuthServiceGrpc;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.LoginResponse;
import io.sklad.proto.v1.LogoutRequest;
import io.sklad.proto.v1.LogoutResponse;

import io.grpc.Grpc;
import io.sklad.common.auth.LoginThrottle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * AuthService: open to everyone; Logout revokes the bearer token it is called with. A failed Login is logged
 * and, after {@value #FREE_FAILURES} of a user name or a client address, answered later and later
 * ({@link LoginThrottle}: only the wrong answers wait, so a right password is never queued behind a guesser on
 * the same address). The allowance is wide because the agents' WebDAV and SFTP logins all come from the
 * agent's address and are throttled there first, per end user and end address; the master's own throttle is
 * the floor for clients that call it directly.
 */
public final class AuthGrpcService extends AuthServiceGrpc.AuthServiceImplBase {
    private static final Context.Key<String> BEARER = Context.key("sklad-bearer");
    private static final Context.Key<String> PEER = Context.key("sklad-peer");
    /** Failed logins of one user name or one address answered at once. */
    public static final int FREE_FAILURES = 30;

    private final Authenticator auth;
    private final LoginThrottle throttle;

    public AuthGrpcService(Authenticator auth) {
        this(auth, new LoginThrottle("grpc", FREE_FAILURES, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ofMinutes(15), 10_000, Clock.systemUTC()));
    }

    public AuthGrpcService(Authenticator auth, LoginThrottle throttle) {
        this.auth = auth;
        this.throttle = throttle;
    }

    /** Exposes the (unchecked) bearer token to Logout and the client's address to Login. */
    public static ServerInterceptor bearerCapture() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String token = BearerAuthInterceptor.bearer(headers);
                SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                String peer = remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : String.valueOf(remote);
                return Contexts.interceptCall(Context.current().withValue(BEARER, token).withValue(PEER, peer),
                        call, headers, next);
            }
        };
    }

    @Override
    public void login(LoginRequest r, StreamObserver<LoginResponse> out) {
        String peer = PEER.get();
        try {
            Authenticator.Session s = auth.login(r.getUser(), r.getPassword(), Duration.ofSeconds(r.getTtlSeconds()));
            throttle.succeeded(r.getUser(), peer);
            out.onNext(LoginResponse.newBuilder().setToken(s.token()).setExpiresAtMillis(s.expiresAtMillis())
                    .setAdmin(s.admin()).setChunkToken(s.chunkToken()).build());
            out.onCompleted();
        } catch (MetadataException e) {
            if (e.code() != MetaError.UNAUTHENTICATED) {
                out.onError(GrpcErrors.toStatus(e));
                return;
            }
            Duration wait = throttle.failed(r.getUser(), peer, "password");
            // the answer waits off the calling thread: a guesser ties up no server thread while it waits
            CompletableFuture.runAsync(() -> out.onError(GrpcErrors.toStatus(e)),
                    CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void logout(LogoutRequest r, StreamObserver<LogoutResponse> out) {
        GrpcErrors.unary(out, () -> {
            String token = BEARER.get();
            if (token == null || token.isEmpty()) {
                throw new MetadataException(MetaError.UNAUTHENTICATED, "no token to log out");
            }
            auth.logout(token);
            return LogoutResponse.getDefaultInstance();
        });
    }
}

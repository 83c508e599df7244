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

import java.time.Duration;

/** AuthService: open to everyone; Logout revokes the bearer token it is called with. */
public final class AuthGrpcService extends AuthServiceGrpc.AuthServiceImplBase {
    private static final Context.Key<String> BEARER = Context.key("sklad-bearer");

    private final Authenticator auth;

    public AuthGrpcService(Authenticator auth) {
        this.auth = auth;
    }

    /** Exposes the (unchecked) bearer token to Logout. */
    public static ServerInterceptor bearerCapture() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String token = BearerAuthInterceptor.bearer(headers);
                return Contexts.interceptCall(Context.current().withValue(BEARER, token), call, headers, next);
            }
        };
    }

    @Override
    public void login(LoginRequest r, StreamObserver<LoginResponse> out) {
        GrpcErrors.unary(out, () -> {
            Authenticator.Session s = auth.login(r.getUser(), r.getPassword(), Duration.ofSeconds(r.getTtlSeconds()));
            return LoginResponse.newBuilder().setToken(s.token()).setExpiresAtMillis(s.expiresAtMillis())
                    .setAdmin(s.admin()).setChunkToken(s.chunkToken()).build();
        });
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

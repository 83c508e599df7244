package io.sklad.metadata.rpc;

import io.grpc.stub.StreamObserver;
import io.sklad.metadata.auth.Authenticator;
import io.sklad.proto.v1.AgentAuthServiceGrpc;
import io.sklad.proto.v1.LoginResponse;
import io.sklad.proto.v1.LoginWithKeyRequest;

import java.time.Duration;

/** AgentAuthService: key login for agents holding the join token (checked by {@link JoinTokenInterceptor}). */
public final class AgentAuthGrpcService extends AgentAuthServiceGrpc.AgentAuthServiceImplBase {
    private final Authenticator auth;

    public AgentAuthGrpcService(Authenticator auth) {
        this.auth = auth;
    }

    @Override
    public void loginWithKey(LoginWithKeyRequest r, StreamObserver<LoginResponse> out) {
        GrpcErrors.unary(out, () -> {
            Authenticator.Session s = auth.loginWithKey(r.getUser(), r.getPublicKey(),
                    Duration.ofSeconds(r.getTtlSeconds()));
            return LoginResponse.newBuilder().setToken(s.token()).setExpiresAtMillis(s.expiresAtMillis())
                    .setAdmin(s.admin()).setChunkToken(s.chunkToken()).build();
        });
    }
}

package io.sklad.metadata.rpc;

import io.grpc.stub.StreamObserver;
import io.sklad.metadata.auth.UserAdministration;
import io.sklad.metadata.store.Role;
import io.sklad.metadata.store.TokenInfo;
import io.sklad.metadata.store.UserInfo;
import io.sklad.metadata.store.UserKey;
import io.sklad.proto.v1.AddKeyRequest;
import io.sklad.proto.v1.AddKeyResponse;
import io.sklad.proto.v1.AddUserRequest;
import io.sklad.proto.v1.AddUserResponse;
import io.sklad.proto.v1.AdminServiceGrpc;
import io.sklad.proto.v1.GrantRequest;
import io.sklad.proto.v1.GrantResponse;
import io.sklad.proto.v1.GrantRole;
import io.sklad.proto.v1.ListKeysRequest;
import io.sklad.proto.v1.ListKeysResponse;
import io.sklad.proto.v1.ListTokensRequest;
import io.sklad.proto.v1.ListTokensResponse;
import io.sklad.proto.v1.ListUsersRequest;
import io.sklad.proto.v1.ListUsersResponse;
import io.sklad.proto.v1.RemoveKeyRequest;
import io.sklad.proto.v1.RemoveKeyResponse;
import io.sklad.proto.v1.RemoveUserRequest;
import io.sklad.proto.v1.RemoveUserResponse;
import io.sklad.proto.v1.RevokeRequest;
import io.sklad.proto.v1.RevokeResponse;
import io.sklad.proto.v1.RevokeTokensRequest;
import io.sklad.proto.v1.RevokeTokensResponse;
import io.sklad.proto.v1.SetPasswordRequest;
import io.sklad.proto.v1.SetPasswordResponse;
import io.sklad.proto.v1.SetUserDisabledRequest;
import io.sklad.proto.v1.SetUserDisabledResponse;
import io.sklad.proto.v1.User;
import io.sklad.proto.v1.VolumeGrant;

/** AdminService: each call resolves the caller and makes one {@link UserAdministration} call. */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
    private final UserAdministration admin;

    public AdminGrpcService(UserAdministration admin) {
        this.admin = admin;
    }

    @Override
    public void addUser(AddUserRequest r, StreamObserver<AddUserResponse> out) {
        GrpcErrors.unary(out, () -> AddUserResponse.newBuilder().setUser(user(admin.addUser(CallerContext.current(),
                r.getName(), r.getPassword(), r.getAdmin()))).build());
    }

    @Override
    public void listUsers(ListUsersRequest r, StreamObserver<ListUsersResponse> out) {
        GrpcErrors.unary(out, () -> {
            ListUsersResponse.Builder b = ListUsersResponse.newBuilder();
            admin.listUsers(CallerContext.current()).forEach(u -> b.addUsers(user(u)));
            return b.build();
        });
    }

    @Override
    public void setUserDisabled(SetUserDisabledRequest r, StreamObserver<SetUserDisabledResponse> out) {
        GrpcErrors.unary(out, () -> {
            admin.setUserDisabled(CallerContext.current(), r.getName(), r.getDisabled());
            return SetUserDisabledResponse.getDefaultInstance();
        });
    }

    @Override
    public void removeUser(RemoveUserRequest r, StreamObserver<RemoveUserResponse> out) {
        GrpcErrors.unary(out, () -> {
            admin.removeUser(CallerContext.current(), r.getName());
            return RemoveUserResponse.getDefaultInstance();
        });
    }

    @Override
    public void setPassword(SetPasswordRequest r, StreamObserver<SetPasswordResponse> out) {
        GrpcErrors.unary(out, () -> {
            admin.setPassword(CallerContext.current(), CallerContext.tokenId(), r.getName(), r.getOldPassword(),
                    r.getNewPassword());
            return SetPasswordResponse.getDefaultInstance();
        });
    }

    @Override
    public void grant(GrantRequest r, StreamObserver<GrantResponse> out) {
        GrpcErrors.unary(out, () -> {
            admin.grant(CallerContext.current(), r.getUser(), r.getVolume(), role(r.getRole()));
            return GrantResponse.getDefaultInstance();
        });
    }

    @Override
    public void revoke(RevokeRequest r, StreamObserver<RevokeResponse> out) {
        GrpcErrors.unary(out, () -> RevokeResponse.newBuilder()
                .setRevoked(admin.revoke(CallerContext.current(), r.getUser(), r.getVolume())).build());
    }

    @Override
    public void addKey(AddKeyRequest r, StreamObserver<AddKeyResponse> out) {
        GrpcErrors.unary(out, () -> AddKeyResponse.newBuilder().setKey(key(admin.addKey(CallerContext.current(),
                r.getUser(), r.getPublicKey(), r.getComment()))).build());
    }

    @Override
    public void listKeys(ListKeysRequest r, StreamObserver<ListKeysResponse> out) {
        GrpcErrors.unary(out, () -> {
            ListKeysResponse.Builder b = ListKeysResponse.newBuilder();
            admin.listKeys(CallerContext.current(), r.getUser()).forEach(k -> b.addKeys(key(k)));
            return b.build();
        });
    }

    @Override
    public void removeKey(RemoveKeyRequest r, StreamObserver<RemoveKeyResponse> out) {
        GrpcErrors.unary(out, () -> {
            admin.removeKey(CallerContext.current(), r.getUser(), r.getFingerprint());
            return RemoveKeyResponse.getDefaultInstance();
        });
    }

    @Override
    public void listTokens(ListTokensRequest r, StreamObserver<ListTokensResponse> out) {
        GrpcErrors.unary(out, () -> {
            ListTokensResponse.Builder b = ListTokensResponse.newBuilder();
            admin.listTokens(CallerContext.current(), r.getUser()).forEach(t -> b.addTokens(token(t)));
            return b.build();
        });
    }

    @Override
    public void revokeTokens(RevokeTokensRequest r, StreamObserver<RevokeTokensResponse> out) {
        GrpcErrors.unary(out, () -> RevokeTokensResponse.newBuilder()
                .setRevoked(admin.revokeTokens(CallerContext.current(), r.getUser(), r.getIdsList())).build());
    }

    // ------------------------------------------------------------------ mapping

    /** Null for UNSPECIFIED (refused by the administration rules). */
    static Role role(GrantRole r) {
        return switch (r) {
            case OWNER -> Role.OWNER;
            case READ_WRITE -> Role.READ_WRITE;
            case READ_ONLY -> Role.READ_ONLY;
            default -> null;
        };
    }

    static GrantRole role(Role r) {
        return switch (r) {
            case OWNER -> GrantRole.OWNER;
            case READ_WRITE -> GrantRole.READ_WRITE;
            case READ_ONLY -> GrantRole.READ_ONLY;
        };
    }

    static User user(UserInfo u) {
        User.Builder b = User.newBuilder().setName(u.name()).setAdmin(u.admin()).setDisabled(u.disabled())
                .setKeyCount(u.keyCount()).setCreatedAtMillis(u.createdAtMillis());
        u.grants().forEach(g -> b.addGrants(VolumeGrant.newBuilder().setVolume(g.volume()).setRole(role(g.role()))));
        return b.build();
    }

    static io.sklad.proto.v1.UserKey key(UserKey k) {
        return io.sklad.proto.v1.UserKey.newBuilder().setFingerprint(k.fingerprint()).setType(k.type())
                .setComment(k.comment()).setAddedAtMillis(k.addedAtMillis()).setPublicKey(k.publicKey()).build();
    }

    static io.sklad.proto.v1.TokenInfo token(TokenInfo t) {
        return io.sklad.proto.v1.TokenInfo.newBuilder().setId(t.id()).setCreatedAtMillis(t.createdAtMillis())
                .setExpiresAtMillis(t.expiresAtMillis()).setRevoked(t.revoked()).build();
    }
}

package io.sklad.chunkstore.rpc;

import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.sklad.chunkstore.store.CorruptBlockException;
import io.sklad.chunkstore.store.ReadOnlyStoreException;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import java.nio.file.NoSuchFileException;

/**
 * The wire error contract (docs/architecture.md, "Errors on the wire"): a gRPC status carrying
 * one packed {@link ErrorDetail}.
 */
public final class GrpcErrors {
    private GrpcErrors() {
    }

    /** A status exception for {@code code} with a packed {@link ErrorDetail}. */
    public static StatusRuntimeException error(ErrorCode code, String message) {
        return error(code, message, "");
    }

    /** As {@link #error(ErrorCode, String)}, naming the thing the error is about (a block id). */
    public static StatusRuntimeException error(ErrorCode code, String message, String path) {
        ErrorDetail detail = ErrorDetail.newBuilder()
                .setCode(code)
                .setMessage(message == null ? "" : message)
                .setPath(path == null ? "" : path)
                .build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(statusCode(code).value())
                .setMessage(message == null ? "" : message)
                .addDetails(Any.pack(detail))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /** The gRPC status code that carries {@code code}. */
    public static Status.Code statusCode(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case CONFLICT -> Status.Code.ABORTED;
            case ACCESS_DENIED -> Status.Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case NO_SPACE -> Status.Code.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case CORRUPT -> Status.Code.DATA_LOSS;
            case NOT_SUPPORTED -> Status.Code.UNIMPLEMENTED;
            case INVALID_NAME, INVALID_ARGUMENT, UNKNOWN_VOLUME -> Status.Code.INVALID_ARGUMENT;
            default -> Status.Code.FAILED_PRECONDITION;
        };
    }

    /** Maps a store failure to the wire. */
    public static StatusRuntimeException fromException(Throwable t) {
        if (t instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (t instanceof CorruptBlockException e) {
            return error(ErrorCode.CORRUPT, e.getReason(), e.blockId().toHex());
        }
        if (t instanceof NoSuchFileException e) {
            return error(ErrorCode.NOT_FOUND, "block not found", e.getFile());
        }
        if (t instanceof ReadOnlyStoreException e) {
            return error(ErrorCode.NO_SPACE, "worker takes no new blocks: " + e.getReason());
        }
        if (t instanceof IllegalArgumentException) {
            return error(ErrorCode.INVALID_ARGUMENT, t.getMessage());
        }
        // An I/O failure of this worker: the client should try another replica.
        return error(ErrorCode.UNAVAILABLE, "worker storage error: " + t);
    }

    /** The {@link ErrorDetail} of a failed call, or null when it carries none. */
    public static ErrorDetail detailOf(Throwable t) {
        com.google.rpc.Status status = StatusProto.fromThrowable(t);
        if (status == null) {
            return null;
        }
        for (Any any : status.getDetailsList()) {
            if (any.is(ErrorDetail.class)) {
                try {
                    return any.unpack(ErrorDetail.class);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }
}

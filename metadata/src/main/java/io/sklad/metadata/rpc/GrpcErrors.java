package io.sklad.metadata.rpc;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.sklad.metadata.store.MetaError;
import io.sklad.metadata.store.MetadataException;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/** The wire error contract: a gRPC status carrying one packed {@link ErrorDetail}. */
public final class GrpcErrors {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    /** Runs a unary call: its result or its failure goes to {@code out}. */
    static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            out.onError(toStatus(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof MetadataException m) {
            return status(m.code(), m.getMessage(), m.path(), m.otherPath());
        }
        LOG.error("unexpected failure in a master call", t);
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Code.INTERNAL_VALUE).setMessage("internal error in the master").build());
    }

    public static StatusRuntimeException status(MetaError code, String message, String path, String otherPath) {
        ErrorDetail.Builder detail = ErrorDetail.newBuilder().setCode(ErrorCode.valueOf(code.name()))
                .setMessage(message == null ? "" : message);
        if (path != null) {
            detail.setPath(path);
        }
        if (otherPath != null) {
            detail.setOtherPath(otherPath);
        }
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(grpcCode(code).value())
                .setMessage(message == null ? code.name() : message)
                .addDetails(Any.pack(detail.build()))
                .build());
    }

    static io.grpc.Status.Code grpcCode(MetaError code) {
        return switch (code) {
            case NOT_FOUND -> io.grpc.Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> io.grpc.Status.Code.ALREADY_EXISTS;
            case CONFLICT -> io.grpc.Status.Code.ABORTED;
            case ACCESS_DENIED -> io.grpc.Status.Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> io.grpc.Status.Code.UNAUTHENTICATED;
            case NO_SPACE -> io.grpc.Status.Code.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> io.grpc.Status.Code.UNAVAILABLE;
            case CORRUPT -> io.grpc.Status.Code.DATA_LOSS;
            case NOT_SUPPORTED -> io.grpc.Status.Code.UNIMPLEMENTED;
            case INVALID_NAME, INVALID_ARGUMENT, UNKNOWN_VOLUME -> io.grpc.Status.Code.INVALID_ARGUMENT;
            default -> io.grpc.Status.Code.FAILED_PRECONDITION;
        };
    }
}

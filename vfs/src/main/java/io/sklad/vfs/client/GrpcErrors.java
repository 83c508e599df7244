package io.sklad.vfs.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.ErrorDetail;
import io.sklad.vfs.SkladReasons;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns a failed gRPC call into the exact {@code java.nio.file} exception, following "Errors on the wire"
 * in docs/architecture.md: the packed {@link ErrorDetail} decides; the bare status code is the fallback.
 */
final class GrpcErrors {

    private GrpcErrors() {
    }

    /**
     * @param volume      volume of the call, to show full paths ({@code /VOLUME/path}); null for none
     * @param defaultPath path to name when the detail carries none (volume-internal), or null
     */
    static IOException map(Throwable t, String volume, String defaultPath) {
        Status status = Status.fromThrowable(t);
        ErrorDetail detail = detailOf(t);
        String path = display(volume, detail != null && !detail.getPath().isEmpty() ? detail.getPath() : defaultPath);
        String other = detail != null && !detail.getOtherPath().isEmpty() ? display(volume, detail.getOtherPath()) : null;
        String message = detail != null && !detail.getMessage().isEmpty() ? detail.getMessage()
                : status.getDescription() != null ? status.getDescription() : status.getCode().name();
        ErrorCode code = detail != null ? detail.getCode() : fromStatus(status.getCode());
        IOException e = switch (code) {
            case NOT_FOUND -> new NoSuchFileException(path, other, null);
            case UNKNOWN_VOLUME -> new NoSuchFileException(path, other, "Unknown volume");
            case ALREADY_EXISTS -> new FileAlreadyExistsException(path, other, null);
            case NOT_DIRECTORY -> new NotDirectoryException(path);
            case IS_DIRECTORY -> new FileSystemException(path, other, SkladReasons.IS_DIRECTORY);
            case NOT_EMPTY -> new DirectoryNotEmptyException(path);
            case INVALID_NAME -> new FileSystemException(path, other, SkladReasons.INVALID_NAME);
            case ACCESS_DENIED -> new AccessDeniedException(path, other, message);
            case UNAUTHENTICATED -> new AccessDeniedException(path, other, SkladReasons.UNAUTHENTICATED + ": " + message);
            case CONFLICT -> new FileSystemException(path, other, SkladReasons.CONFLICT + message);
            case NO_SPACE -> new FileSystemException(path, other, SkladReasons.NO_SPACE);
            case NOT_SUPPORTED -> new FileSystemException(path, other, SkladReasons.NOT_SUPPORTED);
            case CORRUPT -> new FileSystemException(path, other, SkladReasons.CORRUPT + ": " + message);
            case UNAVAILABLE -> new FileSystemException(path, other, SkladReasons.UNAVAILABLE + ": " + message);
            case INVALID_ARGUMENT -> new FileSystemException(path, other, SkladReasons.INVALID_ARGUMENT + ": " + message);
            default -> new FileSystemException(path, other, message);
        };
        e.initCause(t);
        return e;
    }

    /** The error code of a failed call (detail first, then status), for callers that branch on it. */
    static ErrorCode codeOf(Throwable t) {
        ErrorDetail detail = detailOf(t);
        return detail != null ? detail.getCode() : fromStatus(Status.fromThrowable(t).getCode());
    }

    private static ErrorDetail detailOf(Throwable t) {
        com.google.rpc.Status status = StatusProto.fromThrowable(t);
        if (status == null) {
            return null;
        }
        for (Any any : status.getDetailsList()) {
            if (any.is(ErrorDetail.class)) {
                try {
                    return any.unpack(ErrorDetail.class);
                } catch (InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static ErrorCode fromStatus(Status.Code code) {
        return switch (code) {
            case NOT_FOUND -> ErrorCode.NOT_FOUND;
            case ALREADY_EXISTS -> ErrorCode.ALREADY_EXISTS;
            case ABORTED -> ErrorCode.CONFLICT;
            case PERMISSION_DENIED -> ErrorCode.ACCESS_DENIED;
            case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
            case RESOURCE_EXHAUSTED -> ErrorCode.NO_SPACE;
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> ErrorCode.UNAVAILABLE;
            case DATA_LOSS -> ErrorCode.CORRUPT;
            case UNIMPLEMENTED -> ErrorCode.NOT_SUPPORTED;
            case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
            default -> ErrorCode.ERROR_CODE_UNSPECIFIED;
        };
    }

    private static String display(String volume, String path) {
        if (volume == null || volume.isEmpty()) {
            return path;
        }
        if (path == null || path.isEmpty() || path.equals("/")) {
            return "/" + volume;
        }
        return "/" + volume + (path.startsWith("/") ? path : "/" + path);
    }
}

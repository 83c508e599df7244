package io.sklad.cli.io;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * Turns any failure of a command into one clear line on stderr and a non-zero exit code;
 * the stack trace only with {@code --verbose}.
 */
public final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    /** Exit code for usage errors (bad flags, missing arguments). */
    public static final int USAGE = 2;
    /** Exit code for a failed operation. */
    public static final int FAILED = 1;

    private final boolean verbose;

    public ErrorReporter(boolean verbose) {
        this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println("sklad " + cmd.getCommandName() + ": " + describe(ex));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ex instanceof UsageException ? USAGE : FAILED;
    }

    public int handleParameterError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("sklad " + cmd.getCommandName() + ": " + ex.getMessage());
        err.println("Try 'sklad " + cmd.getCommandSpec().qualifiedName().replaceFirst("^sklad ?", "") + " --help'.");
        err.flush();
        return USAGE;
    }

    /** One line saying what went wrong, in the words of the file system where possible. */
    public static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.io.UncheckedIOException
                || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file or directory";
        }
        if (t instanceof FileAlreadyExistsException e) {
            return e.getFile() + ": already exists";
        }
        if (t instanceof DirectoryNotEmptyException e) {
            return e.getFile() + ": directory not empty";
        }
        if (t instanceof NotDirectoryException e) {
            return e.getFile() + ": not a directory";
        }
        if (t instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied" + (e.getReason() == null ? "" : " (" + e.getReason() + ")");
        }
        if (t instanceof FileSystemException e) {
            String where = e.getFile() == null ? "" : e.getFile() + ": ";
            return where + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason());
        }
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
    }

    /** A usage mistake found after parsing (e.g. incompatible arguments). */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}

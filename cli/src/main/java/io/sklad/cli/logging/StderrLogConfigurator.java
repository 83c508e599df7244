package io.sklad.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The command's logging, set up in code rather than from a {@code logback.xml}: parsing XML costs every
 * one-shot {@code sklad ls} a few hundred milliseconds of class loading, and backup scripts run many of
 * them. Logs go to stderr (stdout is for what the command prints: tables, JSON, ids). {@code io.sklad}
 * logs at {@code -Dsklad.log.level} (INFO for the servers, WARN otherwise); the libraries at WARN.
 */
public final class StderrLogConfigurator extends ContextAwareBase implements Configurator {

    private static final Map<String, Level> LIBRARIES = Map.of(
            "io.grpc", Level.WARN,
            "io.netty", Level.WARN,
            "org.eclipse.jetty", Level.WARN,
            "io.milton", Level.WARN,
            "org.apache.sshd", Level.WARN,
            // MINA logs every client that hangs up mid-transfer as an error with a stack trace
            "org.apache.sshd.sftp.server.SftpSubsystem", Level.ERROR,
            "org.flywaydb", Level.WARN,
            "com.zaxxer.hikari", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        encoder.start();

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("ERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("io.sklad").setLevel(Level.toLevel(System.getProperty("sklad.log.level"), Level.WARN));
        LIBRARIES.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}

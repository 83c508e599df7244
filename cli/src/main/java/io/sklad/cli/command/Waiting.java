package io.sklad.cli.command;

import java.util.concurrent.CountDownLatch;

/** Keeps a server command in the foreground until the JVM is asked to stop (SIGINT/SIGTERM). */
final class Waiting {

    private Waiting() {
    }

    static void untilShutdown() throws InterruptedException {
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown, "sklad-wait"));
        forever.await();
    }
}

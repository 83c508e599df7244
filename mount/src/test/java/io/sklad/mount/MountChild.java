package io.sklad.mount;

import java.nio.file.Path;

/** A separate JVM that mounts and then waits to be killed: how a stale mount comes about. */
public final class MountChild {

    private MountChild() {
    }

    public static void main(String[] args) throws Exception {
        FuseMount.mount(Path.of(args[0]), Path.of(args[1]), MountOptions.defaults());
        System.out.println("MOUNTED");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

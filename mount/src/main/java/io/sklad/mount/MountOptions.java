package io.sklad.mount;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.sklad.mount.fs.Owner;

/**
 * How {@link FuseMount} mounts.
 *
 * @param fsName             shown as the source ({@code fsname}) and type ({@code fuse.<subtype>})
 *                           in {@code mount} and {@code df}
 * @param bigWrites          {@code -o big_writes}: writes arrive in 128 KiB pieces instead of 4 KiB
 *                           (about 3× the throughput)
 * @param defaultPermissions {@code -o default_permissions}: the kernel checks mode bits and owners
 * @param allowOther         {@code -o allow_other}: users other than the mounting one may enter;
 *                           for non-root it needs {@code user_allow_other} in {@code /etc/fuse.conf}
 * @param singleThreaded     {@code -s}: one libfuse thread; often faster for large sequential
 *                           I/O, worth measuring against the multi-threaded default
 * @param nonEmpty           {@code -o nonempty}: allow mounting over a directory with entries
 * @param debug              {@code -d}: libfuse prints every request to stderr
 * @param mountTimeout       how long to wait for the mount to appear in {@code /proc/self/mountinfo}
 * @param unmountTimeout     how long {@code close()} waits for the FUSE loop to end
 * @param extraOptions       further {@code -o} options, passed as they are
 */
public record MountOptions(String fsName, boolean bigWrites, boolean defaultPermissions,
                           boolean allowOther, boolean singleThreaded, boolean nonEmpty,
                           boolean debug, Duration mountTimeout, Duration unmountTimeout,
                           List<String> extraOptions) {

    public MountOptions {
        Objects.requireNonNull(fsName, "fsName");
        if (fsName.isEmpty() || !fsName.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("fsName must be a plain word: " + fsName);
        }
        Objects.requireNonNull(mountTimeout, "mountTimeout");
        Objects.requireNonNull(unmountTimeout, "unmountTimeout");
        extraOptions = List.copyOf(extraOptions);
        for (String option : extraOptions) {
            if (!OPTION.matcher(option).matches()) {
                throw new IllegalArgumentException("not a mount option (one per element, NAME or NAME=VALUE"
                        + " of letters, digits and . _ - /): " + option);
            }
        }
    }

    /** One {@code -o} option as libfuse and the kernel take it; anything else could smuggle a second option in. */
    private static final java.util.regex.Pattern OPTION =
            java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]*(=[A-Za-z0-9_./-]+)?");

    /**
     * {@code sklad}, big writes, default permissions, {@code allow_other} when running as root,
     * multi-threaded, 10 s to mount and to unmount.
     */
    public static MountOptions defaults() {
        return new MountOptions("sklad", true, true, Owner.ofCurrentProcess().uid() == 0,
                false, false, false, Duration.ofSeconds(10), Duration.ofSeconds(10), List.of());
    }

    /** These options, single-threaded or not. */
    public MountOptions withSingleThreaded(boolean value) {
        return new MountOptions(fsName, bigWrites, defaultPermissions, allowOther, value, nonEmpty,
                debug, mountTimeout, unmountTimeout, extraOptions);
    }

    /** These options with another mount timeout. */
    public MountOptions withMountTimeout(Duration value) {
        return new MountOptions(fsName, bigWrites, defaultPermissions, allowOther, singleThreaded,
                nonEmpty, debug, value, unmountTimeout, extraOptions);
    }

    /**
     * These options with further {@code -o} options given by the user ({@code sklad mount -o ro,attr_timeout=10}),
     * passed to libfuse after Sklad's own, so the user's win where both set the same one.
     */
    public MountOptions withExtraOptions(List<String> options) {
        List<String> all = new java.util.ArrayList<>(extraOptions);
        all.addAll(options);
        return new MountOptions(fsName, bigWrites, defaultPermissions, allowOther, singleThreaded,
                nonEmpty, debug, mountTimeout, unmountTimeout, all);
    }

    /** The libfuse command-line arguments after the mount point. */
    List<String> toFuseArguments() {
        StringBuilder o = new StringBuilder("fsname=").append(fsName).append(",subtype=").append(fsName);
        // open(O_TRUNC) arrives as one open with the flag instead of a truncate and then an open:
        // the file is emptied inside the open file and committed once, at flush, so an overwrite
        // neither commits an empty version nor shows other agents an empty file in between.
        o.append(",atomic_o_trunc");
        if (bigWrites) {
            o.append(",big_writes");
        }
        if (defaultPermissions) {
            o.append(",default_permissions");
        }
        if (allowOther) {
            o.append(",allow_other");
        }
        if (nonEmpty) {
            o.append(",nonempty");
        }
        extraOptions.forEach(x -> o.append(',').append(x));
        return singleThreaded ? List.of("-s", "-o", o.toString()) : List.of("-o", o.toString());
    }
}

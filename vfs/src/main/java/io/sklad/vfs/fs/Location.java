package io.sklad.vfs.fs;

/**
 * A checked absolute path split for the master: the volume ({@code null} for the file system root) and
 * the volume-internal path ({@code "/"} for the volume root).
 */
record Location(SkladPath path, String volume, String inVolume) {

    boolean isRoot() {
        return volume == null;
    }

    boolean isVolumeRoot() {
        return volume != null && inVolume.equals("/");
    }

    boolean sameAs(Location o) {
        return java.util.Objects.equals(volume, o.volume) && inVolume.equals(o.inVolume);
    }
}

package io.sklad.metadata.store;

/** Owner and permission bits for a new entry; mode 0 takes the kind's default (0644 / 0755 / 0777). */
public record NewAttributes(int mode, int uid, int gid) {
    public static NewAttributes defaults() {
        return new NewAttributes(0, 0, 0);
    }
}

package io.sklad.vfs.fs;

import org.junit.jupiter.api.Test;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Path parsing; the file system is a stub here (no cluster): paths never touch it. */
class SkladPathTest {

    private final PathFixture fx = new PathFixture();

    @org.junit.jupiter.api.AfterEach
    void close() throws java.io.IOException {
        fx.close();
    }

    private Path p(String s) {
        return fx.path(s);
    }

    @Test
    void parsesAndCollapsesSlashes() {
        assertThat(p("//main///dir//file/").toString()).isEqualTo("/main/dir/file");
        assertThat(p("/").toString()).isEqualTo("/");
        assertThat(p("").toString()).isEmpty();
        assertThat(p("/main/dir/file").getNameCount()).isEqualTo(3);
        assertThat(p("/").getNameCount()).isZero();
        assertThat(p("/main/dir/file").getName(1).toString()).isEqualTo("dir");
        assertThat(p("/main/dir/file").subpath(1, 3).toString()).isEqualTo("dir/file");
    }

    @Test
    void nulIsRefused() {
        assertThatThrownBy(() -> p("/main/a\0b")).isInstanceOf(InvalidPathException.class);
    }

    @Test
    void rootParentAndFileName() {
        Path file = p("/main/dir/file");
        assertThat(file.isAbsolute()).isTrue();
        assertThat(file.getRoot()).isEqualTo(p("/"));
        assertThat(file.getParent()).isEqualTo(p("/main/dir"));
        assertThat(file.getFileName()).isEqualTo(p("file"));
        assertThat(p("/main").getParent()).isEqualTo(p("/"));
        assertThat(p("/").getParent()).isNull();
        assertThat(p("/").getFileName()).isNull();
        assertThat(p("a").getParent()).isNull();
        assertThat(p("a/b").isAbsolute()).isFalse();
        assertThat(p("a/b").getRoot()).isNull();
    }

    @Test
    void resolveRelativizeNormalize() {
        assertThat(p("/main").resolve("dir/file")).isEqualTo(p("/main/dir/file"));
        assertThat(p("/main").resolve("/other")).isEqualTo(p("/other"));
        assertThat(p("/").resolve("main")).isEqualTo(p("/main"));
        assertThat(p("/main/dir").resolveSibling("x")).isEqualTo(p("/main/x"));
        assertThat(p("/main/a/b").relativize(p("/main/c"))).isEqualTo(p("../../c"));
        assertThat(p("/main/a/./b/../c").normalize()).isEqualTo(p("/main/a/c"));
        assertThat(p("/../main").normalize()).isEqualTo(p("/main"));
        assertThat(p("../a/../../b").normalize()).isEqualTo(p("../../b"));
        assertThat(p("a").toAbsolutePath()).isEqualTo(p("/a"));
        assertThatThrownBy(() -> p("/a").relativize(p("b"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void startsAndEndsWith() {
        Path file = p("/main/dir/file");
        assertThat(file.startsWith(p("/main"))).isTrue();
        assertThat(file.startsWith("/main/dir")).isTrue();
        assertThat(file.startsWith(p("/mai"))).isFalse();
        assertThat(file.startsWith(p("main"))).isFalse();
        assertThat(file.endsWith("dir/file")).isTrue();
        assertThat(file.endsWith("ir/file")).isFalse();
        assertThat(file.endsWith("/main/dir/file")).isTrue();
    }

    @Test
    void uriRoundTrip() {
        assertThat(p("/main/a b").toUri().toString()).isEqualTo("sklad://127.0.0.1:1/main/a%20b");
    }

    @Test
    void iteratesNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        p("/main/dir/file").forEach(n -> names.add(n.toString()));
        assertThat(names).containsExactly("main", "dir", "file");
    }

    @Test
    void globsMatchLikeTheJdk() {
        var fs = fx.fs();
        assertThat(fs.getPathMatcher("glob:*.txt").matches(p("a.txt"))).isTrue();
        assertThat(fs.getPathMatcher("glob:*.txt").matches(p("dir/a.txt"))).isFalse();
        assertThat(fs.getPathMatcher("glob:**/*.txt").matches(p("/main/dir/a.txt"))).isTrue();
        assertThat(fs.getPathMatcher("glob:*.{txt,md}").matches(p("x.md"))).isTrue();
        assertThat(fs.getPathMatcher("glob:file?[0-9]").matches(p("fileA7"))).isTrue();
        assertThat(fs.getPathMatcher("glob:file[!0-9]").matches(p("file7"))).isFalse();
        assertThat(fs.getPathMatcher("glob:a\\*b").matches(p("a*b"))).isTrue();
        assertThat(fs.getPathMatcher("glob:a.b").matches(p("axb"))).isFalse();
        assertThat(fs.getPathMatcher("regex:.*\\.log").matches(p("/x/y.log"))).isTrue();
    }
}

package io.sklad.tests.harness;

/** What a finished command printed and returned. */
public record CommandResult(int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
}

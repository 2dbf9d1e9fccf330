package dev.mnemo.bench.gpu;

import java.io.PrintStream;

/** What the runner's subcommands share in reading their options. */
final class BenchArgs {
    private BenchArgs() {
    }

    /**
     * The value of a count option such as {@code --repeats}: the integer when it is one and at least 1;
     * else -1, after saying why on {@code err} (the subcommand then exits 2).
     */
    static int atLeastOne(String option, String value, PrintStream err) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            err.println("gpu-bench: " + option + " must be an integer >= 1, got " + value);
            return -1;
        }
        return n;
    }
}

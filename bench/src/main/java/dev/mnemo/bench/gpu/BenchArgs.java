package dev.mnemo.bench.gpu;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** What the runner's subcommands share in reading their options. */
final class BenchArgs {
    private BenchArgs() {
    }

    /**
     * The value of a count option such as {@code --repeats}: the integer when it is one and at least 1;
     * else -1, after saying why on {@code err} (the subcommand then exits 2).
     */
    static int atLeastOne(String option, String value, PrintStream err) {
        try {
            return count(option, value);
        } catch (IllegalArgumentException e) {
            err.println("gpu-bench: " + e.getMessage());
            return -1;
        }
    }

    /** The value of a count option: an integer >= 1, else an IllegalArgumentException that says so. */
    static int count(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " must be an integer >= 1, got " + value);
    }

    /** A comma-separated list of names, each stripped and one of {@code known} (an unknown one was dropped). */
    static List<String> names(String option, String value, List<String> known) {
        List<String> out = new ArrayList<>();
        for (String n : value.split(",")) {
            String name = n.strip();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(option + " must name some of " + String.join(", ", known) + ", got '"
                        + name + "'");
            }
            out.add(name);
        }
        return out;
    }
}

package dev.mnemo.bench.dl4j;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@link CpuVersusDl4j}.
 *
 * @param shapes       the cases, in order
 * @param rounds       timed rounds per shape (each times both sides once per metric)
 * @param warmup       untimed rounds per shape first
 * @param dl4jThreads  ND4J's OpenMP / BLAS threads
 * @param mnemoThreads Mnemo's system-BLAS threads (its fork-join pool is the JVM's common pool)
 * @param optimizer    the update rule on both sides
 * @param seed         data and weight seed
 * @param out          the Markdown report; the raw samples go beside it as {@code .csv}; null: stdout only
 */
record RunSettings(List<BenchShape> shapes, int rounds, int warmup, int dl4jThreads, int mnemoThreads,
                   OptimizerKind optimizer, long seed, Path out) {

    static final String USAGE = """
            Usage: CpuVersusDl4j [options]
              --shapes S         anchors (default) or a comma-separated list of TxBxIxH, e.g. 100x64x128x128
              --rounds N         timed rounds per shape (default 10); each times both sides, alternating who goes first
              --warmup N         untimed rounds per shape before them (default 3)
              --dl4j-threads N   ND4J's OpenMP and BLAS threads (default 1: faster than 2 on 2 cores, cpu-anchors.md);
                                 also export OMP_NUM_THREADS=N before the JVM starts (scripts/cpu-vs-dl4j.sh does)
              --mnemo-threads N  Mnemo's system-BLAS threads (default: available processors)
              --optimizer O      sgd (default, lr 0.01) or adam (lr 1e-3), the same on both sides
              --seed N           data and weight seed (default 1)
              --out FILE         write the Markdown report there and the raw samples to FILE with .csv
            """;

    RunSettings {
        if (rounds < 1 || warmup < 0 || dl4jThreads < 1 || mnemoThreads < 1) {
            throw new IllegalArgumentException("rounds, dl4j-threads and mnemo-threads must be >= 1 and warmup >= 0,"
                    + " got rounds " + rounds + ", warmup " + warmup + ", dl4j-threads " + dl4jThreads
                    + ", mnemo-threads " + mnemoThreads);
        }
        shapes = List.copyOf(shapes);
    }

    /** Parses {@code args}; throws IllegalArgumentException naming the bad option. */
    static RunSettings parse(String[] args) {
        List<BenchShape> shapes = BenchShape.ANCHORS;
        int rounds = 10;
        int warmup = 3;
        int dl4jThreads = 1;
        int mnemoThreads = Runtime.getRuntime().availableProcessors();
        OptimizerKind optimizer = OptimizerKind.SGD;
        long seed = 1;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--shapes" -> shapes = BenchShape.parseList(value);
                case "--rounds" -> rounds = integer(flag, value);
                case "--warmup" -> warmup = integer(flag, value);
                case "--dl4j-threads" -> dl4jThreads = integer(flag, value);
                case "--mnemo-threads" -> mnemoThreads = integer(flag, value);
                case "--optimizer" -> optimizer = OptimizerKind.parse(value);
                case "--seed" -> seed = integer(flag, value);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new RunSettings(shapes, rounds, warmup, dl4jThreads, mnemoThreads, optimizer, seed, out);
    }

    private static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + value + "'", e);
        }
    }

    /** Thrown by {@link #parse} for {@code --help}. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }
}

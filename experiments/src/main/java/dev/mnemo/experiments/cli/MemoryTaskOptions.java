package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.MemNetModel;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options {@code --cell memnet} and the memory tasks (symbolic, bAbI) add to {@code mnemo train},
 * as one picocli mixin so that {@link TrainCommand} only has to include it.
 */
final class MemoryTaskOptions {

    @Option(names = "--slots", paramLabel = "M", description = "memnet: events held in memory, M >= 1 (default 8)")
    Integer slots;

    @Option(names = "--key-width", description = "memnet: query and key width d_k (default: --hidden)")
    Integer keyWidth;

    @Option(names = "--value-width", description = "memnet: value width d_v (default: --hidden)")
    Integer valueWidth;

    @Option(names = "--alphabet", description = "copy, reverse: symbols; recall: keys and values, each (default 8)")
    Integer alphabet;

    @Option(names = "--lengths", paramLabel = "MIN..MAX", description = "copy, reverse, parity: string lengths "
            + "(default 1..6 copy/reverse, 1..10 parity); recall: (key, value) pairs (default 2..4)")
    String lengths;

    @Option(names = "--train-size", defaultValue = "2000",
            description = "symbolic tasks: fresh training sequences per epoch (default ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--test-size", defaultValue = "1000",
            description = "symbolic tasks: test sequences, drawn once from another seed (default ${DEFAULT-VALUE})")
    int testSize;

    @Option(names = "--stories", defaultValue = "200",
            description = "babi-qaN: generated training stories, 5 questions each (default ${DEFAULT-VALUE})")
    int stories;

    @Option(names = "--test-stories", defaultValue = "100",
            description = "babi-qaN: generated test stories (default ${DEFAULT-VALUE})")
    int testStories;

    @Option(names = "--max-facts", defaultValue = "50",
            description = "babi-qaN: facts kept before each question, the latest (default ${DEFAULT-VALUE}, as "
                    + "MemN2N: every fact of a generated story; fewer cut some questions' supporting facts, and "
                    + "config.txt says how many)")
    int maxFacts;

    /**
     * {@code params} plus the memnet sizes given on the command line (the model reads them from the
     * run's parameter map); an error when they are given for another cell or are below 1.
     */
    Map<String, String> modelParams(String cell, Map<String, String> params) {
        Map<String, String> out = new LinkedHashMap<>(params);
        put(out, MemNetModel.SLOTS, slots);
        put(out, MemNetModel.KEY_WIDTH, keyWidth);
        put(out, MemNetModel.VALUE_WIDTH, valueWidth);
        if (out.size() > params.size() && !cell.trim().equalsIgnoreCase("memnet")) {
            throw new IllegalArgumentException("--slots, --key-width and --value-width apply to --cell memnet only, "
                    + "got --cell " + cell);
        }
        return out;
    }

    private static void put(Map<String, String> m, String key, Integer v) {
        if (v != null) {
            if (v < 1) {
                throw new IllegalArgumentException("--" + key + " must be >= 1, got " + v);
            }
            m.put(key, v.toString());
        }
    }

    /** {@code --lengths}, or the task's default. */
    int[] lengths(String task) {
        if (lengths == null) {
            return switch (task) {
                case "recall" -> new int[] {2, 4};
                case "parity", "parity-final" -> new int[] {1, 10};
                default -> new int[] {1, 6};
            };
        }
        String[] parts = lengths.trim().split("\\.\\.");
        try {
            if (parts.length == 2) {
                int a = Integer.parseInt(parts[0].trim());
                int b = Integer.parseInt(parts[1].trim());
                if (a >= 1 && b >= a) {
                    return new int[] {a, b};
                }
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--lengths must be MIN..MAX with 1 <= MIN <= MAX, got '" + lengths + "'");
    }

    int alphabet() {
        return alphabet != null ? alphabet : 8;
    }
}

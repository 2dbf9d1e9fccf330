package dev.mnemo.experiments.tasks.symbolic;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Associative recall: k key → value pairs, a delimiter, a query key; answer the query's value.
 *
 * <p>k is uniform in {@code [minPairs, maxPairs]}; the k keys are distinct, drawn from {@code keys}
 * symbols; values are drawn (with repetition) from {@code values} symbols; the query is one of the k
 * keys, uniformly. T = 2k + 2 steps:
 * <pre>
 *   step      0    1    …  2k−2   2k−1   2k          2k+1
 *   input     k_1  v_1  …  k_k    v_k    delimiter   query key
 *   target    —    —    …  —      —      —           value of the query
 * </pre>
 * Channels: keys {@code 0 … keys−1}, values {@code keys … keys+values−1}, delimiter {@code keys+values}.
 * So I = keys + values + 1, C = values (class j = value symbol j), and one step per sequence is scored.
 */
public record AssociativeRecallTask(int keys, int values, int minPairs, int maxPairs) implements SymbolicTask {

    public AssociativeRecallTask {
        SymbolicChecks.symbols("keys", keys, 1);
        SymbolicChecks.symbols("values", values, 2);
        if (minPairs < 1) {
            throw new IllegalArgumentException("minPairs must be >= 1, got " + minPairs);
        }
        if (maxPairs < minPairs) {
            throw new IllegalArgumentException("maxPairs must be >= minPairs (" + minPairs + "), got " + maxPairs);
        }
        if (maxPairs > keys) {
            throw new IllegalArgumentException("maxPairs must be <= keys (" + keys + ", keys are distinct), got "
                    + maxPairs);
        }
    }

    @Override
    public String name() {
        return "recall";
    }

    @Override
    public int inputSize() {
        return keys + values + 1;
    }

    @Override
    public int classes() {
        return values;
    }

    @Override
    public int maxSteps() {
        return 2 * maxPairs + 2;
    }

    /** The input channel of value symbol {@code v}. */
    public int valueChannel(int v) {
        return keys + v;
    }

    /** The input channel of the delimiter. */
    public int delimiterChannel() {
        return keys + values;
    }

    @Override
    public SequenceBatch sample(int batchSize, SplittableRandom rnd) {
        SequenceAssembler out = new SequenceAssembler(batchSize, inputSize(), classes());
        int[] pool = new int[keys];
        for (int b = 0; b < batchSize; b++) {
            int k = minPairs + rnd.nextInt(maxPairs - minPairs + 1);
            for (int i = 0; i < keys; i++) {
                pool[i] = i;
            }
            int[] in = new int[2 * k + 2];
            int[] y = new int[2 * k + 2];
            Arrays.fill(y, -1);
            int[] vals = new int[k];
            for (int i = 0; i < k; i++) {
                int j = i + rnd.nextInt(keys - i);   // partial Fisher–Yates: distinct keys
                int tmp = pool[i];
                pool[i] = pool[j];
                pool[j] = tmp;
                vals[i] = rnd.nextInt(values);
                in[2 * i] = pool[i];
                in[2 * i + 1] = valueChannel(vals[i]);
            }
            int q = rnd.nextInt(k);
            in[2 * k] = delimiterChannel();
            in[2 * k + 1] = pool[q];
            y[2 * k + 1] = vals[q];
            out.add(in, y);
        }
        return out.build();
    }
}

package dev.mnemo.experiments.tasks.symbolic;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Parity (XOR) of a bit string of length L, uniform in {@code [minLength, maxLength]}; T = L steps,
 * input channels 0 and 1 (I = 2), classes 0 = even, 1 = odd (C = 2).
 *
 * <ul>
 *   <li>{@link Mode#RUNNING}: every step t is scored with the parity of bits {@code 0 … t} (x_0 ⊕ … ⊕ x_t).
 *       Bits are uniform.</li>
 *   <li>{@link Mode#FINAL}: only the last step L−1 is scored, with the parity of the whole string. Each
 *       batch is <b>exactly balanced</b>: ⌊B/2⌋ or ⌈B/2⌉ odd strings (which ones is shuffled); a string
 *       is L−1 uniform bits and a last bit that gives its drawn parity, so within a parity every string
 *       of that length is equally likely.</li>
 * </ul>
 */
public record ParityTask(int minLength, int maxLength, Mode mode) implements SymbolicTask {

    /** Which steps are scored. */
    public enum Mode {
        /** Every step, with the parity so far. */
        RUNNING,
        /** The last step only, with the parity of the whole string. */
        FINAL
    }

    public ParityTask {
        SymbolicChecks.lengths(minLength, maxLength);
        Objects.requireNonNull(mode, "mode");
    }

    @Override
    public String name() {
        return mode == Mode.RUNNING ? "parity" : "parity-final";
    }

    @Override
    public int inputSize() {
        return 2;
    }

    @Override
    public int classes() {
        return 2;
    }

    @Override
    public int maxSteps() {
        return maxLength;
    }

    @Override
    public SequenceBatch sample(int batchSize, SplittableRandom rnd) {
        SequenceAssembler out = new SequenceAssembler(batchSize, 2, 2);
        int[] parities = mode == Mode.FINAL ? balancedLabels(batchSize, rnd) : null;
        for (int b = 0; b < batchSize; b++) {
            int len = minLength + rnd.nextInt(maxLength - minLength + 1);
            int[] in = new int[len];
            int[] y = new int[len];
            int parity = 0;
            for (int t = 0; t < len; t++) {
                boolean last = t == len - 1;
                in[t] = last && parities != null ? parity ^ parities[b] : rnd.nextInt(2);
                parity ^= in[t];
                y[t] = mode == Mode.RUNNING || last ? parity : -1;
            }
            out.add(in, y);
        }
        return out.build();
    }

    /** ⌊n/2⌋ ones and the rest zeros, shuffled. */
    private static int[] balancedLabels(int n, SplittableRandom rnd) {
        int[] labels = new int[n];
        for (int i = 0; i < n / 2; i++) {
            labels[i] = 1;
        }
        if (n % 2 == 1) {
            labels[n - 1] = rnd.nextInt(2);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = labels[i];
            labels[i] = labels[j];
            labels[j] = tmp;
        }
        return labels;
    }
}

package dev.mnemo.experiments.tasks.symbolic;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Copy (or reverse) a string: read L symbols, a delimiter, then reproduce them — in order, or reversed
 * when {@code reversed}.
 *
 * <p>Sequence of length L (uniform in {@code [minLength, maxLength]}), T = 2L + 1 steps:
 * <pre>
 *   step      0 … L−1        L            L+1 … 2L
 *   input     x_0 … x_{L−1}  delimiter    zero rows (blank)
 *   target    —              —            x_0 … x_{L−1}   (reversed: x_{L−1} … x_0)
 * </pre>
 * Symbols are uniform over {@code alphabet} values, channels {@code 0 … alphabet−1}; the delimiter is
 * channel {@code alphabet}. So I = alphabet + 1, C = alphabet, and the L answer steps are scored.
 */
public record CopyTask(int alphabet, int minLength, int maxLength, boolean reversed) implements SymbolicTask {

    public CopyTask {
        SymbolicChecks.symbols("alphabet", alphabet, 2);
        SymbolicChecks.lengths(minLength, maxLength);
    }

    /** Copy in order. */
    public static CopyTask copy(int alphabet, int minLength, int maxLength) {
        return new CopyTask(alphabet, minLength, maxLength, false);
    }

    /** Reproduce reversed. */
    public static CopyTask reverse(int alphabet, int minLength, int maxLength) {
        return new CopyTask(alphabet, minLength, maxLength, true);
    }

    @Override
    public String name() {
        return reversed ? "reverse" : "copy";
    }

    @Override
    public int inputSize() {
        return alphabet + 1;
    }

    @Override
    public int classes() {
        return alphabet;
    }

    @Override
    public int maxSteps() {
        return 2 * maxLength + 1;
    }

    @Override
    public SequenceBatch sample(int batchSize, SplittableRandom rnd) {
        SequenceAssembler out = new SequenceAssembler(batchSize, inputSize(), classes());
        for (int b = 0; b < batchSize; b++) {
            int len = minLength + rnd.nextInt(maxLength - minLength + 1);
            int[] in = new int[2 * len + 1];
            int[] y = new int[2 * len + 1];
            Arrays.fill(y, -1);
            for (int i = 0; i < len; i++) {
                in[i] = rnd.nextInt(alphabet);
            }
            in[len] = alphabet;
            for (int i = 0; i < len; i++) {
                in[len + 1 + i] = -1;
                y[len + 1 + i] = in[reversed ? len - 1 - i : i];
            }
            out.add(in, y);
        }
        return out.build();
    }
}

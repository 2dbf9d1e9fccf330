package dev.mnemo.experiments.tasks.symbolic;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;

/**
 * Accuracy on the scored steps of {@link SequenceBatch}es, per symbol and per sequence: a sequence counts
 * as right only when every one of its scored steps is right. A sequence with no scored step counts in
 * neither. Immutable; {@link #plus} sums batches.
 */
public record SequenceAccuracy(long correctSymbols, long symbols, long correctSequences, long sequences) {

    /** Nothing scored yet. */
    public static final SequenceAccuracy EMPTY = new SequenceAccuracy(0, 0, 0, 0);

    /** Right scored steps / scored steps (0 when none). */
    public double perSymbol() {
        return symbols == 0 ? 0 : (double) correctSymbols / symbols;
    }

    /** Sequences with every scored step right / sequences with a scored step (0 when none). */
    public double perSequence() {
        return sequences == 0 ? 0 : (double) correctSequences / sequences;
    }

    /** The counts of both. */
    public SequenceAccuracy plus(SequenceAccuracy other) {
        return new SequenceAccuracy(correctSymbols + other.correctSymbols, symbols + other.symbols,
                correctSequences + other.correctSequences, sequences + other.sequences);
    }

    /**
     * @param predicted {@code [T·B]} predicted classes, index {@code t·B + b} (entries at unscored steps are
     *                  ignored)
     */
    public static SequenceAccuracy of(SequenceBatch batch, int[] predicted) {
        return of(batch, predicted, b -> true);
    }

    /** As {@link #of(SequenceBatch, int[])}, over the sequences b that {@code counted} accepts only. */
    public static SequenceAccuracy of(SequenceBatch batch, int[] predicted, java.util.function.IntPredicate counted) {
        int rows = batch.steps() * batch.batch();
        if (predicted.length != rows) {
            throw new IllegalArgumentException("predicted must have T·B = " + rows + " entries, got " + predicted.length);
        }
        long right = 0;
        long total = 0;
        long rightSeq = 0;
        long seqs = 0;
        for (int b = 0; b < batch.batch(); b++) {
            if (!counted.test(b)) {
                continue;
            }
            boolean any = false;
            boolean all = true;
            for (int t = 0; t < batch.steps(); t++) {
                int y = batch.target(t, b);
                if (y < 0) {
                    continue;
                }
                any = true;
                total++;
                if (predicted[t * batch.batch() + b] == y) {
                    right++;
                } else {
                    all = false;
                }
            }
            if (any) {
                seqs++;
                rightSeq += all ? 1 : 0;
            }
        }
        return new SequenceAccuracy(right, total, rightSeq, seqs);
    }

    /** @param logits {@code [T, B, C]} CPU scores of the batch; the prediction is the arg-max class */
    public static SequenceAccuracy of(SequenceBatch batch, Tensor logits) {
        if (logits.rank() != 3 || logits.dim(0) != batch.steps() || logits.dim(1) != batch.batch()
                || logits.dim(2) != batch.classes()) {
            throw new IllegalArgumentException("logits must be [" + batch.steps() + ", " + batch.batch() + ", "
                    + batch.classes() + "] (T, B, C of the batch), got " + Tensor.shapeString(logits.shape()));
        }
        return of(batch, argmax(logits));
    }

    /** The arg-max (first on ties) of each row of CPU {@code [*, C]} scores, in row-major order. */
    public static int[] argmax(Tensor scores) {
        if (scores.device() != Device.CPU) {
            throw new IllegalArgumentException("scores must be a CPU tensor (call .to(Device.CPU)), got "
                    + scores.device().label());
        }
        int classes = scores.dim(-1);
        double[] s = scores.toDoubleArray();
        int[] out = new int[s.length / classes];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (s[r * classes + c] > s[r * classes + best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }
}

package dev.mnemo.experiments.tasks.symbolic;

import dev.mnemo.nn.Tensor;
import java.util.Objects;

/**
 * A batch of symbolic sequences ready for a recurrent layer, with a class target on the steps that are
 * scored.
 *
 * <p>Layout (time-major, like the recurrent layers and {@code Tomita.oneHot}):
 * <ul>
 *   <li>{@code inputs} {@code [T, B, I]} float32 CPU: one-hot rows; a row of zeros is a blank step (the
 *       answer phase of copy) or padding. T is the longest sequence of the batch; a shorter sequence is
 *       <b>right-padded</b> with zero rows after its {@code lengths[b]} steps (padding is never scored,
 *       and it comes after every scored step, so a causal model's scored outputs do not see it).</li>
 *   <li>{@code inputSymbols} {@code [T·B]}, index {@code t·B + b}: the hot channel of step t of sequence b,
 *       or −1 for a zero row — the same input as ids, for an embedding layer.</li>
 *   <li>{@code targets} {@code [T·B]}, index {@code t·B + b}: the class in {@code [0, classes)} of a scored
 *       step, −1 for a step that is not scored. −1 makes an unmasked loss over every row fail loudly;
 *       use {@link #scoredRows()} and {@link #scoredTargets()} (rows of the {@code [T·B, C]} logits) instead.</li>
 * </ul>
 */
public record SequenceBatch(Tensor inputs, int[] inputSymbols, int[] targets, int[] lengths, int classes) {

    public SequenceBatch {
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.rank() != 3) {
            throw new IllegalArgumentException("inputs must be [T, B, I], got " + Tensor.shapeString(inputs.shape()));
        }
        int rows = inputs.dim(0) * inputs.dim(1);
        if (inputSymbols.length != rows || targets.length != rows || lengths.length != inputs.dim(1)) {
            throw new IllegalArgumentException("inputSymbols and targets need T·B = " + rows + " entries and lengths B = "
                    + inputs.dim(1) + ", got " + inputSymbols.length + ", " + targets.length + ", " + lengths.length);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
    }

    /** T, the number of time steps. */
    public int steps() {
        return inputs.dim(0);
    }

    /** B, the number of sequences. */
    public int batch() {
        return inputs.dim(1);
    }

    /** I, the width of a one-hot input row. */
    public int inputSize() {
        return inputs.dim(2);
    }

    /** The target of step t of sequence b, −1 when that step is not scored. */
    public int target(int t, int b) {
        return targets[t * batch() + b];
    }

    /** The hot input channel of step t of sequence b, −1 for a zero row. */
    public int input(int t, int b) {
        return inputSymbols[t * batch() + b];
    }

    /**
     * Sequence b's input as text, its symbols over its own {@code lengths[b]} steps ({@code 3,0,-1,-1});
     * equal for equal inputs, so a set of keys says which sequences were drawn before.
     */
    public String sequenceKey(int b) {
        StringBuilder key = new StringBuilder();
        for (int t = 0; t < lengths[b]; t++) {
            key.append(t == 0 ? "" : ",").append(input(t, b));
        }
        return key.toString();
    }

    /** Whether step t of sequence b is scored. */
    public boolean scored(int t, int b) {
        return target(t, b) >= 0;
    }

    /** {@code [T·B]}, index {@code t·B + b}: which steps are scored. */
    public boolean[] mask() {
        boolean[] m = new boolean[targets.length];
        for (int r = 0; r < m.length; r++) {
            m[r] = targets[r] >= 0;
        }
        return m;
    }

    /** The mask as a float32 {@code [T, B]} tensor of 1 (scored) and 0, for weighting a per-step loss. */
    public Tensor maskTensor() {
        Tensor m = Tensor.zeros(steps(), batch());
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] >= 0) {
                m.setFlat(r, 1.0);
            }
        }
        return m;
    }

    /** How many steps are scored. */
    public int scoredCount() {
        int n = 0;
        for (int y : targets) {
            n += y >= 0 ? 1 : 0;
        }
        return n;
    }

    /** The rows {@code t·B + b} of the scored steps, ascending: gather these rows of the {@code [T·B, C]} logits. */
    public int[] scoredRows() {
        int[] rows = new int[scoredCount()];
        int n = 0;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] >= 0) {
                rows[n++] = r;
            }
        }
        return rows;
    }

    /** The targets of {@link #scoredRows()}, in the same order. */
    public int[] scoredTargets() {
        int[] y = new int[scoredCount()];
        int n = 0;
        for (int target : targets) {
            if (target >= 0) {
                y[n++] = target;
            }
        }
        return y;
    }
}

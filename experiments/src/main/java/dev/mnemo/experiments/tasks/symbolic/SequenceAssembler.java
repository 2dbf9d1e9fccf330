package dev.mnemo.experiments.tasks.symbolic;

import dev.mnemo.nn.Tensor;
import java.util.Arrays;

/** Packs per-sequence symbol and target arrays into one right-padded {@link SequenceBatch}. */
final class SequenceAssembler {

    private final int inputSize;
    private final int classes;
    private final int[][] inputs;
    private final int[][] targets;
    private int added;

    SequenceAssembler(int batchSize, int inputSize, int classes) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.inputSize = inputSize;
        this.classes = classes;
        this.inputs = new int[batchSize][];
        this.targets = new int[batchSize][];
    }

    /** One sequence: its hot channel per step (−1 = zero row) and target per step (−1 = not scored). */
    void add(int[] inputSymbols, int[] stepTargets) {
        if (inputSymbols.length != stepTargets.length) {
            throw new IllegalStateException("inputs and targets differ in length");
        }
        inputs[added] = inputSymbols;
        targets[added] = stepTargets;
        added++;
    }

    SequenceBatch build() {
        if (added != inputs.length) {
            throw new IllegalStateException(added + " of " + inputs.length + " sequences added");
        }
        int batch = inputs.length;
        int steps = 1;
        for (int[] s : inputs) {
            steps = Math.max(steps, s.length);
        }
        Tensor x = Tensor.zeros(steps, batch, inputSize);
        int[] symbols = new int[steps * batch];
        int[] y = new int[steps * batch];
        Arrays.fill(symbols, -1);
        Arrays.fill(y, -1);
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = inputs[b].length;
            for (int t = 0; t < inputs[b].length; t++) {
                int row = t * batch + b;
                symbols[row] = inputs[b][t];
                y[row] = targets[b][t];
                if (inputs[b][t] >= 0) {
                    x.set(1.0, t, b, inputs[b][t]);
                }
            }
        }
        return new SequenceBatch(x, symbols, y, lengths, classes);
    }
}

package dev.mnemo.experiments.tasks.babi;

import dev.mnemo.nn.Tensor;

/**
 * Encoded bAbI examples for a sequence model, one token per step, time-major, <b>right-padded</b>: sequence
 * b occupies steps {@code 0 … lengths[b] − 1} and its answer is scored at its own last step
 * ({@code SoftmaxCrossEntropy.lastStep} with the lengths). A unidirectional model's output there has
 * not seen the padding after it, so an example's prediction does not depend on the other examples of
 * its batch.
 *
 * @param tokens         {@code [T·B]}, index {@code t·B + b}: word ids; steps {@code lengths[b]} and later of
 *                       sequence b are {@link Vocabulary#PAD} (id 0)
 * @param lengths        {@code [B]}: real tokens per sequence, at least 1
 * @param answers        {@code [B]}: answer class ids
 * @param tasks          {@code [B]}: bAbI task numbers (0 unknown), for {@link BabiAccuracy}
 * @param vocabularySize V, the size of the word vocabulary
 */
public record BabiBatch(int[] tokens, int[] lengths, int[] answers, int[] tasks, int vocabularySize) {

    public BabiBatch {
        int b = lengths.length;
        if (b == 0 || answers.length != b || tasks.length != b || tokens.length % b != 0) {
            throw new IllegalArgumentException("a batch needs B >= 1 lengths, answers and tasks and T·B tokens, got "
                    + lengths.length + ", " + answers.length + ", " + tasks.length + ", " + tokens.length);
        }
        for (int len : lengths) {
            if (len < 1 || len > tokens.length / b) {
                throw new IllegalArgumentException("every length must be in [1, T = " + tokens.length / b + "], got "
                        + len);
            }
        }
    }

    /** B. */
    public int batch() {
        return lengths.length;
    }

    /** T, the longest sequence. */
    public int steps() {
        return tokens.length / lengths.length;
    }

    /** The token of step t of sequence b. */
    public int token(int t, int b) {
        return tokens[t * batch() + b];
    }

    /** One-hot float32 CPU inputs {@code [T, B, V]}; padding steps are all-zero rows. */
    public Tensor oneHot() {
        Tensor x = Tensor.zeros(steps(), batch(), vocabularySize);
        for (int b = 0; b < batch(); b++) {
            for (int t = 0; t < lengths[b]; t++) {
                x.set(1.0, t, b, token(t, b));
            }
        }
        return x;
    }
}

package dev.mnemo.experiments.tasks.babi;

import dev.mnemo.nn.Tensor;

/**
 * Encoded bAbI examples for a sequence model, one token per step, time-major, <b>left-padded</b> so every
 * sequence ends at the last step, where its answer is scored (like {@code Tomita.oneHot};
 * {@code SoftmaxCrossEntropy.lastStep} applies).
 *
 * @param tokens         {@code [T·B]}, index {@code t·B + b}: word ids; the first {@code T − lengths[b]}
 *                       steps of sequence b are {@link Vocabulary#PAD} (id 0)
 * @param lengths        {@code [B]}: real tokens per sequence
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
        for (int t = 0; t < steps(); t++) {
            for (int b = 0; b < batch(); b++) {
                if (t >= steps() - lengths[b]) {
                    x.set(1.0, t, b, token(t, b));
                }
            }
        }
        return x;
    }
}

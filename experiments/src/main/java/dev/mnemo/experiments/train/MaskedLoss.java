package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.symbolic.SequenceBatch;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;

/**
 * Softmax cross-entropy over the scored steps of a batch only (mean over scored symbols):
 * the scored rows of {@code [T·B, C]} are gathered, scored, and their gradient scattered back into a
 * zero {@code [T, B, C]}, so unscored steps and padding get no gradient.
 */
final class MaskedLoss {

    private MaskedLoss() {
    }

    static Loss of(Backend be, SoftmaxCrossEntropy ce, Tensor logits, SequenceBatch batch) {
        return of(be, ce, logits, batch.scoredRows(), batch.scoredTargets());
    }

    /** The loss of rows {@code rows} of the {@code [T·B, C]} logits against {@code targets}, the others unscored. */
    static Loss of(Backend be, SoftmaxCrossEntropy ce, Tensor logits, int[] rows, int[] targets) {
        int t = logits.dim(0);
        int b = logits.dim(1);
        int c = logits.dim(2);
        Tensor scored = be.zeros(rows.length, c);
        be.gatherRows(logits.reshape(t * b, c), rows, scored);
        Loss l = ce.perStep(scored, targets);
        Tensor d = be.zeros(t, b, c);
        be.scatterAddRows(l.gradient(), rows, d.reshape(t * b, c));
        be.release(scored);
        be.release(l.gradient());
        return new Loss(l.value(), d);
    }
}

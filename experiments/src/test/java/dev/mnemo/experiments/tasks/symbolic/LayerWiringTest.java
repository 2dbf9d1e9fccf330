package dev.mnemo.experiments.tasks.symbolic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import org.junit.jupiter.api.Test;

/**
 * The batch layout fits the layers as documented: inputs go straight into a recurrent layer, and the
 * scored rows of the {@code [T·B, C]} logits are the ones {@link SequenceBatch#scoredRows()} names.
 */
class LayerWiringTest {

    @Test
    void aBatchFeedsAnLstmAndAMaskedLoss() {
        Backend be = Backend.cpu();
        SymbolicTask task = new AssociativeRecallTask(6, 4, 2, 4);
        SequenceBatch batch = task.sample(5, 3L);
        Lstm lstm = new Lstm(RecurrentOptions.builder(task.inputSize(), 7).seed(1L).build(), be);
        Linear head = new Linear(LinearOptions.builder(7, task.classes()).seed(2L).build(), be);
        Tensor logits = head.forward(lstm.forward(batch.inputs(), null).output()).output();
        assertArrayEquals(new int[] {batch.steps(), 5, 4}, logits.shape());

        int[] rows = batch.scoredRows();
        Tensor flat = logits.reshape(batch.steps() * 5, 4);
        Tensor scored = be.zeros(rows.length, 4);
        be.gatherRows(flat, rows, scored);
        for (int i = 0; i < rows.length; i++) {
            int t = rows[i] / 5;
            int b = rows[i] % 5;
            assertEquals(batch.lengths()[b] - 1, t, "recall scores the last real step of each sequence");
            for (int c = 0; c < 4; c++) {
                assertEquals(logits.get(t, b, c), scored.get(i, c));
            }
        }
        Loss loss = new SoftmaxCrossEntropy(be).perStep(scored, batch.scoredTargets());
        assertTrue(Math.abs(loss.value() - Math.log(4)) < 0.5, "an untrained model is near ln C: " + loss.value());
        SequenceAccuracy acc = SequenceAccuracy.of(batch, logits);
        assertEquals(5, acc.sequences());
        assertEquals(5, acc.symbols());
    }
}

package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.symbolic.AssociativeRecallTask;
import dev.mnemo.experiments.tasks.symbolic.SequenceBatch;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The masked loss scores only the scored steps, and the symbolic and bAbI trainers learn. */
class MemoryTaskTrainingTest {

    @Test
    void maskedLossIsCrossEntropyOnTheScoredStepsOnly() {
        Backend be = Backend.cpu();
        SequenceBatch batch = new AssociativeRecallTask(4, 3, 1, 3).sample(5, 7L);
        int t = batch.steps();
        int c = 3;
        float[] v = new float[t * 5 * c];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-2, 2);
        }
        Tensor logits = Tensor.of(v, t, 5, c);
        Loss l = MaskedLoss.of(be, new SoftmaxCrossEntropy(be), logits, batch);
        // by hand: mean over the scored steps of −log softmax(target), gradient (p − onehot) / count
        double sum = 0;
        int n = batch.scoredCount();
        for (int s = 0; s < t; s++) {
            for (int b = 0; b < 5; b++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, logits.get(s, b, k));
                }
                double z = 0;
                for (int k = 0; k < c; k++) {
                    z += Math.exp(logits.get(s, b, k) - max);
                }
                for (int k = 0; k < c; k++) {
                    double p = Math.exp(logits.get(s, b, k) - max) / z;
                    double expected = batch.scored(s, b) ? (p - (k == batch.target(s, b) ? 1 : 0)) / n : 0;
                    assertEquals(expected, l.gradient().get(s, b, k), 1e-6, s + "," + b + "," + k);
                }
                if (batch.scored(s, b)) {
                    sum -= logits.get(s, b, batch.target(s, b)) - max - Math.log(z);
                }
            }
        }
        assertEquals(sum / n, l.value(), 1e-5);
    }

    @Test
    void memNetLearnsASmallRecall() {
        // 4 keys, 4 values, 2 pairs: chance is 0.25 per query
        var s = new RunSettings("memnet", "pytorch", Map.of("slots", "6"), 16, 1, 15, 32, 0.01, 1.0, 1, "cpu");
        var r = SymbolicTrainer.run(new SymbolicTrainer.Config("recall", s, 4, 2, 2, 640, 400), null, null);
        assertTrue(r.test().perSequence() > 0.8, "test accuracy " + r.test().perSequence());
        assertEquals(r.test().perSymbol(), r.test().perSequence(), 1e-12); // one scored step per sequence
    }

    @Test
    void aGruLearnsGeneratedBabiQa1AboveChance() {
        var s = new RunSettings("gru", "pytorch", Map.of(), 16, 1, 8, 32, 0.01, 1.0, 1, "cpu");
        var r = BabiTrainer.run(new BabiTrainer.Config(1, s, 60, 30, 2, null), null, null);
        // qa1 has 6 places: chance ≈ 1/6
        assertTrue(r.trainAccuracy() > 0.4, "train accuracy " + r.trainAccuracy());
        assertEquals(150, r.testSize());
        assertEquals(r.testAccuracy(), r.perTask().get(1).accuracy(), 1e-12);
    }
}

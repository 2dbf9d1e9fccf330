package dev.mnemo.experiments.tasks.symbolic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Per-symbol and per-sequence accuracy on a hand-built batch with known answers. */
class SequenceAccuracyTest {

    /** T = 3, B = 3, C = 3: sequence 0 scores steps 1, 2; sequence 1 step 2; sequence 2 nothing. */
    private static SequenceBatch batch() {
        int[] targets = {
            -1, -1, -1,   // t = 0
            2, -1, -1,    // t = 1
            0, 1, -1,     // t = 2
        };
        int[] symbols = new int[9];
        java.util.Arrays.fill(symbols, -1);
        return new SequenceBatch(Tensor.zeros(3, 3, 1), symbols, targets, new int[] {3, 3, 3}, 3);
    }

    @Test
    void countsSymbolsAndWholeSequences() {
        SequenceBatch batch = batch();
        // sequence 0: step 1 right, step 2 wrong; sequence 1 right; unscored entries are ignored
        SequenceAccuracy acc = SequenceAccuracy.of(batch, new int[] {1, 1, 1, 2, 0, 0, 1, 1, 2});
        assertEquals(new SequenceAccuracy(2, 3, 1, 2), acc);
        assertEquals(2.0 / 3, acc.perSymbol(), 1e-15);
        assertEquals(0.5, acc.perSequence(), 1e-15);
        SequenceAccuracy all = SequenceAccuracy.of(batch, new int[] {0, 0, 0, 2, 0, 0, 0, 1, 0});
        assertEquals(new SequenceAccuracy(3, 3, 2, 2), all);
        assertEquals(new SequenceAccuracy(5, 6, 3, 4), acc.plus(all));
        assertEquals(0.0, SequenceAccuracy.EMPTY.perSymbol());
        assertEquals(0.0, SequenceAccuracy.EMPTY.perSequence());
    }

    @Test
    void logitsArePredictedByArgmax() {
        SequenceBatch batch = batch();
        float[] logits = new float[27];
        int[] predicted = {1, 1, 1, 2, 0, 0, 1, 1, 2};
        for (int r = 0; r < 9; r++) {
            logits[r * 3 + predicted[r]] = 5f;
            logits[r * 3 + (predicted[r] + 1) % 3] = -1f;
        }
        Tensor t = Tensor.of(logits, 3, 3, 3);
        assertArrayEquals(predicted, SequenceAccuracy.argmax(t));
        assertEquals(new SequenceAccuracy(2, 3, 1, 2), SequenceAccuracy.of(batch, t));
        assertArrayEquals(new int[] {0}, SequenceAccuracy.argmax(Tensor.of(new float[] {1f, 1f}, 1, 2)), "first on ties");
    }

    @Test
    void trainedPerfectlyMeansOne() {
        SequenceBatch batch = CopyTask.reverse(4, 1, 5).sample(20, 3L);
        int[] perfect = batch.targets().clone();
        SequenceAccuracy acc = SequenceAccuracy.of(batch, perfect);
        assertEquals(1.0, acc.perSymbol());
        assertEquals(1.0, acc.perSequence());
        assertEquals(20, acc.sequences());
        perfect[batch.scoredRows()[0]] = (batch.scoredTargets()[0] + 1) % 4;
        assertEquals(19.0 / 20, SequenceAccuracy.of(batch, perfect).perSequence(), 1e-15);
    }

    /** The trainer scores the test sequences never drawn in training apart: a predicate picks them, a key names them. */
    @Test
    void countsOnlyTheSequencesAskedForAndKeysNameEqualInputs() {
        SequenceBatch batch = batch();
        int[] predicted = {1, 1, 1, 2, 0, 0, 1, 1, 2};
        assertEquals(new SequenceAccuracy(1, 1, 1, 1), SequenceAccuracy.of(batch, predicted, b -> b == 1));
        assertEquals(SequenceAccuracy.of(batch, predicted), SequenceAccuracy.of(batch, predicted, b -> true));
        assertEquals(SequenceAccuracy.EMPTY, SequenceAccuracy.of(batch, predicted, b -> false));
        SequenceBatch copies = CopyTask.copy(4, 2, 2).sample(200, 5L);   // 16 strings of length 2: many repeats
        var keys = new java.util.HashMap<String, String>();
        for (int b = 0; b < copies.batch(); b++) {
            String key = copies.sequenceKey(b);
            String input = copies.input(0, b) + " " + copies.input(1, b);
            assertEquals(input, keys.computeIfAbsent(key, k -> input), "one key, one input");
        }
        assertEquals(16, keys.size());
    }

    @Test
    void shapeErrors() {
        SequenceBatch batch = batch();
        assertEquals("predicted must have T·B = 9 entries, got 2",
                assertThrows(IllegalArgumentException.class, () -> SequenceAccuracy.of(batch, new int[2])).getMessage());
        assertEquals("logits must be [3, 3, 3] (T, B, C of the batch), got [3, 3, 2]",
                assertThrows(IllegalArgumentException.class,
                        () -> SequenceAccuracy.of(batch, Tensor.zeros(3, 3, 2))).getMessage());
    }
}

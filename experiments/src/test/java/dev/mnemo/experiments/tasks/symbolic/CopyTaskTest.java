package dev.mnemo.experiments.tasks.symbolic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Copy and reverse: the layout decoded back from the one-hot tensor, determinism and validation. */
class CopyTaskTest {

    /** The hot channel of row (t, b), −1 for a zero row; fails on a row with several hot entries. */
    static int hot(SequenceBatch batch, int t, int b) {
        int found = -1;
        for (int i = 0; i < batch.inputSize(); i++) {
            double v = batch.inputs().get(t, b, i);
            if (v == 1.0) {
                assertEquals(-1, found, "two hot channels at t=" + t + " b=" + b);
                found = i;
            } else {
                assertEquals(0.0, v, "one-hot entries are 0 or 1");
            }
        }
        return found;
    }

    private static void checkLayout(CopyTask task, SequenceBatch batch) {
        int a = task.alphabet();
        assertEquals(a + 1, batch.inputSize());
        assertEquals(a, batch.classes());
        int longest = 0;
        for (int b = 0; b < batch.batch(); b++) {
            int len = batch.lengths()[b];
            assertEquals(1, len % 2, "T_b = 2L + 1");
            int l = (len - 1) / 2;
            assertTrue(l >= task.minLength() && l <= task.maxLength(), "L in range: " + l);
            longest = Math.max(longest, len);
            for (int t = 0; t < batch.steps(); t++) {
                int h = hot(batch, t, b);
                assertEquals(h, batch.input(t, b), "inputSymbols mirrors the tensor");
                if (t < l) {
                    assertTrue(h >= 0 && h < a, "a symbol");
                    assertFalse(batch.scored(t, b));
                } else if (t == l) {
                    assertEquals(a, h, "delimiter");
                    assertFalse(batch.scored(t, b));
                } else if (t <= 2 * l) {
                    assertEquals(-1, h, "blank answer phase");
                    int i = t - l - 1;
                    int source = task.reversed() ? l - 1 - i : i;
                    assertEquals(hot(batch, source, b), batch.target(t, b), "answer " + i);
                } else {
                    assertEquals(-1, h, "right padding");
                    assertFalse(batch.scored(t, b), "padding is not scored");
                }
            }
        }
        assertEquals(longest, batch.steps());
    }

    @Test
    void copyLayoutIsExact() {
        CopyTask task = CopyTask.copy(5, 1, 6);
        checkLayout(task, task.sample(40, 3L));
        assertEquals("copy", task.name());
        assertEquals(13, task.maxSteps());
    }

    @Test
    void reverseLayoutIsExact() {
        CopyTask task = CopyTask.reverse(3, 2, 5);
        checkLayout(task, task.sample(40, 4L));
        assertEquals("reverse", task.name());
    }

    @Test
    void aFixedLengthReversesAKnownString() {
        CopyTask task = CopyTask.reverse(4, 3, 3);
        SequenceBatch batch = task.sample(1, 9L);
        int[] x = {batch.input(0, 0), batch.input(1, 0), batch.input(2, 0)};
        assertArrayEquals(new int[] {x[2], x[1], x[0]}, batch.scoredTargets());
        assertArrayEquals(new int[] {4, 5, 6}, batch.scoredRows());
        assertEquals(7, batch.steps());
    }

    @Test
    void everyLengthAndSymbolAppears() {
        SequenceBatch batch = CopyTask.copy(4, 2, 5).sample(400, 11L);
        Set<Integer> lengths = new HashSet<>();
        Set<Integer> symbols = new HashSet<>();
        for (int b = 0; b < batch.batch(); b++) {
            lengths.add((batch.lengths()[b] - 1) / 2);
            symbols.add(batch.input(0, b));
        }
        assertEquals(Set.of(2, 3, 4, 5), lengths);
        assertEquals(Set.of(0, 1, 2, 3), symbols);
    }

    @Test
    void sameSeedSameBatchOtherSeedOtherBatch() {
        CopyTask task = CopyTask.copy(6, 1, 8);
        SequenceBatch a = task.sample(16, 42L);
        SequenceBatch b = task.sample(16, 42L);
        SequenceBatch c = task.sample(16, 43L);
        assertArrayEquals(a.inputs().toFloatArray(), b.inputs().toFloatArray());
        assertArrayEquals(a.targets(), b.targets());
        assertArrayEquals(a.lengths(), b.lengths());
        assertFalse(java.util.Arrays.equals(a.inputSymbols(), c.inputSymbols()));
    }

    @Test
    void maskAgreesWithTargets() {
        SequenceBatch batch = CopyTask.copy(3, 1, 4).sample(8, 5L);
        boolean[] mask = batch.mask();
        float[] m = batch.maskTensor().toFloatArray();
        int scored = 0;
        for (int r = 0; r < mask.length; r++) {
            assertEquals(batch.targets()[r] >= 0, mask[r]);
            assertEquals(mask[r] ? 1f : 0f, m[r]);
            scored += mask[r] ? 1 : 0;
        }
        int letters = 0;
        for (int len : batch.lengths()) {
            letters += (len - 1) / 2;
        }
        assertEquals(letters, scored, "one scored step per copied symbol");
        assertEquals(scored, batch.scoredRows().length);
        assertArrayEquals(new int[] {batch.steps(), batch.batch()}, batch.maskTensor().shape());
    }

    @Test
    void badArgumentsAreRejectedWithTheRule() {
        assertEquals("alphabet must be in [2, 1048576], got 1",
                assertThrows(IllegalArgumentException.class, () -> CopyTask.copy(1, 1, 2)).getMessage());
        // alphabet + 1 input channels overflowed int: "inputSize must be > 0, got -2147483648" from the layer
        assertEquals("alphabet must be in [2, 1048576], got 2147483647", assertThrows(IllegalArgumentException.class,
                () -> CopyTask.copy(Integer.MAX_VALUE, 1, 2)).getMessage());
        assertEquals("minLength must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> CopyTask.copy(2, 0, 2)).getMessage());
        assertEquals("maxLength must be >= minLength (3), got 2",
                assertThrows(IllegalArgumentException.class, () -> CopyTask.reverse(2, 3, 2)).getMessage());
        assertEquals("batchSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> CopyTask.copy(2, 1, 2).sample(0, 1L)).getMessage());
    }
}

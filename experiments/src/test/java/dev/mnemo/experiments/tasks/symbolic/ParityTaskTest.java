package dev.mnemo.experiments.tasks.symbolic;

import static dev.mnemo.experiments.tasks.symbolic.CopyTaskTest.hot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.symbolic.ParityTask.Mode;
import org.junit.jupiter.api.Test;

/** Running and final parity against a parity recomputed from the one-hot bits. */
class ParityTaskTest {

    @Test
    void runningParityIsScoredAtEveryStep() {
        ParityTask task = new ParityTask(1, 9, Mode.RUNNING);
        SequenceBatch batch = task.sample(64, 1L);
        assertEquals(2, batch.inputSize());
        assertEquals("parity", task.name());
        for (int b = 0; b < batch.batch(); b++) {
            int len = batch.lengths()[b];
            assertTrue(len >= 1 && len <= 9);
            int ones = 0;
            for (int t = 0; t < batch.steps(); t++) {
                if (t < len) {
                    int bit = hot(batch, t, b);
                    assertTrue(bit == 0 || bit == 1);
                    ones += bit;
                    assertEquals(ones % 2, batch.target(t, b), "parity of bits 0..t");
                } else {
                    assertEquals(-1, hot(batch, t, b));
                    assertFalse(batch.scored(t, b));
                }
            }
        }
    }

    @Test
    void finalParityIsScoredAtTheLastStepOnlyAndBalanced() {
        ParityTask task = new ParityTask(3, 12, Mode.FINAL);
        assertEquals("parity-final", task.name());
        for (int size : new int[] {1, 2, 7, 50, 51}) {
            SequenceBatch batch = task.sample(size, 100L + size);
            int odd = 0;
            for (int b = 0; b < batch.batch(); b++) {
                int len = batch.lengths()[b];
                int ones = 0;
                for (int t = 0; t < len; t++) {
                    ones += hot(batch, t, b);
                    assertEquals(t == len - 1, batch.scored(t, b));
                }
                assertEquals(ones % 2, batch.target(len - 1, b));
                odd += ones % 2;
            }
            assertEquals(size, batch.scoredCount());
            assertTrue(odd == size / 2 || odd == (size + 1) / 2, "balanced: " + odd + " odd of " + size);
        }
    }

    @Test
    void finalParityStringsAreNotBiasedWithinAClass() {
        // with L = 2 the odd strings are 01 and 10; both must occur about equally
        SequenceBatch batch = new ParityTask(2, 2, Mode.FINAL).sample(2000, 7L);
        int[] count = new int[4];
        for (int b = 0; b < batch.batch(); b++) {
            count[batch.input(0, b) * 2 + batch.input(1, b)]++;
        }
        for (int c : count) {
            assertTrue(Math.abs(c - 500) < 80, "each of 00, 01, 10, 11 about 500 times: " + java.util.Arrays.toString(count));
        }
    }

    @Test
    void deterministicPerSeed() {
        ParityTask task = new ParityTask(5, 20, Mode.RUNNING);
        assertArrayEquals(task.sample(10, 5L).inputSymbols(), task.sample(10, 5L).inputSymbols());
        assertFalse(java.util.Arrays.equals(task.sample(10, 5L).inputSymbols(), task.sample(10, 6L).inputSymbols()));
    }

    @Test
    void badArguments() {
        assertThrows(NullPointerException.class, () -> new ParityTask(1, 2, null));
        assertEquals("maxLength must be <= 100000, got 100001",
                assertThrows(IllegalArgumentException.class, () -> new ParityTask(1, 100_001, Mode.FINAL)).getMessage());
    }
}

package dev.mnemo.experiments.tasks.symbolic;

import static dev.mnemo.experiments.tasks.symbolic.CopyTaskTest.hot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Associative recall decoded from the one-hot tensor: distinct keys, the query among them, its value. */
class AssociativeRecallTaskTest {

    @Test
    void theAnswerIsTheQueriedKeysValue() {
        AssociativeRecallTask task = new AssociativeRecallTask(8, 5, 1, 6);
        assertEquals(14, task.inputSize());
        assertEquals(5, task.classes());
        assertEquals(14, task.maxSteps());
        SequenceBatch batch = task.sample(200, 2L);
        int[] queryPosition = new int[6];
        for (int b = 0; b < batch.batch(); b++) {
            int len = batch.lengths()[b];
            int k = (len - 2) / 2;
            assertEquals(2 * k + 2, len);
            assertTrue(k >= 1 && k <= 6);
            Map<Integer, Integer> pairs = new HashMap<>();
            for (int i = 0; i < k; i++) {
                int key = hot(batch, 2 * i, b);
                int value = hot(batch, 2 * i + 1, b);
                assertTrue(key >= 0 && key < 8, "a key channel");
                assertTrue(value >= 8 && value < 13, "a value channel");
                assertEquals(null, pairs.put(key, value - 8), "keys are distinct");
            }
            assertEquals(13, hot(batch, 2 * k, b), "delimiter");
            int query = hot(batch, 2 * k + 1, b);
            assertTrue(pairs.containsKey(query), "the query is one of the keys");
            assertEquals(pairs.get(query), batch.target(2 * k + 1, b));
            assertEquals(1, countScored(batch, b));
            for (int i = 0; i < k; i++) {
                if (hot(batch, 2 * i, b) == query) {
                    queryPosition[i]++;
                }
            }
        }
        assertTrue(queryPosition[0] > 40 && queryPosition[5] > 0, java.util.Arrays.toString(queryPosition));
    }

    private static int countScored(SequenceBatch batch, int b) {
        int n = 0;
        for (int t = 0; t < batch.steps(); t++) {
            n += batch.scored(t, b) ? 1 : 0;
        }
        return n;
    }

    @Test
    void allKeysCanBeUsed() {
        AssociativeRecallTask task = new AssociativeRecallTask(4, 2, 4, 4);
        SequenceBatch batch = task.sample(3, 8L);
        for (int b = 0; b < 3; b++) {
            int[] keys = {hot(batch, 0, b), hot(batch, 2, b), hot(batch, 4, b), hot(batch, 6, b)};
            java.util.Arrays.sort(keys);
            assertArrayEquals(new int[] {0, 1, 2, 3}, keys, "k = keys uses every key once");
        }
    }

    @Test
    void deterministicPerSeed() {
        AssociativeRecallTask task = new AssociativeRecallTask(10, 10, 2, 5);
        assertArrayEquals(task.sample(12, 77L).targets(), task.sample(12, 77L).targets());
        assertArrayEquals(task.sample(12, 77L).inputs().toFloatArray(), task.sample(12, 77L).inputs().toFloatArray());
    }

    @Test
    void badArguments() {
        assertEquals("maxPairs must be <= keys (3, keys are distinct), got 4",
                assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(3, 4, 1, 4)).getMessage());
        assertEquals("values must be in [2, 1048576], got 1",
                assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(3, 1, 1, 2)).getMessage());
        assertEquals("minPairs must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(3, 2, 0, 2)).getMessage());
        assertEquals("maxPairs must be >= minPairs (2), got 1",
                assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(3, 2, 2, 1)).getMessage());
        assertEquals("keys must be in [1, 1048576], got 0",
                assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(0, 2, 1, 1)).getMessage());
    }
}

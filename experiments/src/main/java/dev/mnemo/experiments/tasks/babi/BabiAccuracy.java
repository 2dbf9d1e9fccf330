package dev.mnemo.experiments.tasks.babi;

import java.util.Map;
import java.util.TreeMap;

/**
 * Answer accuracy per bAbI task, accumulated over batches. bAbI reports per-task error
 * (1 − accuracy), its mean over tasks, and how many tasks fail (error above 5%). Not thread-safe.
 */
public final class BabiAccuracy {

    /** The bAbI convention: a task with error above this (1/20) fails ({@link Score#failed}). */
    public static final double FAIL_ERROR = 0.05;

    /** One task's counts. */
    public record Score(int task, long correct, long total) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }

        public double error() {
            return 1 - accuracy();
        }

        /**
         * Whether the error is above {@link #FAIL_ERROR} (1/20), compared in whole counts: in doubles
         * 1 − 950/1000 is 0.050000000000000044, so 95.0 % would fail. No answers fail.
         */
        public boolean failed() {
            return total == 0 || 20 * (total - correct) > total;
        }
    }

    private final Map<Integer, long[]> counts = new TreeMap<>();

    /** One answer to a question of {@code task}. */
    public void add(int task, boolean correct) {
        long[] c = counts.computeIfAbsent(task, k -> new long[2]);
        c[0] += correct ? 1 : 0;
        c[1]++;
    }

    /** A batch's predicted answer classes, {@code [B]}. */
    public void add(BabiBatch batch, int[] predicted) {
        if (predicted.length != batch.batch()) {
            throw new IllegalArgumentException("predicted must have B = " + batch.batch() + " entries, got "
                    + predicted.length);
        }
        for (int b = 0; b < predicted.length; b++) {
            add(batch.tasks()[b], predicted[b] == batch.answers()[b]);
        }
    }

    /** Scores by task number, ascending. */
    public Map<Integer, Score> perTask() {
        Map<Integer, Score> out = new TreeMap<>();
        counts.forEach((task, c) -> out.put(task, new Score(task, c[0], c[1])));
        return out;
    }

    /** The mean of the per-task errors (each task weighs the same); 0 when empty. */
    public double meanError() {
        return counts.isEmpty() ? 0 : perTask().values().stream().mapToDouble(Score::error).average().orElse(0);
    }

    /** Tasks whose error is above {@link #FAIL_ERROR}. */
    public int failedTasks() {
        return (int) perTask().values().stream().filter(Score::failed).count();
    }
}

package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.ChaoticSeries;
import dev.mnemo.experiments.tasks.Nmse;
import dev.mnemo.experiments.tasks.Windows;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.loss.MeanSquaredError;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * One-step-ahead regression on a chaotic series ({@link ChaoticSeries}): windows of W steps, the
 * next value as target at every step, MSE over all steps, Adam, global-norm clipping. Scores on the
 * test part (later in time than all training data):
 * <ul>
 *   <li>one-step NMSE at the last step of every test window (stride 1);</li>
 *   <li>free-running NMSE over {@code horizon} steps: from W true values, the model's prediction is
 *       appended and the window slides, {@code horizon} times, without seeing the truth again; pooled
 *       over start points every {@code W/2} steps, and per horizon step in free-running.csv.</li>
 * </ul>
 */
public final class ChaoticTrainer {

    /**
     * Every setting of a run.
     *
     * @param length        steps generated
     * @param trainFraction leading share of the steps used for training
     * @param window        W
     * @param stride        steps between training windows
     * @param horizon       free-running steps; 0 = the task's default (Mackey-Glass 50, Lorenz 20)
     */
    public record Config(String task, RunSettings settings, int length, double trainFraction, int window, int stride,
                         int horizon) {

        public Config {
            if (!ChaoticSeries.isTask(task)) {
                throw new IllegalArgumentException("unknown chaotic series '" + task + "'; valid: "
                        + String.join(", ", ChaoticSeries.TASKS));
            }
            task = task.trim().toLowerCase(Locale.ROOT);
            RunSettings.positive("window", window);
            RunSettings.positive("stride", stride);
            if (horizon < 0) {
                throw new IllegalArgumentException("horizon must be >= 0 (0 = the task's default), got " + horizon);
            }
            if (horizon == 0) {
                horizon = task.equals("lorenz") ? 20 : 50;
            }
            if (!(trainFraction > 0 && trainFraction < 1)) {
                throw new IllegalArgumentException("train fraction must be in (0, 1), got " + trainFraction);
            }
            long testSteps = length - Math.round(length * trainFraction);
            long needed = (long) window + horizon + 1;   // in int, --window 2^31−1 wrapped negative and passed
            if (testSteps < needed) {
                throw new IllegalArgumentException("--length " + length + " leaves " + testSteps + " test steps; "
                        + "need at least window + horizon + 1 = " + needed);
            }
        }

        /** The settings as {@code key: value} lines. */
        public String describe() {
            return "task: " + task + "\n" + settings.describe() + "\n" + String.format(Locale.ROOT,
                    "series: %d steps, first %.0f%% for training, the rest for testing (split in time); values "
                            + "standardised with the training part's mean and std%n"
                            + "windows: %d steps, training windows every %d steps, target = next value at every step; "
                            + "loss: MSE over all steps%n"
                            + "test: one-step NMSE at the last step of every test window; free-running NMSE over %d "
                            + "steps (predictions fed back), NMSE = MSE / var(target), averaged over dimensions",
                    length, 100 * trainFraction, window, stride, horizon);
        }
    }

    /** What a regression run measured. */
    public record Result(double trainNmse, double testNmse, double freeRunNmse, double persistenceNmse,
                         double[] freeRunByStep, double lastLoss, int steps, double seconds, SequenceModel model) {
    }

    private ChaoticTrainer() {
    }

    /** Runs {@code c}; {@code out} (may be null) gets config, metrics, spectra, weights and the free-running curve. */
    public static Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        if (out != null) {
            RunFolder.prepare(out);
        }
        RunSettings s = c.settings();
        ChaoticSeries series = ChaoticSeries.generate(c.task(), c.length(), s.seed());
        Windows w = new Windows(series, c.trainFraction(), c.window());
        int dims = w.dims();
        TrainingSetup setup = TrainingSetup.create(s, dims, dims, null);
        float[] train = w.trainValues();
        float[] test = w.testValues();
        int[] starts = IntStream.range(0, w.trainCount(c.stride())).map(k -> k * c.stride()).toArray();
        int[] testStarts = IntStream.range(0, w.testCount(1)).toArray();
        double persistence = Nmse.persistence(toDouble(test, (c.window() - 1) * dims, test.length), dims);

        String settings = c.describe() + "\n" + setup.describe() + "\ndata: " + series.settings()
                + String.format(Locale.ROOT, "%nwindows: %d training, %d test; persistence baseline (x̂_{t+1} = x_t) "
                        + "one-step test NMSE %.6g", starts.length, testStarts.length, persistence);
        log.accept(settings);
        if (out != null) {
            RunFolder.startRun(out, settings + "\n");
        }
        MeanSquaredError mse = new MeanSquaredError(setup.backend());
        SplittableRandom rnd = new SplittableRandom(s.seed() * 31 + 13);
        int n = starts.length;
        int stepsPerEpoch = (n + s.batch() - 1) / s.batch();
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_nmse,seconds\n");
        SpectrumTracker tracker = RunFolder.tracker(out, setup.model(), stepsPerEpoch, c.window());
        double lastLoss = Double.NaN;
        double trainNmse = Double.NaN;
        int step = 0;
        try {
            int[] order = starts.clone();
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                double sum = 0;
                for (int from = 0; from < n; from += s.batch()) {
                    int to = Math.min(n, from + s.batch());
                    if (tracker != null) {
                        tracker.onStep(step);
                    }
                    int[] batch = java.util.Arrays.copyOfRange(order, from, to);
                    Tensor target = setup.onDevice(w.targets(train, batch));
                    sum += setup.step(w.inputs(train, batch), y -> mse.compute(y, target)) * (to - from);
                    step++;
                }
                lastLoss = sum / n;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            s.epochs(), lastLoss));
                    break;
                }
                trainNmse = oneStep(setup, w, train, starts);
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6g,%.6g,%.2f%n", epoch, step, lastLoss, trainNmse, secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4g  train nmse %.4g  (%.1f s)",
                        epoch, s.epochs(), RunFolder.bar(epoch, s.epochs()), lastLoss, trainNmse, secs));
            }
            double testNmse = oneStep(setup, w, test, testStarts);
            int[] freeStarts = IntStream.iterate(0, k -> k + Math.max(1, c.window() / 2))
                    .takeWhile(k -> k + c.window() + c.horizon() <= w.testSteps()).toArray();
            double[] byStep = new double[c.horizon()];
            double freeRun = freeRunning(setup, w, test, freeStarts, c.horizon(), byStep);
            if (out != null) {
                StringBuilder fr = new StringBuilder("step_ahead,nmse\n");
                for (int h = 0; h < byStep.length; h++) {
                    fr.append(h + 1).append(',').append(String.format(Locale.ROOT, "%.6g", byStep[h])).append('\n');
                }
                RunFolder.write(out.resolve("free-running.csv"), fr.toString());
                RunFolder.write(out.resolve("metrics.csv"), metrics.toString());
                RunFolder.writeWeights(out, setup.model(), Map.of("task", c.task(), "cell", s.cell(), "init", s.init()));
                RunFolder.write(out.resolve("result.txt"), RunFolder.divergedNote(lastLoss) + String.format(Locale.ROOT,
                        "train nmse: %.6g%npersistence nmse: %.6g%nfree-running nmse (%d steps): %.6g%ntest nmse: %.6g%n",
                        trainNmse, persistence, c.horizon(), freeRun, testNmse));
            }
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
            }
            return new Result(trainNmse, testNmse, freeRun, persistence, byStep, lastLoss, step,
                    (System.nanoTime() - start) / 1e9, setup.model());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    /** One-step NMSE at the last step of the windows at {@code starts}, 512 at a time. */
    static double oneStep(TrainingSetup setup, Windows w, float[] part, int[] starts) {
        int d = w.dims();
        int last = w.window() - 1;
        double[] pred = new double[starts.length * d];
        double[] target = new double[starts.length * d];
        for (int from = 0; from < starts.length; from += 512) {
            int[] batch = java.util.Arrays.copyOfRange(starts, from, Math.min(starts.length, from + 512));
            Tensor y = setup.evaluate(w.inputs(part, batch)).select(last);
            for (int k = 0; k < batch.length; k++) {
                for (int j = 0; j < d; j++) {
                    pred[(from + k) * d + j] = y.get(k, j);
                    target[(from + k) * d + j] = part[(batch[k] + w.window()) * d + j];
                }
            }
        }
        return Nmse.of(pred, target, d);
    }

    /**
     * Free-running NMSE: from each start, W true values, then {@code horizon} predictions fed back
     * through a sliding window. Fills {@code byStep[h]} with the NMSE of step h + 1 ahead over all starts;
     * returns the NMSE pooled over every step and start.
     */
    static double freeRunning(TrainingSetup setup, Windows w, float[] part, int[] starts, int horizon, double[] byStep) {
        int d = w.dims();
        int win = w.window();
        int b = starts.length;
        // per start: the W context values, then the predictions
        float[][] seq = new float[b][(win + horizon) * d];
        for (int k = 0; k < b; k++) {
            System.arraycopy(part, starts[k] * d, seq[k], 0, win * d);
        }
        for (int h = 0; h < horizon; h++) {
            float[] x = new float[win * b * d];
            for (int k = 0; k < b; k++) {
                for (int t = 0; t < win; t++) {
                    System.arraycopy(seq[k], (h + t) * d, x, (t * b + k) * d, d);
                }
            }
            Tensor y = setup.evaluate(Tensor.of(x, win, b, d)).select(win - 1);
            for (int k = 0; k < b; k++) {
                for (int j = 0; j < d; j++) {
                    seq[k][(win + h) * d + j] = (float) y.get(k, j);
                }
            }
        }
        double[] pred = new double[b * horizon * d];
        double[] target = new double[b * horizon * d];
        for (int h = 0; h < horizon; h++) {
            double[] p = new double[b * d];
            double[] t = new double[b * d];
            for (int k = 0; k < b; k++) {
                for (int j = 0; j < d; j++) {
                    p[k * d + j] = seq[k][(win + h) * d + j];
                    t[k * d + j] = part[(starts[k] + win + h) * d + j];
                    pred[(h * b + k) * d + j] = p[k * d + j];
                    target[(h * b + k) * d + j] = t[k * d + j];
                }
            }
            byStep[h] = b > 1 ? Nmse.of(p, t, d) : Double.NaN;
        }
        return Nmse.of(pred, target, d);
    }

    private static double[] toDouble(float[] v, int from, int to) {
        double[] out = new double[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = v[i];
        }
        return out;
    }
}

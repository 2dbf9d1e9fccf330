package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.Tomita;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.init.SpectrumSource;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Trains a one-hot-input recurrent classifier (model → 2 logits, read on the last step, softmax
 * cross-entropy, Adam, global-norm clipping) on a Tomita grammar, and tests it on longer strings.
 * Used by {@code mnemo train}, {@code mnemo reproduce tomita} and {@code mnemo reproduce spectra}.
 */
public final class TomitaTrainer {

    /** Cells by name. */
    public static final List<String> CELLS = SequenceModels.RECURRENT_CELLS;

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
            RunSettings checked = new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed,
                    device);
            cell = checked.cell();
            device = checked.device();
            RunSettings.positive("per-class", perClass);
            initParams = checked.initParams();
        }

        /** The shared part of the settings. */
        public RunSettings settings() {
            return new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed, device);
        }

        /** The settings as {@code key: value} lines (the model and initializer are added by the run). */
        public String describe() {
            return "task: tomita" + grammar + "\n" + settings().describe() + "\n" + String.join("\n",
                    "batches: each string drawn by a uniform length, then uniformly among the training strings of "
                            + "that length (with replacement); an epoch = as many strings as the training set",
                    "train lengths: " + trainMin + ".." + trainMax + ", test lengths: " + testMin + ".." + testMax
                            + ", up to " + perClass + " distinct strings per class per length",
                    "held out: up to " + perClass + " strings per class per training length that training never "
                            + "saw (a test range that overlaps the training lengths also leaves the training strings "
                            + "out)",
                    "inputs: one-hot, right-padded with zeros; 2 logits read at each string's own last step, "
                            + "which no padding reaches; softmax cross-entropy");
        }
    }

    /**
     * What a classification run measured; {@code model} is the trained model. {@code heldOutAccuracy} is on
     * {@code heldOutSize} strings of the training lengths that training never saw (NaN when there are none,
     * and for MNIST, which has no such set).
     */
    public record Result(double trainAccuracy, double testAccuracy, double lastLoss, int steps, double seconds,
                         String initDescription, SequenceModel model, int trainSize, int testSize,
                         double heldOutAccuracy, int heldOutSize) {

        /** The line a study's table adds when some spectrum-matched runs were {@linkplain #notRunSourceDiverged not run}. */
        public static final String SOURCE_DIVERGED_NOTE = "spectrum-matched runs whose eigen run diverged were not run "
                + "(a NaN spectrum has nothing to copy); they count as diverged\n";

        /**
         * The place of a spectrum-matched run that was not run because {@code source}, the eigen run whose trained
         * spectrum it copies, diverged: no scores, a non-finite loss (so a study counts it as diverged), no model.
         */
        public static Result notRunSourceDiverged(Result source) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, 0, 0, "spectrum-matched: not run, its eigen run "
                    + "diverged", null, source.trainSize(), source.testSize(), Double.NaN, source.heldOutSize());
        }

        /** Whether this is a run that was {@linkplain #notRunSourceDiverged not run}. */
        public boolean notRun() {
            return model == null;
        }

        /** The first recurrent layer of the model (null when it has none, or when the run was not run). */
        public RecurrentLayer layer() {
            if (model == null) {
                return null;
            }
            var layers = model.recurrentLayers();
            return layers.isEmpty() ? null : layers.firstEntry().getValue();
        }
    }

    private TomitaTrainer() {
    }

    /**
     * Runs {@code config}. {@code progress} gets the settings and one line per epoch (may be null);
     * {@code out}, when non-null, receives config.txt, metrics.csv, the spectrum files and
     * weights.safetensors.
     */
    public static Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        if (out != null) {
            RunFolder.prepare(out);
        }
        Tomita.Data train = Tomita.generate(c.grammar(), c.trainMin(), c.trainMax(), c.perClass(), c.seed());
        // a test range that overlaps the training lengths leaves the training strings out (58 % of tomita1's
        // test strings were training strings at 1..12 both); the held-out set is of the training lengths
        boolean overlap = c.testMin() <= c.trainMax() && c.trainMin() <= c.testMax();
        Tomita.Data test = Tomita.generate(c.grammar(), c.testMin(), c.testMax(), c.perClass(), c.seed() + 1_000_003L,
                overlap ? train : null);
        Tomita.Data heldOut = Tomita.generate(c.grammar(), c.trainMin(), c.trainMax(), c.perClass(),
                c.seed() + 2_000_003L, train);
        if (train.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("tomita" + c.grammar() + " has no balanced strings in the chosen lengths");
        }
        TrainingSetup setup = TrainingSetup.create(c.settings(), 2, 2, c.matched());
        SequenceModel model = setup.model();

        String settings = c.describe() + "\n" + setup.describe()
                + "\ndata: " + train.size() + " training strings, " + test.size() + " test strings, " + heldOut.size()
                + " held-out strings of the training lengths (balanced per length)";
        log.accept(settings);
        if (out != null) {
            RunFolder.startRun(out, settings + "\n");
        }

        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(setup.backend());
        SplittableRandom rnd = new SplittableRandom(c.seed() * 31 + 7);
        int n = train.size();
        int stepsPerEpoch = (n + c.batch() - 1) / c.batch();
        int[] order = new int[n];
        List<int[]> byLength = new ArrayList<>();
        for (int len = c.trainMin(); len <= c.trainMax(); len++) {
            final int l = len;
            int[] pool = IntStream.range(0, n).filter(i -> train.lengths()[i] == l).toArray();
            if (pool.length > 0) {
                byLength.add(pool);
            }
        }
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_accuracy,seconds\n");
        SpectrumTracker tracker = RunFolder.tracker(out, model, stepsPerEpoch, c.testMax());
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
                    int[] y = Tomita.labels(train, order, from, to);
                    int[] lengths = Tomita.steps(train, order, from, to);
                    sum += setup.step(Tomita.oneHot(train, order, from, to),
                            logits -> ce.lastStep(logits, y, lengths, false)) * (to - from);
                    step++;
                }
                lastLoss = sum / n;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            c.epochs(), lastLoss));
                    break;
                }
                trainAcc = accuracy(setup, train);
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.2f%n", epoch, step, lastLoss, trainAcc, secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f  train accuracy %.4f  (%.1f s)",
                        epoch, c.epochs(), RunFolder.bar(epoch, c.epochs()), lastLoss, trainAcc, secs));
            }
            double testAcc = accuracy(setup, test);
            double heldOutAcc = heldOut.size() == 0 ? Double.NaN : accuracy(setup, heldOut);
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
            }
            if (out != null) { // memnet has no tracker but still gets its run folder
                RunFolder.write(out.resolve("metrics.csv"), metrics.toString());
                RunFolder.writeWeights(out, model, Map.of("task", "tomita" + c.grammar(), "cell", c.cell(),
                        "init", c.init()));
                RunFolder.write(out.resolve("result.txt"), RunFolder.divergedNote(lastLoss) + String.format(Locale.ROOT,
                        "train accuracy: %.4f%n%stest accuracy: %.4f%n", trainAcc, heldOutLine(heldOutAcc, heldOut.size(),
                                c), testAcc));
            }
            return new Result(trainAcc, testAcc, lastLoss, step, (System.nanoTime() - start) / 1e9,
                    model.initDescription(), model, train.size(), test.size(), heldOutAcc, heldOut.size());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    /** "held-out accuracy (lengths 1..12, 1234 strings never trained on): 0.9876", with its newline. */
    public static String heldOutLine(double accuracy, int size, Config c) {
        return String.format(Locale.ROOT, "held-out accuracy (lengths %d..%d, %d strings never trained on): %s%n",
                c.trainMin(), c.trainMax(), size, size == 0 ? "none" : String.format(Locale.ROOT, "%.4f", accuracy));
    }

    /**
     * Argmax accuracy at each string's own last step over {@code data}, in evaluation mode, 512 strings
     * at a time. Right-padding comes after that step, so each prediction is the model's on the string
     * alone, whatever else the batch holds.
     */
    public static double accuracy(TrainingSetup setup, Tomita.Data data) {
        int n = data.size();
        int[] index = IntStream.range(0, n).toArray();
        int correct = 0;
        for (int from = 0; from < n; from += 512) {
            int to = Math.min(n, from + 512);
            Tensor last = lastLogits(setup, data, index, from, to);
            for (int i = from; i < to; i++) {
                int predicted = last.get(i - from, 1) > last.get(i - from, 0) ? 1 : 0;
                correct += predicted == data.labels()[i] ? 1 : 0;
            }
        }
        return (double) correct / n;
    }

    /** The 2 logits {@code [B, 2]} (on the host) of the strings {@code index[from..to)}, each at its own last step. */
    static Tensor lastLogits(TrainingSetup setup, Tomita.Data data, int[] index, int from, int to) {
        return setup.evaluateLastSteps(Tomita.oneHot(data, index, from, to), Tomita.steps(data, index, from, to));
    }

    /** Creates {@code out} and checks that a file can be written in it (see {@link RunFolder#prepare}). */
    public static void prepare(Path out) {
        RunFolder.prepare(out);
    }
}

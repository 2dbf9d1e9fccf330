package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.symbolic.AssociativeRecallTask;
import dev.mnemo.experiments.tasks.symbolic.CopyTask;
import dev.mnemo.experiments.tasks.symbolic.ParityTask;
import dev.mnemo.experiments.tasks.symbolic.SequenceAccuracy;
import dev.mnemo.experiments.tasks.symbolic.SequenceBatch;
import dev.mnemo.experiments.tasks.symbolic.SymbolicTask;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a model on a symbolic sequence task (copy, reverse, parity, associative recall): one-hot
 * inputs, logits on every step, softmax cross-entropy on the scored steps only, Adam, global-norm
 * clipping. Training batches are fresh draws every step; the test set is a fixed draw from another
 * seed. Scores: accuracy per scored symbol and per sequence (all scored steps right).
 */
public final class SymbolicTrainer {

    /** Task names, as {@code --task} takes them. */
    public static final List<String> TASKS = List.of("copy", "reverse", "parity", "parity-final", "recall");

    /**
     * Every setting of a run.
     *
     * @param alphabet       copy/reverse: symbols; recall: keys and values (each); parity: unused
     * @param minLength      copy/reverse/parity: shortest string; recall: fewest pairs
     * @param trainPerEpoch  training sequences per epoch (fresh draws)
     * @param testSize       test sequences (a fixed draw)
     */
    public record Config(String task, RunSettings settings, int alphabet, int minLength, int maxLength,
                         int trainPerEpoch, int testSize) {

        public Config {
            task = task.trim().toLowerCase(Locale.ROOT);
            if (!TASKS.contains(task)) {
                throw new IllegalArgumentException("unknown symbolic task '" + task + "'; valid: " + String.join(", ", TASKS));
            }
            RunSettings.positive("train sequences per epoch", trainPerEpoch);
            RunSettings.positive("test sequences", testSize);
            data(task, alphabet, minLength, maxLength); // checks the sizes up front
        }

        /** The task's generator. */
        public SymbolicTask data() {
            return data(task, alphabet, minLength, maxLength);
        }

        private static SymbolicTask data(String task, int alphabet, int min, int max) {
            return switch (task) {
                case "copy" -> CopyTask.copy(alphabet, min, max);
                case "reverse" -> CopyTask.reverse(alphabet, min, max);
                case "parity" -> new ParityTask(min, max, ParityTask.Mode.RUNNING);
                case "parity-final" -> new ParityTask(min, max, ParityTask.Mode.FINAL);
                default -> new AssociativeRecallTask(alphabet, alphabet, min, max);
            };
        }

        /** The settings as {@code key: value} lines. */
        public String describe() {
            String sizes = switch (task) {
                case "copy", "reverse" -> "alphabet " + alphabet + ", string lengths " + minLength + ".." + maxLength
                        + " (T = 2L + 1: the string, a delimiter, L blank steps scored)";
                case "parity" -> "bit strings of lengths " + minLength + ".." + maxLength + ", running parity scored at every step";
                case "parity-final" -> "bit strings of lengths " + minLength + ".." + maxLength + ", parity scored at the last step";
                default -> alphabet + " keys, " + alphabet + " values, " + minLength + ".." + maxLength
                        + " (key, value) pairs, then a delimiter and a query key; its value scored at the last step";
            };
            return "task: " + task + "\n" + settings.describe() + "\n" + String.join("\n",
                    "data: " + sizes,
                    "training: " + trainPerEpoch + " fresh sequences per epoch; test: " + testSize
                            + " sequences drawn once from another seed (not held out: short sequences and parity's "
                            + "recur in training, and the result scores the never-drawn ones apart)",
                    "inputs: one-hot, time-major, right-padded; loss: softmax cross-entropy on the scored steps only",
                    "scores: accuracy per scored symbol, and per sequence (every scored step right)");
        }
    }

    /** What a run measured. */
    public record Result(SequenceAccuracy train, SequenceAccuracy test, SequenceAccuracy testUnseen, double lastLoss,
                         int steps, double seconds, SequenceModel model) {

        /** Test accuracy per sequence. */
        public double testAccuracy() {
            return test.perSequence();
        }
    }

    private SymbolicTrainer() {
    }

    /** Runs {@code c}; {@code out} (may be null) gets config, metrics, spectra (recurrent cells), weights, result. */
    public static Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        if (out != null) {
            RunFolder.prepare(out);
        }
        RunSettings s = c.settings();
        SymbolicTask task = c.data();
        TrainingSetup setup = TrainingSetup.create(s, task.inputSize(), task.classes(), null);
        List<SequenceBatch> test = draw(task, c.testSize(), new SplittableRandom(s.seed() + 1_000_003L));
        List<SequenceBatch> trainProbe = draw(task, Math.min(512, c.trainPerEpoch()), new SplittableRandom(s.seed() * 31 + 5));
        String settings = c.describe() + "\n" + setup.describe() + "\ninputs: " + task.inputSize() + " channels, "
                + task.classes() + " classes, at most " + task.maxSteps() + " steps";
        log.accept(settings);
        if (out != null) {
            RunFolder.startRun(out, settings + "\n");
        }
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(setup.backend());
        SplittableRandom rnd = new SplittableRandom(s.seed() * 31 + 11);
        int stepsPerEpoch = (c.trainPerEpoch() + s.batch() - 1) / s.batch();
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_symbol_accuracy,train_sequence_accuracy,seconds\n");
        SpectrumTracker tracker = RunFolder.tracker(out, setup.model(), stepsPerEpoch, task.maxSteps());
        double lastLoss = Double.NaN;
        SequenceAccuracy trainAcc = SequenceAccuracy.EMPTY;
        // Training draws fresh sequences from a finite space: short ones, and parity's, all recur in the
        // test set. What the model never saw is scored apart.
        Set<String> drawn = new HashSet<>();
        int step = 0;
        try {
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                double sum = 0;
                int seen = 0;
                for (int k = 0; k < stepsPerEpoch; k++) {
                    int b = Math.min(s.batch(), c.trainPerEpoch() - k * s.batch());
                    if (tracker != null) {
                        tracker.onStep(step);
                    }
                    SequenceBatch batch = task.sample(b, rnd);
                    for (int i = 0; i < b; i++) {
                        drawn.add(batch.sequenceKey(i));
                    }
                    sum += setup.step(batch.inputs(), y -> MaskedLoss.of(setup.backend(), ce, y, batch)) * b;
                    seen += b;
                    step++;
                }
                lastLoss = sum / seen;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            s.epochs(), lastLoss));
                    break;
                }
                trainAcc = accuracy(setup, trainProbe);
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f,%.2f%n", epoch, step, lastLoss,
                        trainAcc.perSymbol(), trainAcc.perSequence(), secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f  train accuracy %.4f per symbol, "
                                + "%.4f per sequence  (%.1f s)", epoch, s.epochs(), RunFolder.bar(epoch, s.epochs()),
                        lastLoss, trainAcc.perSymbol(), trainAcc.perSequence(), secs));
            }
            TestScores testAcc = testScores(setup, test, drawn);
            if (out != null) {
                RunFolder.write(out.resolve("metrics.csv"), metrics.toString());
                RunFolder.writeWeights(out, setup.model(), Map.of("task", c.task(), "cell", s.cell(), "init", s.init()));
                RunFolder.write(out.resolve("result.txt"), RunFolder.divergedNote(lastLoss)
                        + lines(trainAcc, testAcc.all(), testAcc.unseen()));
            }
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
            }
            return new Result(trainAcc, testAcc.all(), testAcc.unseen(), lastLoss, step, (System.nanoTime() - start) / 1e9,
                    setup.model());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    /** The result lines, the last one {@code test accuracy: …} (per sequence, every test sequence). */
    public static String lines(SequenceAccuracy train, SequenceAccuracy test, SequenceAccuracy testUnseen) {
        return String.format(Locale.ROOT, "train accuracy: %.4f per symbol, %.4f per sequence%n"
                        + "test accuracy per symbol: %.4f%ntest accuracy per sequence: %.4f%n"
                        + "test accuracy per sequence on the %d of %d test sequences never drawn in training: %s%n"
                        + "test accuracy: %.4f%n",
                train.perSymbol(), train.perSequence(), test.perSymbol(), test.perSequence(), testUnseen.sequences(),
                test.sequences(), testUnseen.sequences() == 0 ? "none"
                        : String.format(Locale.ROOT, "%.4f", testUnseen.perSequence()), test.perSequence());
    }

    private static List<SequenceBatch> draw(SymbolicTask task, int n, SplittableRandom rnd) {
        List<SequenceBatch> out = new ArrayList<>();
        for (int from = 0; from < n; from += 512) {
            out.add(task.sample(Math.min(512, n - from), rnd));
        }
        return out;
    }

    /** Accuracy over {@code batches} in evaluation mode. */
    static SequenceAccuracy accuracy(TrainingSetup setup, List<SequenceBatch> batches) {
        SequenceAccuracy acc = SequenceAccuracy.EMPTY;
        for (SequenceBatch b : batches) {
            acc = acc.plus(SequenceAccuracy.of(b, setup.evaluate(b.inputs())));
        }
        return acc;
    }

    /** The test set's accuracy over every sequence, and over those never drawn in training. */
    record TestScores(SequenceAccuracy all, SequenceAccuracy unseen) {
    }

    /** {@link TestScores} of {@code batches}, {@code drawn} holding the training sequences' keys. */
    static TestScores testScores(TrainingSetup setup, List<SequenceBatch> batches, Set<String> drawn) {
        SequenceAccuracy all = SequenceAccuracy.EMPTY;
        SequenceAccuracy unseen = SequenceAccuracy.EMPTY;
        for (SequenceBatch b : batches) {
            int[] predicted = SequenceAccuracy.argmax(setup.evaluate(b.inputs()));
            all = all.plus(SequenceAccuracy.of(b, predicted));
            unseen = unseen.plus(SequenceAccuracy.of(b, predicted, i -> !drawn.contains(b.sequenceKey(i))));
        }
        return new TestScores(all, unseen);
    }
}

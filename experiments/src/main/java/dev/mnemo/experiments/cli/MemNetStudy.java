package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.BabiTrainer;
import dev.mnemo.experiments.train.ChaoticTrainer;
import dev.mnemo.experiments.train.MatchedSize;
import dev.mnemo.experiments.train.MemNetModel;
import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.SymbolicTrainer;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

/**
 * {@code mnemo reproduce memnet}: MemNet against LSTM and GRU at matched parameter counts on
 * Mackey-Glass 17 (one-step and free-running NMSE), associative recall and copy (sequence accuracy)
 * and generated bAbI qa1 (accuracy); mean ± std over seeds, as Markdown, CSV and a PNG bar chart of
 * the accuracies. MemNet's size is set (d_k = d_v = {@code --hidden}, M slots); the LSTM and GRU
 * hidden sizes are then chosen per task so their counts come nearest MemNet's.
 */
final class MemNetStudy {

    static final List<String> MODELS = List.of("memnet", "lstm", "gru");

    private final ReproduceCommand r;

    MemNetStudy(ReproduceCommand r) {
        this.r = r;
    }

    /** Adam's learning rate on bAbI, for every model: at 0.01 MemNet (d = 32) diverged on every seed. */
    static final double BABI_LR = 0.003;

    /** The study's sizes; {@code --quick} shrinks data and epochs, and says so. */
    record Sizes(int epochs, int width, int slots, int mgLength, int mgWindow, int mgHorizon, int recallKeys,
                 int recallMaxPairs, int copyAlphabet, int copyMaxLength, int trainPerEpoch, int testSize,
                 int stories, int testStories, int maxFacts, double babiLr) {

        static Sizes of(boolean quick, Integer epochs, Integer hidden) {
            return quick
                    ? new Sizes(epochs != null ? epochs : 12, hidden != null ? hidden : 16, 8, 1500, 30, 20, 8, 3, 4, 4,
                    1000, 500, 150, 40, 4, BABI_LR)
                    : new Sizes(epochs != null ? epochs : 25, hidden != null ? hidden : 32, 8, 4000, 50, 50, 8, 4, 8, 6,
                    2000, 1000, 500, 100, 6, BABI_LR);
        }

        String describe() {
            return String.join("\n",
                    "mackey-glass17: " + mgLength + " steps (80 % train, split in time), windows of " + mgWindow
                            + " every 5 steps, MSE on every step; one-step test NMSE and free-running NMSE over "
                            + mgHorizon + " steps (predictions fed back)",
                    "recall: " + recallKeys + " keys, " + recallKeys + " values, 2.." + recallMaxPairs
                            + " pairs, then a delimiter and a query key; sequence accuracy",
                    "copy: alphabet " + copyAlphabet + ", lengths 1.." + copyMaxLength
                            + " (string, delimiter, blanks to answer on); sequence accuracy (every symbol right)",
                    "symbolic: " + trainPerEpoch + " fresh training sequences per epoch, " + testSize
                            + " test sequences from another seed (not held out: short strings recur in training)",
                    "babi-qa1: GENERATED data (Mnemo's generator, not Facebook's bAbI set), " + stories
                            + " training / " + testStories + " test stories of 5 questions; last " + maxFacts
                            + " facts + question as word tokens; accuracy",
                    "every run: " + epochs + " epochs, batch 32, Adam lr 0.01 (bAbI: " + babiLr + " for every model; at 0.01 "
                            + "MemNet's training loss diverged on every seed), global-norm clip 1.0, PyTorch "
                            + "initialisation for every model; the seed sets data, weights and batch order",
                    "memnet: d_k = d_v = " + width + ", M = " + slots + " slots, dropout 0.1 on the fed-back state, "
                            + "its own output layer (no extra head)",
                    "lstm, gru: one layer, Linear head on every step; hidden size chosen per task so the parameter "
                            + "count is the nearest to memnet's");
        }
    }

    /** One table row: a task's metric for one model. */
    private record Row(String task, String metric, String model, int size, long parameters) {
    }

    private interface Job {
        double[] run(RunSettings s);
    }

    private record Task(String name, String[] metrics, int in, int out, boolean accuracy, Job job) {
    }

    Integer run(PrintWriter o) throws Exception {
        long start = System.nanoTime();
        int nSeeds = r.seeds != null ? r.seeds : r.quick ? 2 : 3;
        int nThreads = StudyPool.threads(r.threads, r.device);
        if (nSeeds < 1 || nThreads < 1) {
            throw new IllegalArgumentException("--seeds and --threads must be >= 1");
        }
        Sizes z = Sizes.of(r.quick, r.epochs, r.hidden);
        settings("memnet", z.width(), z, 1); // checks the shared settings (device, epochs) before any work
        Path dir = r.out != null ? r.out : Path.of("runs", "reproduce-memnet" + (r.quick ? "-quick" : ""));
        RunFolder.prepare(dir);

        List<Task> tasks = tasks(z);
        Map<Row, List<Future<double[]>>> runs = new LinkedHashMap<>();
        int total = tasks.size() * MODELS.size() * nSeeds;
        o.printf(Locale.ROOT, "reproduce memnet%s: %d runs on %d thread(s)%n", r.quick ? " --quick" : "", total, nThreads);
        o.flush();
        AtomicInteger done = new AtomicInteger();
        Map<Row, List<double[]>> results = new LinkedHashMap<>();
        try (StudyPool pool = new StudyPool(nThreads, r.device)) {
            for (Task t : tasks) {
                long target = MemNetModel.parameterCount(t.in(), t.out(), z.width(), z.width());
                for (String model : MODELS) {
                    int size = model.equals("memnet") ? z.width() : MatchedSize.recurrentHidden(model, t.in(), t.out(), target);
                    long count = model.equals("memnet") ? target : MatchedSize.recurrentCount(model, t.in(), t.out(), size);
                    Row row = new Row(t.name(), String.join(";", t.metrics()), model, size, count);
                    List<Future<double[]>> fs = new ArrayList<>();
                    for (int seed = 1; seed <= nSeeds; seed++) {
                        RunSettings s = settings(model, size, z, seed);
                        fs.add(pool.submit(() -> {
                            long t0 = System.nanoTime();
                            double[] v = t.job().run(s);
                            synchronized (o) {
                                o.printf(Locale.ROOT, "[%d/%d] %-14s %-6s (%,d parameters) seed %d: %s (%.1f s)%n",
                                        done.incrementAndGet(), total, t.name(), model, count, s.seed(),
                                        values(t.metrics(), v), (System.nanoTime() - t0) / 1e9);
                                o.flush();
                            }
                            return v;
                        }));
                    }
                    runs.put(row, fs);
                }
            }
            results.putAll(pool.awaitAll(runs));
        }
        report(o, dir, tasks, results, z, nSeeds, nThreads, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private RunSettings settings(String model, int size, Sizes z, long seed) {
        Map<String, String> params = model.equals("memnet")
                ? Map.of(MemNetModel.SLOTS, String.valueOf(z.slots())) : Map.of();
        return new RunSettings(model, MemNetModel.INIT, params, size, 1, z.epochs(), 32, 0.01, 1.0, seed, r.device);
    }

    private static List<Task> tasks(Sizes z) {
        List<Task> out = new ArrayList<>();
        out.add(new Task("mackey-glass17", new String[] {"one-step NMSE", "free-running NMSE (" + z.mgHorizon() + " steps)"},
                1, 1, false, s -> {
            var res = ChaoticTrainer.run(new ChaoticTrainer.Config("mackey-glass17", s, z.mgLength(), 0.8,
                    z.mgWindow(), 5, z.mgHorizon()), null, null);
            return new double[] {SeedScores.of(res.testNmse(), res.lastLoss()), SeedScores.of(res.freeRunNmse(), res.lastLoss())};
        }));
        var recall = new SymbolicTrainer.Config("recall", settings0(), z.recallKeys(), 2, z.recallMaxPairs(),
                z.trainPerEpoch(), z.testSize());
        out.add(new Task("recall", new String[] {"sequence accuracy"}, recall.data().inputSize(), recall.data().classes(),
                true, s -> new double[] {sequenceAccuracy(SymbolicTrainer.run(new SymbolicTrainer.Config("recall", s,
                z.recallKeys(), 2, z.recallMaxPairs(), z.trainPerEpoch(), z.testSize()), null, null))}));
        var copy = new SymbolicTrainer.Config("copy", settings0(), z.copyAlphabet(), 1, z.copyMaxLength(),
                z.trainPerEpoch(), z.testSize());
        out.add(new Task("copy", new String[] {"sequence accuracy"}, copy.data().inputSize(), copy.data().classes(),
                true, s -> new double[] {sequenceAccuracy(SymbolicTrainer.run(new SymbolicTrainer.Config("copy", s,
                z.copyAlphabet(), 1, z.copyMaxLength(), z.trainPerEpoch(), z.testSize()), null, null))}));
        // the vocabulary and answers of seed 1's stories fix the sizes; other seeds draw the same word lists
        int[] babi = BabiTrainer.sizes(new BabiTrainer.Config(1, settings0(), z.stories(), z.testStories(), z.maxFacts(), null));
        out.add(new Task("babi-qa1 (generated)", new String[] {"accuracy"}, babi[0], babi[1], true,
                s -> {
                    var res = BabiTrainer.run(new BabiTrainer.Config(1, s.withLearningRate(z.babiLr()), z.stories(),
                            z.testStories(), z.maxFacts(), null), null, null);
                    return new double[] {SeedScores.of(res.testAccuracy(), res.lastLoss())};
                }));
        return out;
    }

    private static double sequenceAccuracy(SymbolicTrainer.Result res) {
        return SeedScores.of(res.test().perSequence(), res.lastLoss());
    }

    private static RunSettings settings0() {
        return new RunSettings("lstm", MemNetModel.INIT, Map.of(), 1, 1, 1, 1, 0.01, 1.0, 1, "cpu");
    }

    private static String values(String[] metrics, double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < metrics.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(metrics[i]).append(' ')
                    .append(Double.isNaN(v[i]) ? "diverged (training loss not finite)" : fmt(v[i]));
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 0.01 || v == 0 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.3e", v);
    }

    private void report(PrintWriter o, Path dir, List<Task> tasks, Map<Row, List<double[]>> results, Sizes z,
                        int nSeeds, int nThreads, double seconds) {
        StringBuilder md = new StringBuilder("### MemNet vs LSTM vs GRU at matched parameter counts"
                + (r.quick ? " (--quick: small data, " + z.epochs() + " epochs; a smoke-sized run)" : "")
                + "\n\nmean ± std over " + nSeeds + " seeds; NMSE: lower is better, accuracy: higher is better\n\n"
                + "| task | metric | model | size | parameters | mean ± std | per seed |\n|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("task,metric,model,size,parameters,seeds,mean,std,values\n");
        DefaultStatisticalCategoryDataset chart = new DefaultStatisticalCategoryDataset();
        for (Task t : tasks) {
            for (int m = 0; m < t.metrics().length; m++) {
                for (String model : MODELS) {
                    var e = results.entrySet().stream().filter(x -> x.getKey().task().equals(t.name())
                            && x.getKey().model().equals(model)).findFirst().orElseThrow();
                    Row row = e.getKey();
                    final int mi = m;
                    SeedScores v = new SeedScores(e.getValue().stream().mapToDouble(a -> a[mi]).toArray());
                    double mean = v.mean();
                    double std = v.std();
                    String each = v.each(MemNetStudy::fmt, "; ");
                    String summary = v.summary(MemNetStudy::fmt);
                    String size = model.equals("memnet") ? "d_k = d_v = " + row.size() + ", M = " + z.slots()
                            : "H = " + row.size();
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %,d | %s | %s |%n", t.name(),
                            t.metrics()[m], model.equals("memnet") ? "MemNet" : model.toUpperCase(Locale.ROOT), size,
                            row.parameters(), summary, each));
                    csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%.6g,%.6g,%s%n", t.name(), t.metrics()[m],
                            model, row.size(), row.parameters(), v.values().length, mean, std,
                            each.replace("; ", ";")));
                    if (t.accuracy() && v.diverged() < v.values().length) {
                        ReproduceCommand.addBar(chart, mean, std, model.equals("memnet") ? "MemNet" : model.toUpperCase(Locale.ROOT),
                                t.name());
                    }
                }
            }
        }
        md.append("\nSettings:\n\n```\n").append(z.describe()).append('\n')
                .append("seeds: 1..").append(nSeeds).append("; std: sample standard deviation (n − 1) over seeds; a run whose "
                        + "training loss stopped being finite is marked diverged and left out of mean and std\n")
                .append(settings("memnet", z.width(), z, 1).cpuGemm().map(line -> line + "\n").orElse(""))
                .append(ReproduceCommand.wallTime(seconds, nThreads, r.device))
                .append("```\n");
        o.println();
        o.print(md);
        o.flush();
        RunFolder.write(dir.resolve("memnet.md"), md.toString());
        RunFolder.write(dir.resolve("memnet.csv"), csv.toString());
        Path png = dir.resolve("memnet.png");
        barChart(png, chart, "MemNet vs LSTM vs GRU, matched parameters" + (r.quick ? " (--quick)" : "")
                + ": test accuracy (mean ± std)");
        o.println("wrote " + dir.resolve("memnet.md") + ", " + dir.resolve("memnet.csv") + ", " + png);
        o.flush();
    }

    private static void barChart(Path png, DefaultStatisticalCategoryDataset data, String title) {
        System.setProperty("java.awt.headless", "true");
        JFreeChart chart = ChartFactory.createBarChart(title, "task", "test accuracy", data, PlotOrientation.VERTICAL,
                true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Color.BLACK);
        plot.setRenderer(renderer);
        plot.getRangeAxis().setRange(0.0, 1.05);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        try {
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}

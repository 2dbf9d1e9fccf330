package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.data.MnistData;
import dev.mnemo.experiments.train.MnistTrainer;
import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.TomitaTrainer;
import dev.mnemo.nn.init.SpectrumSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

/**
 * {@code mnemo reproduce mnist}: the initializer × cell table on pixel-by-pixel MNIST (test accuracy,
 * mean ± std over seeds). {@code --quick} shrinks the images to 7×7 and the data to a subset, and
 * says so in the caption: its numbers are for a smoke-sized run, not the paper's setting.
 */
final class MnistReproduction {

    /** --quick: 7×7 images (49 steps), the first 2000 training and 500 test images. */
    static final int QUICK_DOWNSAMPLE = 4;
    static final int QUICK_TRAIN = 2000;

    private final ReproduceCommand r;

    MnistReproduction(ReproduceCommand r) {
        this.r = r;
    }

    private record Key(String cell, String init) {
    }

    Integer run(PrintWriter o) throws Exception {
        long start = System.nanoTime();
        int nSeeds = r.seeds != null ? r.seeds : r.quick ? 2 : 3;
        int epochs = r.epochs != null ? r.epochs : r.quick ? 5 : 10;
        int hidden = r.hidden != null ? r.hidden : r.quick ? 32 : 64;
        int downsample = r.quick ? QUICK_DOWNSAMPLE : 1;
        int trainLimit = r.quick ? QUICK_TRAIN : 0;
        int testLimit = r.quick ? 500 : 0;
        int nThreads = StudyPool.threads(r.threads, r.device);
        if (nSeeds < 1 || nThreads < 1) {
            throw new IllegalArgumentException("--seeds and --threads must be >= 1");
        }
        // checks every setting once, before any work
        MnistTrainer.Config probe = config("eigen", "lstm", 1, hidden, epochs, downsample, trainLimit, testLimit, null);
        Path dir = r.out != null ? r.out : Path.of("runs", "reproduce-mnist" + (r.quick ? "-quick" : ""));
        RunFolder.prepare(dir);
        MnistData.Source source = MnistData.load(r.data);

        List<String> cells = TomitaTrainer.CELLS;
        List<String> inits = ReproduceCommand.INITS;
        int total = cells.size() * inits.size() * nSeeds;
        o.printf(Locale.ROOT, "reproduce mnist%s: %d runs on %d thread(s); %s%n", r.quick ? " --quick" : "", total,
                nThreads, source.description());
        o.flush();
        AtomicInteger done = new AtomicInteger();
        Map<Key, List<Future<TomitaTrainer.Result>>> runs = new LinkedHashMap<>();
        try (StudyPool pool = new StudyPool(nThreads, r.device)) {
            // eigen first in each (cell, seed): spectrum-matched starts from its trained spectrum
            List<String> order = new ArrayList<>(inits);
            order.remove("eigen");
            order.addFirst("eigen");
            for (String cell : cells) {
                for (String init : inits) {
                    runs.put(new Key(cell, init), new ArrayList<>());
                }
                for (int s = 1; s <= nSeeds; s++) {
                    long seed = s;
                    Map<String, Future<TomitaTrainer.Result>> bySeed = new LinkedHashMap<>();
                    for (String init : order) {
                        Future<TomitaTrainer.Result> eigen = bySeed.get("eigen");
                        Callable<TomitaTrainer.Result> job = () -> {
                            if (init.equals("spectrum-matched") && !Double.isFinite(eigen.get().lastLoss())) {
                                synchronized (o) {
                                    o.printf(Locale.ROOT, "[%d/%d] %-4s %-16s seed %d: not run, its eigen run diverged%n",
                                            done.incrementAndGet(), total, cell, init, seed);
                                    o.flush();
                                }
                                return TomitaTrainer.Result.notRunSourceDiverged(eigen.get());
                            }
                            SpectrumSource matched = init.equals("spectrum-matched")
                                    ? SpectrumSource.fromLayer(eigen.get().layer()) : null;
                            var c = config(init, cell, seed, hidden, epochs, downsample, trainLimit, testLimit, matched);
                            var res = MnistTrainer.run(c, source, null, null);
                            synchronized (o) {
                                o.printf(Locale.ROOT, "[%d/%d] %-4s %-16s seed %d: test accuracy %.4f (train %.4f, %.1f s)%s%n",
                                        done.incrementAndGet(), total, cell, init, seed, res.testAccuracy(),
                                        res.trainAccuracy(), res.seconds(),
                                        Double.isFinite(res.lastLoss()) ? "" : " diverged: left out of the table");
                                o.flush();
                            }
                            return res;
                        };
                        Future<TomitaTrainer.Result> f = pool.submit(job);
                        bySeed.put(init, f);
                        runs.get(new Key(cell, init)).add(f);
                    }
                }
            }
            Map<Key, List<TomitaTrainer.Result>> results = pool.awaitAll(runs);
            report(o, dir, probe, source, nSeeds, results, (System.nanoTime() - start) / 1e9, nThreads);
        }
        return 0;
    }

    private MnistTrainer.Config config(String init, String cell, long seed, int hidden, int epochs, int downsample,
                                       int trainLimit, int testLimit, SpectrumSource matched) {
        return new MnistTrainer.Config("mnist", cell, init, Map.of(), hidden, 1, epochs, 32, 0.01, 1.0, seed, r.device,
                r.data, trainLimit, testLimit, downsample, matched);
    }

    private void report(PrintWriter o, Path dir, MnistTrainer.Config any, MnistData.Source source, int nSeeds,
                        Map<Key, List<TomitaTrainer.Result>> results, double seconds, int nThreads) {
        List<String> cells = TomitaTrainer.CELLS;
        TomitaTrainer.Result first = results.values().iterator().next().getFirst();
        String what = r.quick
                ? String.format(Locale.ROOT, "QUICK run: %dx%d downsampled digits (%d steps), %d train / %d test images",
                        28 / any.downsample(), 28 / any.downsample(), any.steps(), first.trainSize(), first.testSize())
                : String.format(Locale.ROOT, "%d steps, %d train / %d test images", any.steps(), first.trainSize(),
                        first.testSize());
        StringBuilder md = new StringBuilder("### Pixel-by-pixel MNIST: test accuracy (mean ± std over ")
                .append(nSeeds).append(" seeds) — ").append(what).append("\n\n| init | ");
        md.append(String.join(" | ", cells.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList()))
                .append(" |\n|---|").append("---|".repeat(cells.size())).append('\n');
        StringBuilder csv = new StringBuilder("init,cell,seeds,mean_test_accuracy,std_test_accuracy,mean_train_accuracy,"
                + "test_accuracies\n");
        DefaultStatisticalCategoryDataset chart = new DefaultStatisticalCategoryDataset();
        for (String init : ReproduceCommand.INITS) {
            md.append("| ").append(init).append(" |");
            for (String cell : cells) {
                List<TomitaTrainer.Result> rs = results.get(new Key(cell, init));
                SeedScores acc = new SeedScores(rs.stream()
                        .mapToDouble(x -> SeedScores.of(x.testAccuracy(), x.lastLoss())).toArray());
                double trainMean = new SeedScores(rs.stream()
                        .mapToDouble(x -> SeedScores.of(x.trainAccuracy(), x.lastLoss())).toArray()).mean();
                md.append(' ').append(acc.summary("%.3f")).append(" |");
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.4f,%.4f,%s%n", init, cell, acc.values().length,
                        acc.mean(), acc.std(), trainMean, acc.each("%.4f", ";")));
                if (acc.diverged() < acc.values().length) {
                    ReproduceCommand.addBar(chart, acc.mean(), acc.std(), cell.toUpperCase(Locale.ROOT), init);
                }
            }
            md.append('\n');
        }
        md.append("\nSettings (every run; cell, initializer and seed vary):\n\n```\n");
        for (String line : any.describe().split("\n")) {
            if (!line.startsWith("cell:") && !line.startsWith("seed:")) {
                md.append(line).append('\n');
            }
        }
        md.append("data: ").append(source.description()).append('\n');
        md.append("model: cell(1 → H) → Linear(H, 10), logits read on the last step\n");
        md.append("seeds: 1..").append(nSeeds).append(" (the seed sets initializer, head and batch order; the data "
                + "split is fixed)\n");
        md.append("rnn cell: tanh, except ReLU with irnn\n");
        md.append("std: sample standard deviation (n − 1) over seeds\n");
        md.append("initializers (as applied to the LSTM with seed 1):\n");
        for (String init : ReproduceCommand.INITS) {
            md.append("  ").append(results.get(new Key("lstm", init)).getFirst().initDescription()).append('\n');
        }
        md.append("spectrum-matched (ours, beyond the paper): the eigen-initialised model of the same cell and seed is "
                + "trained first in this run;\n  its trained weight_hh spectrum initialises a fresh model, trained with "
                + "the same settings\n");
        if (results.values().stream().flatMap(List::stream).anyMatch(TomitaTrainer.Result::notRun)) {
            md.append(TomitaTrainer.Result.SOURCE_DIVERGED_NOTE);
        }
        if (r.quick) {
            md.append("caveat: --quick is sized to finish in minutes on 2 CPU cores; with 7x7 images (49 steps, not 784), "
                    + "a subset and\n  few epochs the accuracies are far below the paper's full runs and say little about "
                    + "long memory; rows within a few std are noise\n");
        }
        md.append(ReproduceCommand.BASELINE_CAVEAT);
        md.append(ReproduceCommand.wallTime(seconds, nThreads, r.device));
        md.append("```\n");
        o.println();
        o.print(md);
        o.flush();
        ReproduceCommand.write(dir.resolve("table.md"), md.toString());
        ReproduceCommand.write(dir.resolve("table.csv"), csv.toString());
        Path png = dir.resolve("table.png");
        ReproduceCommand.barChart(png, chart, "Pixel-by-pixel MNIST" + (r.quick ? " (QUICK: " + what + ")" : "")
                + ": test accuracy (mean ± std)", "test accuracy");
        o.println("wrote " + dir.resolve("table.md") + ", " + dir.resolve("table.csv") + ", " + png);
        o.flush();
    }
}

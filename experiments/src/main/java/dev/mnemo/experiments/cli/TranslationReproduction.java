package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.tasks.translation.SyntheticParallelCorpus;
import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.TomitaTrainer;
import dev.mnemo.experiments.train.TranslationTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

/**
 * {@code mnemo reproduce translation}: the initializer × cell table on the synthetic language pair
 * (test BLEU, mean ± std over seeds), for encoder-decoders <b>without attention</b>: there the
 * recurrent state has to carry the whole sentence, which is what the initializers shape. (With
 * attention every cell translates this pair almost perfectly; the README's translation section has
 * that table.) spectrum-matched is left out: it takes one trained layer's spectrum, and a translator
 * has two.
 */
final class TranslationReproduction {

    static final List<String> INITS = ReproduceCommand.INITS.stream().filter(i -> !i.equals("spectrum-matched"))
            .toList();

    private final ReproduceCommand r;

    TranslationReproduction(ReproduceCommand r) {
        this.r = r;
    }

    private record Key(String cell, String init) {
    }

    Integer run(PrintWriter o) throws Exception {
        long start = System.nanoTime();
        int nSeeds = r.seeds != null ? r.seeds : r.quick ? 2 : 3;
        int epochs = r.epochs != null ? r.epochs : r.quick ? 6 : 12;
        int hidden = r.hidden != null ? r.hidden : r.quick ? 32 : 64;
        int pairs = r.quick ? 1500 : 4000;
        int testPairs = r.quick ? 200 : 500;
        int nThreads = StudyPool.threads(r.threads, r.device);
        if (nSeeds < 1 || nThreads < 1) {
            throw new IllegalArgumentException("--seeds and --threads must be >= 1");
        }
        // checks every setting once, before any work
        TranslationTrainer.Config probe = config("eigen", "lstm", 1, hidden, epochs, pairs, testPairs);
        Path dir = r.out != null ? r.out : Path.of("runs", "reproduce-translation" + (r.quick ? "-quick" : ""));
        RunFolder.prepare(dir);
        List<String> cells = TomitaTrainer.CELLS;
        int total = cells.size() * INITS.size() * nSeeds;
        o.printf(Locale.ROOT, "reproduce translation%s: %d runs on %d thread(s); synthetic data, no attention%n",
                r.quick ? " --quick" : "", total, nThreads);
        o.flush();
        AtomicInteger done = new AtomicInteger();
        Map<Key, List<Future<TranslationTrainer.Result>>> runs = new LinkedHashMap<>();
        try (StudyPool pool = new StudyPool(nThreads, r.device)) {
            for (String cell : cells) {
                for (String init : INITS) {
                    List<Future<TranslationTrainer.Result>> bySeed = new ArrayList<>();
                    for (int s = 1; s <= nSeeds; s++) {
                        long seed = s;
                        bySeed.add(pool.submit(() -> {
                            var res = TranslationTrainer.run(config(init, cell, seed, hidden, epochs, pairs, testPairs),
                                    null, null);
                            synchronized (o) {
                                o.printf(Locale.ROOT, "[%d/%d] %-4s %-11s seed %d: test BLEU %.2f (validation %.2f, %.1f s)%s%n",
                                        done.incrementAndGet(), total, cell, init, seed, res.test().bleu(),
                                        res.validation().bleu(), res.seconds(),
                                        Double.isFinite(res.lastLoss()) ? "" : " diverged: left out of the table");
                                o.flush();
                            }
                            return res;
                        }));
                    }
                    runs.put(new Key(cell, init), bySeed);
                }
            }
            Map<Key, List<TranslationTrainer.Result>> results = pool.awaitAll(runs);
            report(o, dir, probe, nSeeds, results, (System.nanoTime() - start) / 1e9, nThreads);
        }
        return 0;
    }

    private TranslationTrainer.Config config(String init, String cell, long seed, int hidden, int epochs, int pairs,
                                             int testPairs) {
        var s = new RunSettings(cell, init, Map.of(), hidden, 1, epochs, 32, 0.01, 1.0, seed, r.device);
        return new TranslationTrainer.Config(s, null, "en", "de", pairs, testPairs, 1, 50, hidden, true, false, 1);
    }

    private void report(PrintWriter o, Path dir, TranslationTrainer.Config any, int nSeeds,
                        Map<Key, List<TranslationTrainer.Result>> results, double seconds, int nThreads) {
        List<String> cells = TomitaTrainer.CELLS;
        String what = (r.quick ? "QUICK run, " : "") + any.trainPairs() + " training pairs, " + any.testPairs()
                + " test pairs, no attention";
        StringBuilder md = new StringBuilder("### Translation, synthetic pair: test BLEU (mean ± std over ")
                .append(nSeeds).append(" seeds) — ").append(what).append("\n\n| init | ");
        md.append(String.join(" | ", cells.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList()))
                .append(" |\n|---|").append("---|".repeat(cells.size())).append('\n');
        StringBuilder csv = new StringBuilder("init,cell,seeds,mean_test_bleu,std_test_bleu,mean_validation_bleu,"
                + "test_bleus\n");
        DefaultStatisticalCategoryDataset chart = new DefaultStatisticalCategoryDataset();
        for (String init : INITS) {
            md.append("| ").append(init).append(" |");
            for (String cell : cells) {
                List<TranslationTrainer.Result> rs = results.get(new Key(cell, init));
                SeedScores bleu = new SeedScores(rs.stream()
                        .mapToDouble(x -> SeedScores.of(x.test().bleu(), x.lastLoss())).toArray());
                double validationMean = new SeedScores(rs.stream()
                        .mapToDouble(x -> SeedScores.of(x.validation().bleu(), x.lastLoss())).toArray()).mean();
                md.append(' ').append(bleu.summary("%.1f")).append(" |");
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.2f,%.2f,%.2f,%s%n", init, cell, bleu.values().length,
                        bleu.mean(), bleu.std(), validationMean, bleu.each("%.2f", ";")));
                if (bleu.diverged() < bleu.values().length) {
                    ReproduceCommand.addBar(chart, bleu.mean() / 100, bleu.std() / 100, cell.toUpperCase(Locale.ROOT), init);
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
        md.append("data: ").append(SyntheticParallelCorpus.DESCRIPTION).append(" (validation and test sentences "
                + "unseen in training)\n");
        md.append("model: Embedding → cell(H → H) encoder; its final state starts the decoder Embedding → cell(H → H) → "
                + "Linear(H, words); embedding width H\n");
        md.append("seeds: 1..").append(nSeeds).append(" (the seed sets the data, the initializers and the batch order)\n");
        md.append("rnn cell: tanh, except ReLU with irnn\n");
        md.append("std: sample standard deviation (n − 1) over seeds\n");
        md.append("initializers (as applied to the LSTM encoder with seed 1; the decoder gets the same from another "
                + "seed):\n");
        for (String init : INITS) {
            md.append("  ").append(results.get(new Key("lstm", init)).getFirst().model().initDescription()).append('\n');
        }
        md.append("spectrum-matched: left out (it copies one trained layer's spectrum; a translator has two)\n");
        if (r.quick) {
            md.append("caveat: --quick is sized to finish in under a minute on 2 CPU cores (fewer pairs, epochs and "
                    + "seeds, a smaller state);\n  its BLEU is far below the full run's, and rows within a few std are noise\n");
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
        ReproduceCommand.barChart(png, chart, "Translation, synthetic pair, no attention" + (r.quick ? " (QUICK)" : "")
                + ": test BLEU / 100 (mean ± std)", "test BLEU / 100");
        o.println("wrote " + dir.resolve("table.md") + ", " + dir.resolve("table.csv") + ", " + png);
        o.flush();
    }
}

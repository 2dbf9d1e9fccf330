package dev.mnemo.bench.dl4j;

import dev.mnemo.bench.dl4j.ShapeResult.Metric;
import dev.mnemo.bench.dl4j.ShapeResult.Side;

import java.util.List;
import java.util.Locale;

/** The Markdown report and the raw CSV of a run. */
final class Report {

    /** The goal of cpu-anchors.md: Mnemo at least this many times faster than DL4J. */
    static final double GOAL = 2.0;

    private Report() {
    }

    /**
     * @param setup facts about the run, as "- name: value" lines (machine, libraries, threads, flags)
     */
    static String markdown(RunSettings settings, List<String> setup, List<ShapeResult> results, String when) {
        var sb = new StringBuilder();
        sb.append("# Mnemo vs Deeplearning4j on the CPU, side by side\n\n");
        sb.append("Measured ").append(when).append(" in one JVM, interleaved: per shape, ").append(settings.warmup())
                .append(" untimed warm-up round(s), then each of ").append(settings.rounds())
                .append(" timed rounds times both sides' forward, then both sides' training step, alternating which side"
                        + " goes first. Medians of wall time in ms. **Ratio = DL4J / Mnemo**: above 1 Mnemo is faster;"
                        + " the goal (cpu-anchors.md) is ≥ ").append(fmt(GOAL)).append(".\n\n");
        sb.append("Model on both sides: single-layer LSTM (tanh, sigmoid gates, float32) over all T steps, Linear(H → ")
                .append(BenchShape.CLASSES).append(") on the last step, softmax cross-entropy (mean over the batch)"
                        + " against random targets. Forward = inference (whole sequence + head); training step = forward"
                        + " + loss + backward through all T steps + one ")
                .append(settings.optimizer().describe()).append(" update.\n\n");

        sb.append("| T | B | I | H | Mnemo forward | DL4J forward | forward ratio | Mnemo train step | DL4J train step"
                + " | train ratio |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (ShapeResult r : results) {
            BenchShape s = r.shape;
            sb.append("| ").append(s.steps()).append(" | ").append(s.batch()).append(" | ").append(s.input())
                    .append(" | ").append(s.hidden()).append(" | ")
                    .append(fmt(r.get(Side.MNEMO, Metric.FORWARD).median())).append(" | ")
                    .append(fmt(r.get(Side.DL4J, Metric.FORWARD).median())).append(" | ")
                    .append(ratio(r.ratio(Metric.FORWARD))).append(" | ")
                    .append(fmt(r.get(Side.MNEMO, Metric.TRAIN_STEP).median())).append(" | ")
                    .append(fmt(r.get(Side.DL4J, Metric.TRAIN_STEP).median())).append(" | ")
                    .append(ratio(r.ratio(Metric.TRAIN_STEP))).append(" |\n");
        }
        sb.append("\nRatios in **bold** meet the goal (≥ ").append(fmt(GOAL)).append(").\n\n");

        sb.append("## Spread (min – max ms over the rounds)\n\n");
        sb.append("| shape | Mnemo forward | DL4J forward | Mnemo train step | DL4J train step |\n");
        sb.append("|---|---|---|---|---|\n");
        for (ShapeResult r : results) {
            sb.append("| ").append(r.shape.label());
            for (Metric m : Metric.values()) {
                for (Side side : Side.values()) {
                    Samples smp = r.get(side, m);
                    sb.append(" | ").append(fmt(smp.min())).append(" – ").append(fmt(smp.max()));
                }
            }
            sb.append(" |\n");
        }

        sb.append("\n## Same model on both sides?\n\n");
        sb.append("| shape | Mnemo parameters | DL4J parameters | first-step loss Mnemo / DL4J | last loss Mnemo / DL4J |\n");
        sb.append("|---|---|---|---|---|\n");
        for (ShapeResult r : results) {
            sb.append("| ").append(r.shape.label()).append(" | ").append(r.parameterCount.get(Side.MNEMO))
                    .append(" | ").append(r.parameterCount.get(Side.DL4J)).append(" | ")
                    .append(fmt4(r.firstLoss.get(Side.MNEMO))).append(" / ").append(fmt4(r.firstLoss.get(Side.DL4J)))
                    .append(" | ").append(fmt4(r.lastLoss.get(Side.MNEMO))).append(" / ")
                    .append(fmt4(r.lastLoss.get(Side.DL4J))).append(" |\n");
        }
        if (!results.isEmpty()) {
            ShapeResult r = results.getFirst();
            sb.append("\nThe counts differ by 4H, and only there: ").append("Mnemo: ")
                    .append(r.parameterBreakdown.get(Side.MNEMO)).append(". DL4J: ")
                    .append(r.parameterBreakdown.get(Side.DL4J)).append(". Mnemo adds both bias vectors in its element-wise"
                            + " gate step (one more add per gate element, and one more B·4H column sum backward; no"
                            + " extra GEMM), a negligible difference in work. A fresh model's loss is about ln 10 ≈ 2.303 on both sides"
                            + " (the initialisations differ: PyTorch's U(±1/√H) in Mnemo, Xavier in DL4J).\n");
        }

        sb.append("\n## Setup\n\n");
        for (String line : setup) {
            sb.append("- ").append(line).append('\n');
        }
        sb.append("\n## How to read this\n\n");
        sb.append("Both libraries run in the same JVM on the same cores, one after the other, so a busy or throttled"
                + " machine slows both; still, treat single runs on a shared machine as noisy (the spread table shows"
                + " how noisy) and compare ratios, not absolute times, with other machines. The raw samples (every"
                + " round, which side went first) are in the CSV beside this file. Threads: each side runs at its own"
                + " setting (Setup above): DL4J at --dl4j-threads (default 1 — on 2 cores one OpenMP thread beat two,"
                + " cpu-anchors.md), Mnemo's BLAS at --mnemo-threads (default all cores); rerun with other values to"
                + " compare like for like. DL4J is the generic linux-x86_64 nd4j-native build, as in cpu-anchors.md;"
                + " ND4J also ships -avx2 and -avx512 builds, not measured here.\n");
        return sb.toString();
    }

    /** One line per sample: shape, round, side, metric, whether that side went first, ms. */
    static String csv(List<ShapeResult> results) {
        var sb = new StringBuilder("T,B,I,H,round,side,metric,first,ms\n");
        for (ShapeResult r : results) {
            BenchShape s = r.shape;
            for (Side side : Side.values()) {
                for (Metric m : Metric.values()) {
                    List<Double> v = r.get(side, m).values();
                    for (int round = 0; round < v.size(); round++) {
                        boolean first = (round % 2 == 0) == (side == Side.MNEMO);
                        sb.append(s.steps()).append(',').append(s.batch()).append(',').append(s.input()).append(',')
                                .append(s.hidden()).append(',').append(round + 1).append(',')
                                .append(side.name().toLowerCase(Locale.ROOT)).append(',')
                                .append(m == Metric.FORWARD ? "forward" : "train_step").append(',').append(first)
                                .append(',').append(String.format(Locale.ROOT, "%.3f", v.get(round))).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String ratio(double r) {
        String s = String.format(Locale.ROOT, "%.2f×", r);
        return r >= GOAL ? "**" + s + "**" : s;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String fmt4(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.4f", v);
    }
}

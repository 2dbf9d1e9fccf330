package dev.mnemo.experiments.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * One table cell's runs, a score per seed, where a run whose training loss stopped being finite
 * (the trainers stop it and say "diverged") has no score: NaN here. Means and standard deviations
 * are over the other seeds and the cell says how many diverged, so a diverged run's leftover
 * accuracy (a chance-level guess from NaN weights) never passes for a result.
 *
 * @param values per seed, NaN for a diverged run
 */
record SeedScores(double[] values) {

    /** The score to record for a run: {@code score}, or NaN when its last training loss is not finite. */
    static double of(double score, double lastLoss) {
        return Double.isFinite(lastLoss) ? score : Double.NaN;
    }

    /** How many runs diverged. */
    int diverged() {
        return (int) Arrays.stream(values).filter(Double::isNaN).count();
    }

    private double[] scored() {
        return Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    }

    /** Mean over the runs that did not diverge; NaN when all did. */
    double mean() {
        return ReproduceCommand.mean(scored());
    }

    /** Sample standard deviation over the runs that did not diverge; NaN when fewer than two did. */
    double std() {
        return ReproduceCommand.std(scored());
    }

    /**
     * "0.912 ± 0.010", with " (1 of 3 diverged)" when some did, or "diverged (3 of 3)"; one scored seed has no
     * standard deviation: "0.912 (one seed)" (it printed "± 0.000", which reads as no spread).
     */
    String summary(String format) {
        return summary(v -> String.format(Locale.ROOT, format, v));
    }

    /** As {@link #summary(String)}, each number written by {@code format}. */
    String summary(DoubleFunction<String> format) {
        int d = diverged();
        if (d == values.length) {
            return "diverged (" + d + " of " + d + ")";
        }
        String s = format.apply(mean()) + (scored().length == 1 ? " (one seed)" : " ± " + format.apply(std()));
        return d == 0 ? s : s + " (" + d + " of " + values.length + " diverged)";
    }

    /** Every seed's score, "diverged" for those that did, joined by {@code separator}. */
    String each(String format, String separator) {
        return each(v -> String.format(Locale.ROOT, format, v), separator);
    }

    /** As {@link #each(String, String)}, each number written by {@code format}. */
    String each(DoubleFunction<String> format, String separator) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.isEmpty() ? "" : separator).append(Double.isNaN(v) ? "diverged" : format.apply(v));
        }
        return b.toString();
    }
}

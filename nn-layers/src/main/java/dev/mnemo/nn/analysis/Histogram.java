package dev.mnemo.nn.analysis;

/**
 * Counts of values in equal-width bins over {@code [lo, hi]}: bin k holds
 * {@code [edges[k], edges[k+1])}, and the last bin also holds {@code hi} and everything above it
 * (so no value is lost); values below {@code lo} go to the first bin. A NaN belongs to no bin and is
 * refused, as are edges that are not finite numbers.
 *
 * @param edges  bins + 1 increasing edges
 * @param counts one count per bin
 */
public record Histogram(double[] edges, int[] counts) {

    /** The most bins: edges are one more, and a Java array holds at most about 2^31 − 8 elements. */
    public static final int MAX_BINS = Integer.MAX_VALUE - 9;

    /** Bins {@code values} into {@code bins} equal bins over {@code [lo, hi]}. */
    public static Histogram of(double[] values, int bins, double lo, double hi) {
        if (bins < 1 || bins > MAX_BINS) {
            throw new IllegalArgumentException("bins must be in [1, " + MAX_BINS + "], got " + bins);
        }
        if (!(hi > lo)) {
            throw new IllegalArgumentException("hi must be > lo, got lo " + lo + ", hi " + hi);
        }
        // an infinite edge, or a width hi − lo that overflows, makes NaN and infinite edges and sends every
        // value to one bin
        if (!Double.isFinite(hi - lo)) {
            throw new IllegalArgumentException("lo, hi and hi − lo must be finite, got lo " + lo + ", hi " + hi);
        }
        double[] edges = new double[bins + 1];
        for (int k = 0; k <= bins; k++) {
            edges[k] = lo + (hi - lo) * k / bins;
        }
        int[] counts = new int[bins];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (Double.isNaN(v)) {   // floor(NaN) casts to 0: it would be counted as a value at lo
                throw new IllegalArgumentException("values[" + i + "] is NaN: a NaN belongs to no bin");
            }
            int k = Math.max(0, Math.min(bins - 1, (int) Math.floor((v - lo) / (hi - lo) * bins)));
            // the quotient rounds apart from the edges' own arithmetic: settle a value at an edge by the edges
            if (k + 1 < bins && v >= edges[k + 1]) {
                k++;
            } else if (k > 0 && v < edges[k]) {
                k--;
            }
            counts[k]++;
        }
        return new Histogram(edges, counts);
    }

    /** The total count. */
    public int total() {
        int t = 0;
        for (int c : counts) {
            t += c;
        }
        return t;
    }
}

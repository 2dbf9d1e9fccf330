package dev.mnemo.bench.gpu;

import java.util.Arrays;

/**
 * Summary of repeated GPU timings in milliseconds: the median and the 10th / 90th percentiles
 * (nearest rank on the sorted samples), and how many samples there were.
 */
public record Timing(double medianMs, double p10Ms, double p90Ms, int samples) {

    public Timing {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
    }

    /** The summary of {@code millis} (not modified). */
    public static Timing of(double... millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("millis must not be empty");
        }
        double[] s = millis.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Timing(median, s[rank(0.10, n)], s[rank(0.90, n)], n);
    }

    /** Nearest-rank index of quantile {@code q} among {@code n} sorted values. */
    private static int rank(double q, int n) {
        return Math.clamp((long) Math.ceil(q * n) - 1, 0, n - 1);
    }
}

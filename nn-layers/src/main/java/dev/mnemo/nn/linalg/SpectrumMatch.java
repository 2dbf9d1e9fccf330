package dev.mnemo.nn.linalg;

import java.util.Arrays;

/**
 * Pairs two spectra point by point: greedily, closest pairs first over all n² distances. Used to
 * compare spectra whose sorted orders may differ where |λ| nearly ties (CPU vs GPU, computed vs
 * constructed), and for the conjugate-pair check.
 */
final class SpectrumMatch {

    private SpectrumMatch() {
    }

    /** The largest distance between matched points; +∞ when the sizes differ. */
    static double maxDistance(double[] re1, double[] im1, double[] re2, double[] im2) {
        int n = re1.length;
        if (re2.length != n) {
            return Double.POSITIVE_INFINITY;
        }
        if (n > 46340) {
            throw new IllegalArgumentException("spectra to match must have at most 46340 points (n² pairs), got " + n);
        }
        if (n == 0) {
            return 0;
        }
        // sort the n² pairs by distance: a long key of (float distance bits, pair index) sorts as
        // (distance, index) because the bits of non-negative floats order like their values. The
        // distances are divided by the largest first: beyond float's range (spectra of order 1e200 or
        // 1e-200) every key was ∞ or 0, and the pairs were matched in index order.
        double[] d = new double[n * n];
        double largest = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int k = i * n + j;
                d[k] = Math.hypot(re1[i] - re2[j], im1[i] - im2[j]);
                largest = Math.max(largest, d[k]);
            }
        }
        double unit = largest > 0 && Double.isFinite(largest) ? largest : 1;
        long[] keys = new long[n * n];
        for (int k = 0; k < n * n; k++) {
            keys[k] = ((long) Float.floatToIntBits((float) (d[k] / unit)) << 32) | k;
        }
        Arrays.sort(keys);
        boolean[] used1 = new boolean[n];
        boolean[] used2 = new boolean[n];
        double max = 0;
        int matched = 0;
        for (long key : keys) {
            int k = (int) key;
            int i = k / n;
            int j = k % n;
            if (used1[i] || used2[j]) {
                continue;
            }
            used1[i] = true;
            used2[j] = true;
            max = Math.max(max, d[k]);
            if (++matched == n) {
                break;
            }
        }
        return max;
    }
}

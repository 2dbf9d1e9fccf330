package dev.mnemo.cuda.kernels;

import java.util.Arrays;

/**
 * The host's half of {@code mnemo_scatter_add_rows_f32}: the indices {@code i} of a scatter
 * {@code table[rows[i], :] += src[i, :]} grouped by row, increasing {@code i} within a group (a
 * stable sort), as one int array to upload in one copy:
 * {@code [segStart (segments + 1) | segRow (segments) | order (n)]}.
 *
 * @param segments the number of groups (distinct rows)
 * @param n the number of indices
 * @param packed the three arrays back to back
 */
public record ScatterPlan(int segments, int n, int[] packed) {

    /** Groups {@code rows}; every row must be in {@code [0, tableRows)}. */
    public static ScatterPlan of(int[] rows, int tableRows) {
        if (rows == null) {
            throw new IllegalArgumentException("rows must not be null");
        }
        int n = rows.length;
        // (row, i) in one long: sorting the keys sorts by row, then by i (stable by construction).
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            if (rows[i] < 0 || rows[i] >= tableRows) {
                throw new IllegalArgumentException("rows[" + i + "] must be in [0, " + tableRows + "), got " + rows[i]);
            }
            keys[i] = ((long) rows[i] << 32) | i;
        }
        Arrays.sort(keys);
        int segments = 0;
        for (int k = 0; k < n; k++) {
            if (k == 0 || (int) (keys[k] >>> 32) != (int) (keys[k - 1] >>> 32)) {
                segments++;
            }
        }
        int[] packed = new int[2 * segments + 1 + n];
        int orderAt = 2 * segments + 1;
        int s = 0;
        for (int k = 0; k < n; k++) {
            int row = (int) (keys[k] >>> 32);
            if (k == 0 || row != (int) (keys[k - 1] >>> 32)) {
                packed[s] = k;                  // segStart[s]
                packed[segments + 1 + s] = row; // segRow[s]
                s++;
            }
            packed[orderAt + k] = (int) keys[k];
        }
        packed[segments] = n;                   // segStart[segments]
        return new ScatterPlan(segments, n, packed);
    }

    /** Where segStart starts in {@link #packed()} (ints). */
    public long segStartOffset() {
        return 0;
    }

    /** Where segRow starts in {@link #packed()} (ints). */
    public long segRowOffset() {
        return segments + 1L;
    }

    /** Where order starts in {@link #packed()} (ints). */
    public long orderOffset() {
        return 2L * segments + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScatterPlan p && p.segments == segments && p.n == n && Arrays.equals(p.packed, packed);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * segments + n) + Arrays.hashCode(packed);
    }

    @Override
    public String toString() {
        return "ScatterPlan(segments " + segments + ", n " + n + ")";
    }
}

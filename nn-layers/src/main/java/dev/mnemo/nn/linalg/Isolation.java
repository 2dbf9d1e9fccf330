package dev.mnemo.nn.linalg;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * LAPACK dgebal's permutation step: the indices whose eigenvalue is their diagonal element, isolated by the
 * matrix's zeros. First, again and again, an index whose row is zero off the diagonal among the indices left
 * goes last; then, likewise, one whose column is zero goes first. In that order the matrix is block upper
 * triangular: the isolated eigenvalues deflate at once, and only the indices left need scaling
 * ({@link Balancing}). Counts of nonzeros keep the search O(n²).
 *
 * @param active whether each index of A is left (not isolated)
 * @param order  the permutation P: index i of PᵀAP is index {@code order[i]} of A; the isolated by column
 *               first, then the indices left in A's order, then the isolated by row
 */
record Isolation(boolean[] active, int[] order) {

    /** Whether any index is isolated. */
    boolean any() {
        for (boolean a : active) {
            if (!a) {
                return true;
            }
        }
        return false;
    }

    static Isolation of(double[] a, int n) {
        boolean[] active = new boolean[n];
        Arrays.fill(active, true);
        int[] order = new int[n];
        int last = n;    // the isolated by row fill the order from its end
        int first = 0;   // the isolated by column from its start
        int[] count = new int[n];
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {   // rows
            for (int j = 0; j < n; j++) {
                if (j != i && a[i * n + j] != 0) {
                    count[i]++;
                }
            }
            if (count[i] == 0) {
                ready.push(i);
            }
        }
        while (!ready.isEmpty()) {
            int r = ready.pop();
            active[r] = false;
            order[--last] = r;
            for (int j = 0; j < n; j++) {
                if (active[j] && a[j * n + r] != 0 && --count[j] == 0) {
                    ready.push(j);
                }
            }
        }
        for (int j = 0; j < n; j++) {   // columns, among the rows left
            count[j] = 0;
            if (!active[j]) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                if (i != j && active[i] && a[i * n + j] != 0) {
                    count[j]++;
                }
            }
            if (count[j] == 0) {
                ready.push(j);
            }
        }
        while (!ready.isEmpty()) {
            int c = ready.pop();
            active[c] = false;
            order[first++] = c;
            for (int j = 0; j < n; j++) {
                if (active[j] && a[c * n + j] != 0 && --count[j] == 0) {
                    ready.push(j);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (active[i]) {
                order[first++] = i;
            }
        }
        return new Isolation(active, order);
    }
}

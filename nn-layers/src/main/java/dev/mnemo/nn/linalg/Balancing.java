package dev.mnemo.nn.linalg;

/**
 * LAPACK's balancing by scaling ({@code dgebal} with job 'S'): a diagonal similarity D⁻¹AD by powers
 * of two that evens the 2-norms of each row and column, diagonal included as LAPACK's dgebal does (with
 * it left out, one companion matrix of the reference cross-check stayed 28× behind LAPACK; with it
 * in, 2.8×), so the QR algorithm's rounding, which follows the matrix norm, no longer swamps the
 * small eigenvalues of a badly scaled matrix. The spectrum is unchanged and the scaling exact. EJML does not balance: on companion
 * matrices its eigenvalues were up to ~3000× further from the exact roots than LAPACK's.
 *
 * <p>As dgebal's job 'B', indices whose eigenvalues the matrix's zeros isolate ({@link Isolation}) are not
 * scaled, the others' norms are taken among themselves, and where anything is scaled the result is
 * permuted to put the isolated indices first and last.
 */
final class Balancing {

    /** Applied only where some factor reaches 2⁴ either way: a matrix balanced already keeps its bits. */
    private static final int MIN_EXPONENT = 4;
    /** How far one row's scaling may go, so a zero-ish row or column cannot run to overflow. */
    private static final int MAX_EXPONENT = 400;
    /** dgebal's test: a step must shrink the row and column norms' sum below this fraction. */
    private static final double GAIN = 0.95;

    private Balancing() {
    }

    /**
     * B = D⁻¹PᵀAPD, P the permutation of {@code order} (index i of B is index {@code order[i]} of A) and
     * D = diag(2^exponent[i]) in B's order; an eigenvector w of B is D⁻¹Pᵀv for the eigenvector v of A.
     */
    record Balanced(double[] matrix, int[] exponent, int[] order) {
        /** v = P·D·w of each column of the n×n row-major {@code w}, as a copy. */
        double[] toOriginalBasis(double[] w, int n) {
            double[] v = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    v[order[i] * n + j] = Math.scalb(w[i * n + j], exponent[i]);
                }
            }
            return v;
        }

        /** w = D⁻¹·Pᵀ·v of each column of the n×n row-major {@code v}, as a copy. */
        double[] toBalancedBasis(double[] v, int n) {
            double[] w = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    w[i * n + j] = Math.scalb(v[order[i] * n + j], -exponent[i]);
                }
            }
            return w;
        }
    }

    /** D⁻¹PᵀAPD of the n×n row-major {@code a}, or null when A is balanced within a factor of 2⁴ already. */
    static double[] balancedOrNull(double[] a, int n) {
        Balanced b = balance(a, n);
        return b == null ? null : b.matrix();
    }

    /** {@link #balancedOrNull} with D. */
    static Balanced balance(double[] a, int n) {
        if (balancedAlready(a, n)) {
            return null;
        }
        Isolation isolation = Isolation.of(a, n);
        boolean[] active = isolation.active();
        int[] exponent = new int[n];   // D = diag(2^exponent)
        double[] b = a;                // copied at the first scaling: most matrices need none
        boolean changed = true;
        for (int sweep = 0; changed && sweep < 100; sweep++) {
            changed = false;
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    continue;
                }
                int e = step(norm(b, i, n, active), norm(b, i * n, 1, active), exponent[i]);   // column i, row i
                if (e == 0) {
                    continue;
                }
                exponent[i] += e;
                changed = true;
                if (b == a) {
                    b = a.clone();
                }
                for (int j = 0; j < n; j++) {   // row i times 2^−e, column i times 2^e
                    b[i * n + j] = Math.scalb(b[i * n + j], -e);
                    b[j * n + i] = Math.scalb(b[j * n + i], e);
                }
            }
        }
        for (int e : exponent) {
            if (Math.abs(e) >= MIN_EXPONENT) {
                return isolation.any() ? permuted(b, exponent, isolation.order(), n)
                        : new Balanced(b, exponent, identity(n));
            }
        }
        return null;   // scaled nowhere: A as it is (a triangular A, all isolated, keeps its bits)
    }

    /**
     * D⁻¹AD ({@code scaled}) reordered as PᵀD⁻¹ADP = D'⁻¹PᵀAPD': the isolated indices' eigenvalues then
     * deflate at once. Left in A's order, the scaled entries coupling them to the rest (2^13 times a row's)
     * made their eigenvalues 1e4 times as sensitive: 7 came back as 7 + 2e-8.
     */
    private static Balanced permuted(double[] scaled, int[] exponent, int[] order, int n) {
        double[] b = new double[n * n];
        int[] e = new int[n];
        for (int i = 0; i < n; i++) {
            e[i] = exponent[order[i]];
            for (int j = 0; j < n; j++) {
                b[i * n + j] = scaled[order[i] * n + order[j]];
            }
        }
        return new Balanced(b, e, order);
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /**
     * The power of two by which to scale column i up (row i down), given column norm c and row norm r and the
     * exponent it has so far; 0 when the step would not shrink c + r enough (dgebal's test), or c or r is 0.
     */
    private static int step(double c, double r, int exponentSoFar) {
        if (c == 0 || r == 0) {
            return 0;
        }
        double sum = c + r;
        int e = 0;
        while (c < r / 2 && exponentSoFar + e < MAX_EXPONENT) {   // column too small: scale it up
            c *= 2;
            r /= 2;
            e++;
        }
        while (c / 2 >= r && exponentSoFar + e > -MAX_EXPONENT) {   // column too large: down
            c /= 2;
            r *= 2;
            e--;
        }
        return e == 0 || c + r >= GAIN * sum ? 0 : e;
    }

    /** Sums of squares inside this range need no scaling to be summed or square-rooted. */
    private static final double PLAIN_MIN = 0x1p-900;
    private static final double PLAIN_MAX = 0x1p900;

    /**
     * Whether the first sweep would scale no index, from every row's and column's sum of squares in one
     * row-major pass (the sweep itself walks columns, which for n = 2048 took 54 ms where the matrix needs
     * nothing, as most do): then no later sweep would either. False where a sum leaves the range in which
     * plain squares are exact enough; the sweep's scaled norms decide there.
     */
    private static boolean balancedAlready(double[] a, int n) {
        double[] rows = new double[n];
        double[] cols = new double[n];
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) {
                double x = a[i * n + j];
                double sq = x * x;
                row += sq;
                cols[j] += sq;
            }
            rows[i] = row;
        }
        for (int i = 0; i < n; i++) {
            if (!plain(rows[i]) || !plain(cols[i])) {
                return false;
            }
            if (step(Math.sqrt(cols[i]), Math.sqrt(rows[i]), 0) != 0) {
                return false;
            }
        }
        return true;
    }

    /** 0 is not: a row of elements below 1e−162 sums to 0 too (the sweep tells a zero row from those). */
    private static boolean plain(double sumOfSquares) {
        return sumOfSquares >= PLAIN_MIN && sumOfSquares <= PLAIN_MAX;
    }

    /**
     * The 2-norm of the elements of {@code b} from {@code start} every {@code stride} at the active indices, without
     * overflow or underflow (as LAPACK's dnrm2, which dgebal uses): the squares are summed after an exact
     * scaling by the power of two of the largest magnitude. Squared directly, entries past 1e154 gave ∞ and
     * the balancing gave up on exactly the badly scaled matrices it is for (a similarity graded by 10⁸ a row,
     * 24×24: eigenvalues off by 1e159).
     */
    private static double norm(double[] b, int start, int stride, boolean[] active) {
        double largest = 0;
        for (int k = 0, at = start; k < active.length; k++, at += stride) {
            if (active[k]) {
                largest = Math.max(largest, Math.abs(b[at]));
            }
        }
        if (largest == 0 || !Double.isFinite(largest)) {
            return largest;
        }
        int shift = -Math.getExponent(largest);
        double sum = 0;
        for (int k = 0, at = start; k < active.length; k++, at += stride) {
            if (active[k]) {
                double x = Math.scalb(b[at], shift);
                sum += x * x;
            }
        }
        return Math.scalb(Math.sqrt(sum), -shift);
    }
}

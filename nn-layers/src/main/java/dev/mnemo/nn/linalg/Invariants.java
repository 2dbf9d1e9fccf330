package dev.mnemo.nn.linalg;

import java.util.stream.IntStream;

/**
 * The checks of {@link EigenChecks}: cheap identities every correct spectrum of a real matrix
 * satisfies, and on request the residual of the eigenvectors.
 */
final class Invariants {

    /** The safety factor c in every tolerance {@code c·n·u·‖A‖}. */
    static final double FACTOR = 16.0;

    private Invariants() {
    }

    /**
     * What the checks need from A, computed once per matrix: tr, tr² and ‖·‖_F of {@code A·2^−e}, with
     * {@code e} = {@code exponent} from {@link #scaleExponent}: 0 unless A's elements are huge or tiny,
     * so that squares and products neither overflow nor vanish (an input of order 1e155 once failed
     * every check with an infinite tolerance).
     *
     * <p>{@code spectralScale}, the scale of the eigenvalue checks' tolerances and of the norm bound, is
     * ‖D⁻¹AD‖_F for A balanced ({@link Balancing}; the same spectrum, tr and tr² exactly, as D is a power of
     * two), ‖A‖_F where balancing changes nothing. A badly scaled A has a far larger ‖A‖_F than its spectrum
     * needs: on a 16×16 similarity graded by 10 a row (‖A‖_F ≈ 1e15, |λ| ≈ 5), the batched kernel, which does
     * not balance, returned eigenvalues off by 5e6 that every check measured against ‖A‖_F passed.
     * {@code frobenius} stays ‖A‖_F. {@code balanced} (null where balancing changes nothing) is where the
     * residual is measured: ‖B·w − λw‖/‖B‖ for w = D⁻¹v, as ‖Av − λv‖/‖A‖ of a badly scaled A passes vectors
     * that are wrong in B's basis (0.37·‖B‖ for the vectors of a 16×16 similarity graded by 10 a row).
     */
    record Facts(int n, double trace, double traceOfSquare, double frobenius, double spectralScale, int exponent,
                 Balancing.Balanced balanced) {
        /** Tile order of {@link #of}: two 32×32 tiles of doubles (16 KB) stay in L1. */
        private static final int TILE = 32;
        /** From this order on, rows of tiles are summed in parallel. */
        private static final int PARALLEL_MIN_ORDER = 256;

        /**
         * tr A, tr A² = Σ a_ij·a_ji and ‖A‖_F in one pass over tile pairs (T_IJ, T_JI), so the
         * transposed walk stays inside cached tiles: walking whole columns of a large matrix missed
         * the cache on every element (46 ms for n = 2048 on a 2-core VM). Each row of tiles is
         * summed on its own and the rows are added in order, so the bits do not depend on threads.
         */
        static Facts of(double[] a, int n) {
            int e = scaleExponent(a, n);
            return ofScaled(e == 0 ? a : scaled(a, n, e), n, e);
        }

        /** The facts of A from {@code scaledA} = A·2^−e, with e from {@link #scaleExponent}. */
        static Facts ofScaled(double[] scaledA, int n, int exponent) {
            double[] a = scaledA;
            int tileRows = (n + TILE - 1) / TILE;
            double[][] rows = new double[tileRows][];
            IntStream range = IntStream.range(0, tileRows);
            (n >= PARALLEL_MIN_ORDER ? range.parallel() : range).forEach(t -> rows[t] = tileRow(a, n, t * TILE));
            double tr = 0;
            double tr2 = 0;
            double fro = 0;
            for (double[] r : rows) {
                tr += r[0];
                tr2 += r[1];
                fro += r[2];
            }
            double frobenius = Math.sqrt(fro);
            Balancing.Balanced balanced = Balancing.balance(a, n);
            return new Facts(n, tr, tr2, frobenius, balanced == null ? frobenius : frobenius(balanced.matrix()), exponent,
                    balanced);
        }

        private static double frobenius(double[] a) {
            double sum = 0;
            for (double x : a) {
                sum += x * x;
            }
            return Math.sqrt(sum);
        }

        /** {tr, tr² part, ‖·‖² part} of the tile pairs (T_IJ, T_JI) with I = ti / TILE and J ≥ I. */
        private static double[] tileRow(double[] a, int n, int ti) {
            int iEnd = Math.min(n, ti + TILE);
            double tr = 0;
            double diagonal = 0;
            double offDiagonal = 0;
            double fro = 0;
            for (int i = ti; i < iEnd; i++) {
                tr += a[i * n + i];
                for (int j = ti; j < iEnd; j++) {
                    double x = a[i * n + j];
                    diagonal += x * a[j * n + i];
                    fro += x * x;
                }
            }
            for (int tj = ti + TILE; tj < n; tj += TILE) {
                int jEnd = Math.min(n, tj + TILE);
                for (int i = ti; i < iEnd; i++) {
                    for (int j = tj; j < jEnd; j++) {
                        double x = a[i * n + j];
                        double y = a[j * n + i];
                        offDiagonal += x * y;
                        fro += x * x + y * y;
                    }
                }
            }
            return new double[]{tr, diagonal + 2 * offDiagonal, fro};
        }
    }

    /** LAPACK's dgeev range (its SMLNUM and BIGNUM, √(2^−1022)/2^−53 and its inverse): inside it, no scaling. */
    private static final int SAFE_EXPONENT = 458;
    /** sgeev's (√(2^−126)/2^−24): a float32 solver sees elements of at most 2^39, squares far from overflow. */
    private static final int SAFE_EXPONENT_FLOAT = 39;

    /**
     * 0 where A's largest |a_ij| lies within [2⁻⁴⁵⁸, 2⁴⁵⁸], LAPACK's {@code dgeev} range (or A is 0 or
     * not finite); else the e such that A·2^−e is what {@link Facts} and the solvers see (EJML does not
     * scale, and failed on a matrix of order 1e300). Scaling by a power of two is exact where no element
     * falls below the normal range. A tiny A: e is its largest element's binary exponent, so that element
     * lands in [1, 2). A huge A is scaled down as far as that, but no further than keeps its smallest
     * nonzero element normal, and at least into the range (the largest at most 2⁴⁵⁸, as dgeev, which
     * scales only to the edge of its range): a matrix graded from 1e−184 to 1e184 (the similarity D·B·D⁻¹
     * of a well-scaled B, D = diag(10^{8i})) lost its small elements to underflow when its largest went to
     * [1, 2), and with them B's spectrum; scaled less, balancing recovers B.
     */
    static int scaleExponent(double[] a, int n) {
        return scaleExponent(a, n, EigenPrecision.FLOAT64);
    }

    /**
     * {@link #scaleExponent(double[], int)} for solvers of {@code precision}: float32's range is sgeev's
     * [2⁻³⁹, 2³⁹] and its normal floor 2⁻¹²⁶. Unscaled, a float32 solver got a matrix of order 1e20 whose
     * squares overflowed (the batched kernel returned NaN and the call went on to a retry) and one of order
     * 1e40 rounded to ∞. The float64 solvers of the same plan see the same exactly scaled matrix.
     */
    static int scaleExponent(double[] a, int n, EigenPrecision precision) {
        boolean single = precision == EigenPrecision.FLOAT32;
        int safe = single ? SAFE_EXPONENT_FLOAT : SAFE_EXPONENT;
        int normalFloor = single ? Float.MIN_EXPONENT : Double.MIN_EXPONENT;
        double max = 0;
        double min = Double.POSITIVE_INFINITY;   // the smallest nonzero magnitude
        for (int i = 0; i < n * n; i++) {
            double m = Math.abs(a[i]);
            max = Math.max(max, m);
            if (m != 0) {
                min = Math.min(min, m);
            }
        }
        if (max == 0 || !Double.isFinite(max)) {
            return 0;
        }
        if (max >= Math.scalb(1.0, -safe) && max <= Math.scalb(1.0, safe)) {
            return 0;
        }
        int top = binaryExponent(max);
        if (max < 1) {
            return top;   // scaled up: nothing is lost
        }
        int keepsSmallest = binaryExponent(min) - normalFloor;   // 2^−e·min stays normal
        return Math.max(top - safe, Math.min(top, keepsSmallest));
    }

    /** The binary exponent of a positive finite {@code x}, subnormals included (2^−1050 has −1050). */
    private static int binaryExponent(double x) {
        return x >= Double.MIN_NORMAL ? Math.getExponent(x) : Math.getExponent(x * 0x1p64) - 64;
    }

    /**
     * Checks {@code raw} against A.
     *
     * @param u        unit roundoff of the arithmetic that produced {@code raw}
     * @param a        A, row-major, for the residual
     * @param residual whether to check the residual (needs vectors)
     */
    static EigenChecks check(RawEigen raw, Facts f, double u, double[] a, boolean residual) {
        int e = f.exponent();
        return e == 0 ? checkScaled(raw, f, u, a, residual)
                : checkOfScaled(raw.scaledValues(-e), f, u, residual ? scaled(a, f.n(), e) : a, residual);
    }

    /**
     * {@link #check} of what a solver returned for A·2^−e ({@code scaledA}), in those units: where A is
     * tiny, scaling the values back first would round them onto the subnormal grid, and no tolerance
     * of A's own could then be met. The errors and bounds come back in A's units (those of squares
     * may overflow or vanish there; the verdict does not depend on them).
     */
    static EigenChecks checkOfScaled(RawEigen scaledRaw, Facts f, double u, double[] scaledA, boolean residual) {
        EigenChecks c = checkScaled(scaledRaw, f, u, scaledA, residual);
        int e = f.exponent();
        if (e == 0) {
            return c;
        }
        return new EigenChecks(Math.scalb(c.traceError(), e), Math.scalb(c.traceTolerance(), e),
                Math.scalb(c.squareTraceError(), 2 * e), Math.scalb(c.squareTraceTolerance(), 2 * e),
                Math.scalb(c.conjugateError(), e), Math.scalb(c.radius(), e), Math.scalb(c.radiusBound(), e),
                c.residual(), c.residualTolerance(), c.failure().isEmpty() ? ""
                : c.failure() + " (checked on A·2^" + (-e) + ", in those units)");
    }

    /** A copy of the n×n {@code a} times 2^−{@code exponent}: exact unless an element falls below 2^−1074. */
    static double[] scaled(double[] a, int n, int exponent) {
        double[] out = new double[n * n];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.scalb(a[i], -exponent);
        }
        return out;
    }

    private static EigenChecks checkScaled(RawEigen raw, Facts f, double u, double[] a, boolean residual) {
        int n = f.n();
        double scale = f.spectralScale();
        double tol = FACTOR * n * u * scale;
        double tol2 = FACTOR * n * u * scale * scale;
        double bound = scale * (1 + FACTOR * n * u);
        double resTol = residual ? FACTOR * n * Math.sqrt(n) * u : Double.NaN;
        if (raw.n() != n) {
            return fail(tol, tol2, bound, resTol, "the solver returned " + raw.n() + " eigenvalues for n = " + n);
        }
        double[] re = raw.re();
        double[] im = raw.im();
        double sumRe = 0;
        double sumIm = 0;
        double sqRe = 0;
        double sqIm = 0;
        double radius = 0;
        int positive = 0;
        int negative = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(re[i]) || !Double.isFinite(im[i])) {
                return fail(tol, tol2, bound, resTol, "eigenvalue " + i + " is not finite: " + re[i] + " + " + im[i] + "i");
            }
            sumRe += re[i];
            sumIm += im[i];
            sqRe += re[i] * re[i] - im[i] * im[i];
            sqIm += 2 * re[i] * im[i];
            radius = Math.max(radius, Math.hypot(re[i], im[i]));
            if (im[i] > 0) {
                positive++;
            } else if (im[i] < 0) {
                negative++;
            }
        }
        if (raw.hasVectors()) {   // "every λ and vector is finite": a vector of NaN once passed every check
            double[] vr = raw.vectorsRe();
            double[] vi = raw.vectorsIm();
            for (int k = 0; k < vr.length; k++) {
                if (!Double.isFinite(vr[k]) || !Double.isFinite(vi[k])) {
                    return fail(tol, tol2, bound, resTol, "eigenvector " + k % n + " is not finite: element "
                            + k / n + " is " + vr[k] + " + " + vi[k] + "i");
                }
            }
        }
        double conj = 0;
        if (positive != negative) {
            return fail(tol, tol2, bound, resTol, "not closed under conjugation: " + positive + " eigenvalues with "
                    + "Im > 0, " + negative + " with Im < 0 (the input is real)");
        }
        if (positive > 0) {
            conj = adjacentConjugateDistance(re, im);
        }
        if (positive > 0 && !(conj <= tol)) {
            double[][] upper = select(re, im, 1);
            double[][] lower = select(re, im, -1);
            for (int i = 0; i < lower[1].length; i++) {
                lower[1][i] = -lower[1][i];
            }
            conj = SpectrumMatch.maxDistance(upper[0], upper[1], lower[0], lower[1]);
        }
        double traceError = Math.hypot(sumRe - f.trace(), sumIm);
        double squareError = Math.hypot(sqRe - f.traceOfSquare(), sqIm);
        String failure = "";
        if (!(conj <= tol)) {
            failure = String.format("conjugate pairs do not match: max |λ − conj(partner)| = %.3g > %.3g", conj, tol);
        } else if (!(traceError <= tol)) {
            failure = String.format("trace check: |Σλ − tr A| = %.3g > %.3g", traceError, tol);
        } else if (!(squareError <= tol2)) {
            failure = String.format("trace-of-square check: |Σλ² − tr A²| = %.3g > %.3g", squareError, tol2);
        } else if (!(radius <= bound)) {
            failure = scale == f.frobenius()
                    ? String.format("norm bound: max |λ| = %.6g > ‖A‖_F = %.6g", radius, scale)
                    : String.format("norm bound: max |λ| = %.6g > ‖D⁻¹AD‖_F = %.6g (A balanced)", radius, scale);
        }
        double res = Double.NaN;
        if (failure.isEmpty() && residual) {
            if (!raw.hasVectors()) {
                failure = "the residual check needs eigenvectors and the solver returned none";
            } else {
                Balancing.Balanced b = f.balanced();
                res = b == null ? residual(a, n, raw, f.frobenius())
                        : residual(b.matrix(), n, new RawEigen(raw.re(), raw.im(), b.toBalancedBasis(raw.vectorsRe(), n),
                                b.toBalancedBasis(raw.vectorsIm(), n)), f.spectralScale());
                if (!(res <= resTol)) {
                    failure = f.balanced() == null
                            ? String.format("residual check: ‖AV − VΛ‖/‖A‖ = %.3g > %.3g", res, resTol)
                            : String.format("residual check: ‖BW − WΛ‖/‖B‖ = %.3g > %.3g (A balanced, B = D⁻¹PᵀAPD, W = D⁻¹PᵀV)",
                                    res, resTol);
                }
            }
        }
        return new EigenChecks(traceError, tol, squareError, tol2, conj, radius, bound, res, resTol, failure);
    }

    private static EigenChecks fail(double tol, double tol2, double bound, double resTol, String why) {
        return new EigenChecks(Double.NaN, tol, Double.NaN, tol2, Double.NaN, Double.NaN, bound, Double.NaN, resTol, why);
    }

    /**
     * The largest distance between each eigenvalue with Im &gt; 0 and the one right after it, taken
     * as its conjugate partner; NaN when the complex eigenvalues do not come in such adjacent
     * (Im &gt; 0, Im &lt; 0) pairs. LAPACK's and EISPACK's solvers store pairs that way, so this
     * matching usually exists, and as a matching it bounds how far the spectrum is from closed under
     * conjugation. It costs O(n), against the full matching's n² distances sorted (most of a batched
     * call's time for 64×64 matrices before it).
     */
    static double adjacentConjugateDistance(double[] re, double[] im) {
        double max = 0;
        for (int i = 0; i < re.length; i++) {
            if (im[i] == 0) {
                continue;
            }
            if (im[i] < 0 || i + 1 == re.length || !(im[i + 1] < 0)) {
                return Double.NaN;
            }
            max = Math.max(max, Math.hypot(re[i] - re[i + 1], im[i] + im[i + 1]));
            i++;
        }
        return max;
    }

    private static double[][] select(double[] re, double[] im, int sign) {
        int count = 0;
        for (double v : im) {
            if (Math.signum(v) == sign) {
                count++;
            }
        }
        double[] r = new double[count];
        double[] i = new double[count];
        int k = 0;
        for (int j = 0; j < im.length; j++) {
            if (Math.signum(im[j]) == sign) {
                r[k] = re[j];
                i[k++] = im[j];
            }
        }
        return new double[][]{r, i};
    }

    /** ‖A·V − V·Λ‖_F / ‖A‖_F with every column of V scaled to unit norm (a zero column fails). */
    static double residual(double[] a, int n, RawEigen raw, double normA) {
        double[] vr = raw.vectorsRe();
        double[] vi = raw.vectorsIm();
        double[] cr = new double[n];
        double[] ci = new double[n];
        double total = 0;
        for (int j = 0; j < n; j++) {
            double norm = 0;
            for (int i = 0; i < n; i++) {
                cr[i] = vr[i * n + j];
                ci[i] = vi[i * n + j];
                norm += cr[i] * cr[i] + ci[i] * ci[i];
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || !Double.isFinite(norm)) {
                return Double.POSITIVE_INFINITY;
            }
            double lr = raw.re()[j];
            double li = raw.im()[j];
            for (int i = 0; i < n; i++) {
                double sr = -(lr * cr[i] - li * ci[i]);
                double si = -(lr * ci[i] + li * cr[i]);
                for (int k = 0; k < n; k++) {
                    double aik = a[i * n + k];
                    sr += aik * cr[k];
                    si += aik * ci[k];
                }
                total += (sr * sr + si * si) / (norm * norm);
            }
        }
        return Math.sqrt(total) / (normA == 0 ? 1 : normA);
    }
}

package dev.mnemo.nn.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.hessenberg.HessenbergSimilarDecomposition_DDRM;

/**
 * Right eigenvectors for known eigenvalues by inverse iteration on the Hessenberg form, the method
 * of LAPACK's {@code dhsein}: {@code A = Q·H·Qᵀ}; for each λ solve {@code (H − λ'I)·x = b} a few times
 * in complex arithmetic (an O(n²) LU, since H is upper Hessenberg) and return {@code v = Q·x}.
 *
 * <p>λ' is λ nudged by {@code ε₃ = u·‖H‖} away from the shifts already used, so repeated eigenvalues
 * get distinct solves; for a repeated or defective eigenvalue the vectors may then be nearly
 * parallel (as from LAPACK), but each satisfies {@code A·v ≈ λ·v}. A conjugate eigenvalue gets the
 * conjugate vector. Tiny pivots are replaced by ε₃ and the back substitution rescales to avoid
 * overflow. Cost: O(n²) per eigenvalue after the O(n³) reduction.
 */
final class InverseIteration {

    private static final double BIG = 1e100;
    private static final int MAX_SOLVES = 3;
    /** Start vectors tried per eigenvalue before the best vector found is kept. */
    private static final int START_VECTORS = 8;

    private InverseIteration() {
    }

    /**
     * {@link #eigenvectors} computed on A balanced ({@code b}, from {@link Balancing#balance}; null where A is
     * balanced already), as LAPACK's dgeev computes them
     * (dgebal, then dgebak): w of B = D⁻¹PᵀAPD, then v = P·D·w, each column scaled to unit length again. On A
     * itself, a 16×16 similarity graded by 10 a row got vectors whose residual in B's basis was 0.37·‖B‖
     * while ‖Av − λv‖ stayed within rounding of ‖A‖ ≈ 1e15.
     */
    static double[][] eigenvectorsBalanced(double[] a, Balancing.Balanced b, int n, double[] re, double[] im) {
        if (b == null) {
            return eigenvectors(a, n, re, im);
        }
        double[][] w = eigenvectors(b.matrix(), n, re, im);
        double[][] v = {b.toOriginalBasis(w[0], n), b.toOriginalBasis(w[1], n)};
        double[] xr = new double[n];
        double[] xi = new double[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                xr[i] = v[0][i * n + j];
                xi[i] = v[1][i * n + j];
            }
            normalize(xr, xi);
            for (int i = 0; i < n; i++) {
                v[0][i * n + j] = xr[i];
                v[1][i * n + j] = xi[i];
            }
        }
        return v;
    }

    /** {vectorsRe, vectorsIm}, each {@code [n, n]} row-major, column j for eigenvalue j. */
    static double[][] eigenvectors(double[] a, int n, double[] re, double[] im) {
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        System.arraycopy(a, 0, m.data, 0, n * n);
        HessenbergSimilarDecomposition_DDRM hess = new HessenbergSimilarDecomposition_DDRM(n);
        if (!hess.decompose(m)) {
            throw new IllegalStateException("Hessenberg reduction failed");
        }
        double[] h = hess.getH(null).data;
        double[] q = hess.getQ(null).data;
        double norm = 0;
        for (double x : h) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        double eps3 = (norm == 0 ? 1.0 : norm) * 0x1p-52;

        double[] vRe = new double[n * n];
        double[] vIm = new double[n * n];
        double[] shiftRe = new double[n];
        double[] shiftIm = new double[n];
        boolean[] shifted = new boolean[n];
        boolean[] partnered = new boolean[n];
        double[] xr = new double[n];
        double[] xi = new double[n];
        for (int j = 0; j < n; j++) {
            int partner = im[j] < 0 ? conjugatePartner(j, re, im, shifted, partnered) : -1;
            if (partner >= 0) {
                partnered[partner] = true;
                for (int i = 0; i < n; i++) {
                    vRe[i * n + j] = vRe[i * n + partner];
                    vIm[i * n + j] = -vIm[i * n + partner];
                }
                continue;
            }
            double sr = re[j];
            double si = im[j];
            for (boolean clash = true; clash; ) {
                clash = false;
                for (int k = 0; k < j; k++) {
                    if (shifted[k] && Math.abs(sr - shiftRe[k]) + Math.abs(si - shiftIm[k]) < eps3) {
                        sr += eps3;
                        clash = true;
                    }
                }
            }
            shiftRe[j] = sr;
            shiftIm[j] = si;
            shifted[j] = true;
            solve(h, n, sr, si, eps3, xr, xi);
            // v = Q x
            for (int i = 0; i < n; i++) {
                double sumR = 0;
                double sumI = 0;
                for (int k = 0; k < n; k++) {
                    double qik = q[i * n + k];
                    sumR += qik * xr[k];
                    sumI += qik * xi[k];
                }
                vRe[i * n + j] = sumR;
                vIm[i * n + j] = sumI;
            }
        }
        return new double[][]{vRe, vIm};
    }

    /** An earlier eigenvalue, solved directly and not yet partnered, equal to conj(λ_j). */
    private static int conjugatePartner(int j, double[] re, double[] im, boolean[] shifted, boolean[] partnered) {
        for (int k = 0; k < j; k++) {
            if (shifted[k] && !partnered[k] && re[k] == re[j] && im[k] == -im[j]) {
                return k;
            }
        }
        return -1;
    }

    /** Inverse iteration for shift (sr, si): x ← (H − λI)⁻¹ x / ‖x‖, up to {@link #MAX_SOLVES} times per start vector. */
    private static void solve(double[] h, int n, double sr, double si, double eps3, double[] xr, double[] xi) {
        // M = H − λI, upper Hessenberg, factored in place as P·L·U with pivoting between adjacent rows
        double[] mr = new double[n * n];
        double[] mi = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = Math.max(0, i - 1); j < n; j++) {
                mr[i * n + j] = h[i * n + j];
            }
            mr[i * n + i] -= sr;
            mi[i * n + i] = -si;
        }
        boolean[] swapped = new boolean[n];
        double[] lr = new double[n];
        double[] li = new double[n];
        for (int k = 0; k < n - 1; k++) {
            int kk = k * n + k;
            int bk = (k + 1) * n + k;
            if (Math.abs(mr[bk]) + Math.abs(mi[bk]) > Math.abs(mr[kk]) + Math.abs(mi[kk])) {
                for (int j = k; j < n; j++) {
                    double t = mr[k * n + j];
                    mr[k * n + j] = mr[(k + 1) * n + j];
                    mr[(k + 1) * n + j] = t;
                    t = mi[k * n + j];
                    mi[k * n + j] = mi[(k + 1) * n + j];
                    mi[(k + 1) * n + j] = t;
                }
                swapped[k] = true;
            }
            if (Math.abs(mr[kk]) + Math.abs(mi[kk]) < eps3) {
                mr[kk] = eps3;
                mi[kk] = 0;
            }
            // l = b / a
            double ar = mr[kk];
            double ai = mi[kk];
            double br = mr[bk];
            double bi = mi[bk];
            double den = ar * ar + ai * ai;
            double l1 = (br * ar + bi * ai) / den;
            double l2 = (bi * ar - br * ai) / den;
            lr[k] = l1;
            li[k] = l2;
            for (int j = k + 1; j < n; j++) {
                double ur = mr[k * n + j];
                double ui = mi[k * n + j];
                mr[(k + 1) * n + j] -= l1 * ur - l2 * ui;
                mi[(k + 1) * n + j] -= l1 * ui + l2 * ur;
            }
            mr[bk] = 0;
            mi[bk] = 0;
        }
        int last = (n - 1) * n + n - 1;
        if (Math.abs(mr[last]) + Math.abs(mi[last]) < eps3) {
            mr[last] = eps3;
            mi[last] = 0;
        }
        // The all-ones start can lack any component along the wanted vector (then every solve returns
        // an unrelated one: residual 0.84 on a 3×3 with distinct eigenvalues); on failure, other
        // fixed starts, as LAPACK's dlaein, and the best vector found is kept.
        double[] bestR = null;
        double[] bestI = null;
        double best = Double.POSITIVE_INFINITY;
        for (int start = 0; start < START_VECTORS; start++) {
            startVector(start, xr, xi);
            double r = iterate(h, n, sr, si, eps3, mr, mi, lr, li, swapped, xr, xi);
            if (r <= 4.0 * n * eps3) {
                return;
            }
            if (r < best) {
                best = r;
                bestR = xr.clone();
                bestI = xi.clone();
            }
        }
        System.arraycopy(bestR, 0, xr, 0, n);
        System.arraycopy(bestI, 0, xi, 0, n);
    }

    /**
     * Start vector {@code k}: all ones first; then a fixed pseudo-random vector per {@code k}
     * (deterministic, so the same matrix always gets the same vectors).
     */
    private static void startVector(int k, double[] xr, double[] xi) {
        java.util.Arrays.fill(xi, 0.0);
        if (k == 0) {
            java.util.Arrays.fill(xr, 1.0);
            return;
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(k);
        for (int i = 0; i < xr.length; i++) {
            xr[i] = rnd.nextDouble(-1, 1);
        }
    }

    /** Up to {@link #MAX_SOLVES} solves with the factored H − λI from x; the last residual. */
    private static double iterate(double[] h, int n, double sr, double si, double eps3, double[] mr, double[] mi,
                                  double[] lr, double[] li, boolean[] swapped, double[] xr, double[] xi) {
        double r = Double.POSITIVE_INFINITY;
        for (int it = 0; it < MAX_SOLVES; it++) {
            for (int k = 0; k < n - 1; k++) {
                if (swapped[k]) {
                    double t = xr[k];
                    xr[k] = xr[k + 1];
                    xr[k + 1] = t;
                    t = xi[k];
                    xi[k] = xi[k + 1];
                    xi[k + 1] = t;
                }
                xr[k + 1] -= lr[k] * xr[k] - li[k] * xi[k];
                xi[k + 1] -= lr[k] * xi[k] + li[k] * xr[k];
            }
            backSubstitute(mr, mi, n, xr, xi);
            normalize(xr, xi);
            r = residual(h, n, sr, si, xr, xi);
            if (r <= 4.0 * n * eps3) {
                break;
            }
        }
        return r;
    }

    /** Solves U·x = b in place (U upper triangular), rescaling x and the rest of b when x grows. */
    private static void backSubstitute(double[] mr, double[] mi, int n, double[] xr, double[] xi) {
        for (int i = n - 1; i >= 0; i--) {
            double sr = xr[i];
            double si = xi[i];
            for (int j = i + 1; j < n; j++) {
                double ur = mr[i * n + j];
                double ui = mi[i * n + j];
                sr -= ur * xr[j] - ui * xi[j];
                si -= ur * xi[j] + ui * xr[j];
            }
            double dr = mr[i * n + i];
            double di = mi[i * n + i];
            double den = dr * dr + di * di;
            xr[i] = (sr * dr + si * di) / den;
            xi[i] = (si * dr - sr * di) / den;
            double size = Math.abs(xr[i]) + Math.abs(xi[i]);
            if (size > BIG) {
                double s = 1.0 / size;
                for (int k = 0; k < n; k++) {
                    xr[k] *= s;
                    xi[k] *= s;
                }
            }
        }
    }

    private static void normalize(double[] xr, double[] xi) {
        double max = 0;
        for (int i = 0; i < xr.length; i++) {
            max = Math.max(max, Math.abs(xr[i]) + Math.abs(xi[i]));
        }
        if (max == 0 || !Double.isFinite(max)) {
            return;
        }
        double sum = 0;
        for (int i = 0; i < xr.length; i++) {
            xr[i] /= max;
            xi[i] /= max;
            sum += xr[i] * xr[i] + xi[i] * xi[i];
        }
        double s = 1.0 / Math.sqrt(sum);
        for (int i = 0; i < xr.length; i++) {
            xr[i] *= s;
            xi[i] *= s;
        }
    }

    /** ‖(H − λI)·x‖ for a unit x. */
    private static double residual(double[] h, int n, double sr, double si, double[] xr, double[] xi) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double rr = -(sr * xr[i] - si * xi[i]);
            double ri = -(sr * xi[i] + si * xr[i]);
            for (int j = Math.max(0, i - 1); j < n; j++) {
                rr += h[i * n + j] * xr[j];
                ri += h[i * n + j] * xi[j];
            }
            sum += rr * rr + ri * ri;
        }
        return Math.sqrt(sum);
    }
}

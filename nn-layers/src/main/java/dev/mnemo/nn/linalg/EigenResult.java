package dev.mnemo.nn.linalg;

import java.util.Arrays;
import java.util.List;

/**
 * A checked eigendecomposition of a real square matrix: its n complex eigenvalues and, when asked
 * for, right eigenvectors, in one documented order so that results of different solvers compare.
 *
 * <h2>Order</h2>
 * By |λ| descending; ties by |arg λ| ascending (positive reals first, negative reals last); a
 * conjugate pair adjacent with the +Im member first. (Ties are exact comparisons: where |λ| nearly
 * ties, two solvers may order differently — compare spectra with {@link #maxDistanceTo}.)
 *
 * <h2>Eigenvectors</h2>
 * Column j of the row-major {@code [n, n]} arrays {@link #vectorsRe()}, {@link #vectorsIm()} is the
 * right eigenvector of λ_j ({@code A·v_j ≈ λ_j·v_j}), scaled to unit Euclidean norm with its
 * largest-modulus component real and positive. A conjugate pair has conjugate vectors. For repeated
 * or defective eigenvalues the vectors need not be independent.
 *
 * <p>Immutable; accessors return copies.
 */
public final class EigenResult {

    private final int n;
    private final double[] re;
    private final double[] im;
    private final double[] vectorsRe;
    private final double[] vectorsIm;
    private final String solver;
    private final EigenPrecision precision;
    private final EigenChecks checks;
    private final List<String> notes;

    private EigenResult(int n, double[] re, double[] im, double[] vectorsRe, double[] vectorsIm, String solver,
                        EigenPrecision precision, EigenChecks checks, List<String> notes) {
        this.n = n;
        this.re = re;
        this.im = im;
        this.vectorsRe = vectorsRe;
        this.vectorsIm = vectorsIm;
        this.solver = solver;
        this.precision = precision;
        this.checks = checks;
        this.notes = List.copyOf(notes);
    }

    /** Sorts and normalises a checked raw result; drops the vectors unless {@code keepVectors}. */
    static EigenResult of(RawEigen raw, boolean keepVectors, String solver, EigenPrecision precision,
                          EigenChecks checks, List<String> notes) {
        int n = raw.n();
        double[] r = raw.re();
        double[] i = raw.im();
        double[] mag = new double[n];
        double[] arg = new double[n];
        double[] imag = new double[n];
        for (int k = 0; k < n; k++) {
            imag[k] = i[k] == 0 ? 0.0 : i[k]; // −0.0 → 0.0
            mag[k] = Math.hypot(r[k], imag[k]);
            arg[k] = Math.abs(Math.atan2(imag[k], r[k]));
        }
        Integer[] order = new Integer[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Double.compare(mag[y], mag[x]);
            if (c != 0) {
                return c;
            }
            c = Double.compare(arg[x], arg[y]);
            return c != 0 ? c : Double.compare(imag[y], imag[x]);
        });
        pairConjugates(order, r, imag, mag, arg);
        double[] sr = new double[n];
        double[] si = new double[n];
        for (int k = 0; k < n; k++) {
            sr[k] = r[order[k]];
            si[k] = imag[order[k]];
        }
        double[] vr = null;
        double[] vi = null;
        if (keepVectors && raw.hasVectors()) {
            vr = new double[n * n];
            vi = new double[n * n];
            for (int k = 0; k < n; k++) {
                copyNormalizedColumn(raw.vectorsRe(), raw.vectorsIm(), n, order[k], vr, vi, k);
            }
        }
        return new EigenResult(n, sr, si, vr, vi, solver, precision, checks, notes);
    }

    /**
     * Puts each +Im member's conjugate right after it. The sort keeps a pair together only when no other value ties
     * with it in |λ| and |arg λ|: a repeated pair came out λ, λ, λ̄, λ̄ (and two pairs a rounding apart, whose
     * |λ| and arg tie, λ1, λ2, λ̄2, λ̄1), against the documented order, with the vectors following. The partner is
     * the exact conjugate where there is one (LAPACK's pairs are exact), else the nearest −Im value of the same
     * |λ| and arg; it moves forward within that tie, so the order by |λ| and arg is kept.
     */
    private static void pairConjugates(Integer[] order, double[] re, double[] im, double[] mag, double[] arg) {
        int n = order.length;
        for (int k = 0; k + 1 < n; k++) {
            int a = order[k];
            if (!(im[a] > 0)) {
                continue;
            }
            int partner = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j = k + 1; j < n && mag[order[j]] == mag[a] && arg[order[j]] == arg[a]; j++) {
                int b = order[j];
                if (im[b] < 0) {
                    double d = Math.hypot(re[b] - re[a], im[b] + im[a]);
                    if (d < best) {
                        best = d;
                        partner = j;
                    }
                }
            }
            if (partner > k + 1) {
                Integer moved = order[partner];
                System.arraycopy(order, k + 1, order, k + 2, partner - k - 1);
                order[k + 1] = moved;
            }
            if (partner > 0) {
                k++;   // the pair is placed
            }
        }
    }

    /** Column {@code from} of (ar, ai) to column {@code to} of (br, bi): unit norm, largest component real > 0. */
    private static void copyNormalizedColumn(double[] ar, double[] ai, int n, int from, double[] br, double[] bi,
                                             int to) {
        double norm = 0;
        double best = -1;
        int at = 0;
        for (int i = 0; i < n; i++) {
            double x = ar[i * n + from];
            double y = ai[i * n + from];
            double m2 = x * x + y * y;
            norm += m2;
            if (m2 > best) {
                best = m2;
                at = i;
            }
        }
        norm = Math.sqrt(norm);
        double pr = ar[at * n + from];
        double pi = ai[at * n + from];
        double pm = Math.hypot(pr, pi);
        // multiply by conj(p)/|p| / norm
        double cr = pm == 0 ? 1 : pr / pm;
        double ci = pm == 0 ? 0 : -pi / pm;
        double s = norm == 0 ? 1 : 1.0 / norm;
        for (int i = 0; i < n; i++) {
            double x = ar[i * n + from];
            double y = ai[i * n + from];
            br[i * n + to] = (x * cr - y * ci) * s;
            bi[i * n + to] = (x * ci + y * cr) * s;
        }
        bi[at * n + to] = 0.0;
    }

    /** The order n. */
    public int n() {
        return n;
    }

    /** Real parts of the eigenvalues, in the documented order. */
    public double[] re() {
        return re.clone();
    }

    /** Imaginary parts of the eigenvalues, in the documented order. */
    public double[] im() {
        return im.clone();
    }

    /** Re λ_k. */
    public double re(int k) {
        return re[k];
    }

    /** Im λ_k. */
    public double im(int k) {
        return im[k];
    }

    /** |λ_k|. */
    public double abs(int k) {
        return Math.hypot(re[k], im[k]);
    }

    /** arg λ_k in (−π, π]. */
    public double arg(int k) {
        return Math.atan2(im[k], re[k]);
    }

    /** |λ| of every eigenvalue, descending (the documented order makes them so). */
    public double[] magnitudes() {
        double[] m = new double[n];
        for (int k = 0; k < n; k++) {
            m[k] = abs(k);
        }
        return m;
    }

    /** The spectral radius, max |λ| (that of λ_0). */
    public double spectralRadius() {
        return n == 0 ? 0 : abs(0);
    }

    /** Whether eigenvectors were computed (asked for, or needed by the residual check). */
    public boolean hasVectors() {
        return vectorsRe != null;
    }

    /** Real parts of the eigenvectors, {@code [n, n]} row-major, column j for λ_j. */
    public double[] vectorsRe() {
        requireVectors();
        return vectorsRe.clone();
    }

    /** Imaginary parts of the eigenvectors, same layout. */
    public double[] vectorsIm() {
        requireVectors();
        return vectorsIm.clone();
    }

    private void requireVectors() {
        if (vectorsRe == null) {
            throw new IllegalStateException("no eigenvectors: ask for them with EigenOptions.builder().vectors(true)");
        }
    }

    /**
     * The solver that produced this result: {@code cpu-francis-qr}, {@code cpu-ejml}, {@code cpu-ejml-symmetric},
     * {@code cpu-ejml-transposed}, {@code gpu-cusolver-xgeev}, {@code gpu-cusolver-xsyevd}, or a
     * {@link BatchedEigenSolver}'s label.
     */
    public String solver() {
        return solver;
    }

    /** The arithmetic that produced this result. */
    public EigenPrecision precision() {
        return precision;
    }

    /** Whether the symmetric solver produced it. */
    public boolean symmetric() {
        return solver.endsWith("symmetric") || solver.endsWith("xsyevd");
    }

    /** The checks this result passed, with the measured errors and their bounds. */
    public EigenChecks checks() {
        return checks;
    }

    /**
     * What happened besides the plain path: a GPU asked for but missing, attempts that failed a
     * check (and which check) before this one passed. Empty when the first attempt passed.
     */
    public List<String> notes() {
        return notes;
    }

    /** Whether an earlier attempt failed and this result comes from a retry. */
    public boolean retried() {
        return notes.stream().anyMatch(s -> s.contains(" failed") || s.contains(" threw "));
    }

    /**
     * The largest distance between matched eigenvalues of this result and the spectrum
     * {@code (re, im)} (greedy matching, closest pairs first); +∞ when the sizes differ.
     */
    public double maxDistanceTo(double[] otherRe, double[] otherIm) {
        return SpectrumMatch.maxDistance(re, im, otherRe, otherIm);
    }

    /** {@link #maxDistanceTo(double[], double[])} against another result. */
    public double maxDistanceTo(EigenResult other) {
        return maxDistanceTo(other.re, other.im);
    }

    /** {@code EigenResult(n=64, radius=0.9812, solver=cpu-ejml float64, vectors, 1 note)}. */
    @Override
    public String toString() {
        return "EigenResult(n=" + n + ", radius=" + String.format("%.6g", spectralRadius()) + ", solver=" + solver
                + " " + precision.label() + (hasVectors() ? ", vectors" : "")
                + (notes.isEmpty() ? "" : ", " + notes.size() + " note" + (notes.size() > 1 ? "s" : "")) + ")";
    }
}

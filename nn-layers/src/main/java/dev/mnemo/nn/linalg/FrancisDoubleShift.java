package dev.mnemo.nn.linalg;

/**
 * Eigenvalues of an upper Hessenberg matrix by the Francis double-shift QR algorithm, values only,
 * following LAPACK's {@code dlahqr} with {@code wantt = wantz = false}:
 * <ul>
 *   <li>a sweep updates only the unreduced block it works on. The rows to its left and the columns
 *       above it matter only for the Schur form and the eigenvectors, which this does not compute;
 *       leaving them alone is most of why it is several times faster than EJML's QR, which
 *       updates the whole matrix;</li>
 *   <li>a subdiagonal entry is negligible by Ahues and Tisseur's test, which keeps small eigenvalues
 *       of graded matrices accurate where the classical |h(k,k-1)| ≤ u(|h(k-1,k-1)| + |h(k,k)|) does not;</li>
 *   <li>after 10 and 20 sweeps without a deflation, an exceptional shift breaks the cycle (the
 *       ad hoc shifts of EISPACK and LAPACK);</li>
 *   <li>each deflated 2×2 block's pair comes from {@link #twoByTwo}, LAPACK's {@code dlanv2}
 *       standardization, accurate for close real pairs and for complex ones.</li>
 * </ul>
 */
final class FrancisDoubleShift {

    private static final double ULP = 0x1p-52;
    private static final double SAFE_MIN = Double.MIN_NORMAL;
    /** dlanv2's rescaling bounds, 2^±484: β^(int(log_β(safmin/eps)/2)). */
    private static final double SAFE_MIN2 = 0x1p-484;
    private static final double SAFE_MAX2 = 0x1p484;
    /** Sweeps without a deflation between exceptional shifts (dlahqr's KEXSH). */
    private static final int EXCEPTIONAL_EVERY = 10;

    private FrancisDoubleShift() {
    }

    /**
     * Writes the eigenvalues of the n×n upper Hessenberg matrix in {@code h} (row i at {@code h[i·ld]},
     * overwritten) into {@code re} and {@code im}, complex pairs adjacent with the positive imaginary
     * part first.
     *
     * @throws IllegalStateException when a block has not split after 30·max(10, n) sweeps
     */
    static void eigenvalues(double[] h, int n, int ld, double[] re, double[] im) {
        double small = SAFE_MIN * (n / ULP);
        int maxSweeps = 30 * Math.max(10, n);
        int sinceDeflation = 0;
        int hi = n - 1;
        while (hi >= 0) {
            int lo = 0;
            boolean split = false;
            for (int sweep = 0; sweep <= maxSweeps; sweep++) {
                lo = splitPoint(h, ld, lo, hi, small);
                if (lo > 0) {
                    h[lo * ld + lo - 1] = 0.0;
                }
                if (lo >= hi - 1) {
                    split = true;
                    break;
                }
                sinceDeflation++;
                sweep(h, ld, lo, hi, sinceDeflation);
            }
            if (!split) {
                throw new IllegalStateException("the QR algorithm did not converge: rows " + lo + ".." + hi
                        + " had not split after " + maxSweeps + " sweeps");
            }
            if (lo == hi) {
                re[hi] = h[hi * ld + hi];
                im[hi] = 0.0;
            } else {
                twoByTwo(h[lo * ld + lo], h[lo * ld + hi], h[hi * ld + lo], h[hi * ld + hi], re, im, lo);
            }
            sinceDeflation = 0;
            hi = lo - 1;
        }
    }

    /** The largest k in (lo, hi] whose subdiagonal h(k, k-1) is negligible, or lo when none is. */
    private static int splitPoint(double[] h, int ld, int lo, int hi, double small) {
        for (int k = hi; k > lo; k--) {
            double sub = Math.abs(h[k * ld + k - 1]);
            if (sub <= small) {
                return k;
            }
            double dPrev = h[(k - 1) * ld + k - 1];
            double d = h[k * ld + k];
            double tst = Math.abs(dPrev) + Math.abs(d);
            if (tst == 0) {
                if (k - 2 >= lo) {
                    tst += Math.abs(h[(k - 1) * ld + k - 2]);
                }
                if (k + 1 <= hi) {
                    tst += Math.abs(h[(k + 1) * ld + k]);
                }
            }
            if (sub <= ULP * tst) {
                // Ahues & Tisseur: negligible relative to the 2×2 block's own scale, not just its diagonal
                double sup = Math.abs(h[(k - 1) * ld + k]);
                double ab = Math.max(sub, sup);
                double ba = Math.min(sub, sup);
                double diff = Math.abs(dPrev - d);
                double aa = Math.max(Math.abs(d), diff);
                double bb = Math.min(Math.abs(d), diff);
                double s = aa + ab;
                if (ba * (ab / s) <= Math.max(small, ULP * (bb * (aa / s)))) {
                    return k;
                }
            }
        }
        return lo;
    }

    /** One implicit double-shift QR sweep over the unreduced block lo..hi (hi - lo ≥ 2). */
    private static void sweep(double[] h, int ld, int lo, int hi, int sinceDeflation) {
        double h11;
        double h12;
        double h21;
        double h22;
        if (sinceDeflation % (2 * EXCEPTIONAL_EVERY) == 0) {
            double s = Math.abs(h[hi * ld + hi - 1]) + Math.abs(h[(hi - 1) * ld + hi - 2]);
            h11 = 0.75 * s + h[hi * ld + hi];
            h12 = -0.4375 * s;
            h21 = s;
            h22 = h11;
        } else if (sinceDeflation % EXCEPTIONAL_EVERY == 0) {
            double s = Math.abs(h[(lo + 1) * ld + lo]) + Math.abs(h[(lo + 2) * ld + lo + 1]);
            h11 = 0.75 * s + h[lo * ld + lo];
            h12 = -0.4375 * s;
            h21 = s;
            h22 = h11;
        } else {
            h11 = h[(hi - 1) * ld + hi - 1];
            h21 = h[hi * ld + hi - 1];
            h12 = h[(hi - 1) * ld + hi];
            h22 = h[hi * ld + hi];
        }
        // the shifts: the eigenvalues of the trailing 2×2 (a real pair is replaced by its member closer to h22, twice)
        double s = Math.abs(h11) + Math.abs(h12) + Math.abs(h21) + Math.abs(h22);
        double rt1r = 0;
        double rt1i = 0;
        double rt2r = 0;
        double rt2i = 0;
        if (s != 0) {
            h11 /= s;
            h21 /= s;
            h12 /= s;
            h22 /= s;
            double tr = (h11 + h22) / 2;
            double det = (h11 - tr) * (h22 - tr) - h12 * h21;
            double rtdisc = Math.sqrt(Math.abs(det));
            if (det >= 0) {
                rt1r = tr * s;
                rt2r = rt1r;
                rt1i = rtdisc * s;
                rt2i = -rt1i;
            } else {
                double a = tr + rtdisc;
                double b = tr - rtdisc;
                rt1r = (Math.abs(a - h22) <= Math.abs(b - h22) ? a : b) * s;
                rt2r = rt1r;
            }
        }
        // start the bulge where two consecutive subdiagonals are small enough for it to be born there
        double v1 = 0;
        double v2 = 0;
        double v3 = 0;
        int m;
        for (m = hi - 2; m >= lo; m--) {
            double hmm = h[m * ld + m];
            double h21s = h[(m + 1) * ld + m];
            double sc = Math.abs(hmm - rt2r) + Math.abs(rt2i) + Math.abs(h21s);
            h21s /= sc;
            v1 = h21s * h[m * ld + m + 1] + (hmm - rt1r) * ((hmm - rt2r) / sc) - rt1i * (rt2i / sc);
            v2 = h21s * (hmm + h[(m + 1) * ld + m + 1] - rt1r - rt2r);
            v3 = h21s * h[(m + 2) * ld + m + 1];
            sc = Math.abs(v1) + Math.abs(v2) + Math.abs(v3);
            v1 /= sc;
            v2 /= sc;
            v3 /= sc;
            if (m == lo) {
                break;
            }
            double h00 = Math.abs(h[m * ld + m - 1]) * (Math.abs(v2) + Math.abs(v3));
            double h01 = Math.abs(v1) * (Math.abs(h[(m - 1) * ld + m - 1]) + Math.abs(hmm)
                    + Math.abs(h[(m + 1) * ld + m + 1]));
            if (h00 <= ULP * h01) {
                break;
            }
        }
        // chase the bulge down to hi
        double[] v = new double[3];
        for (int k = m; k < hi; k++) {
            int nr = Math.min(3, hi - k + 1);
            if (k > m) {
                v[0] = h[k * ld + k - 1];
                v[1] = h[(k + 1) * ld + k - 1];
                v[2] = nr == 3 ? h[(k + 2) * ld + k - 1] : 0.0;
            } else {
                v[0] = v1;
                v[1] = v2;
                v[2] = v3;
            }
            double t1 = reflector3(v, nr);
            if (k > m) {
                h[k * ld + k - 1] = v[0];
                h[(k + 1) * ld + k - 1] = 0.0;
                if (k < hi - 1) {
                    h[(k + 2) * ld + k - 1] = 0.0;
                }
            } else if (m > lo) {
                // dlahqr's form of h(k,k-1) = −h(k,k-1): also right when v(2), v(3) underflowed
                h[k * ld + k - 1] *= 1.0 - t1;
            }
            double w2 = v[1];
            double t2 = t1 * w2;
            int rowK = k * ld;
            int rowK1 = rowK + ld;
            if (nr == 3) {
                double w3 = v[2];
                double t3 = t1 * w3;
                int rowK2 = rowK1 + ld;
                for (int j = k; j <= hi; j++) {
                    double sum = h[rowK + j] + w2 * h[rowK1 + j] + w3 * h[rowK2 + j];
                    h[rowK + j] -= sum * t1;
                    h[rowK1 + j] -= sum * t2;
                    h[rowK2 + j] -= sum * t3;
                }
                int last = Math.min(k + 3, hi);
                for (int i = lo; i <= last; i++) {
                    int at = i * ld + k;
                    double sum = h[at] + w2 * h[at + 1] + w3 * h[at + 2];
                    h[at] -= sum * t1;
                    h[at + 1] -= sum * t2;
                    h[at + 2] -= sum * t3;
                }
            } else {
                for (int j = k; j <= hi; j++) {
                    double sum = h[rowK + j] + w2 * h[rowK1 + j];
                    h[rowK + j] -= sum * t1;
                    h[rowK1 + j] -= sum * t2;
                }
                for (int i = lo; i <= hi; i++) {
                    int at = i * ld + k;
                    double sum = h[at] + w2 * h[at + 1];
                    h[at] -= sum * t1;
                    h[at + 1] -= sum * t2;
                }
            }
        }
    }

    /**
     * {@code dlarfg} on the {@code nr}-vector v (2 or 3): v[0] becomes β, v[1..] the reflector's tail
     * (its head is 1), and τ is returned; τ = 0 (the identity) when the tail is zero already.
     */
    private static double reflector3(double[] v, int nr) {
        double alpha = v[0];
        double x1 = v[1];
        double x2 = nr == 3 ? v[2] : 0.0;
        double scale = Math.max(Math.abs(x1), Math.abs(x2));
        if (scale == 0) {
            return 0.0;
        }
        scale = Math.max(scale, Math.abs(alpha));
        double a = alpha / scale;
        double b = x1 / scale;
        double c = x2 / scale;
        double norm = scale * Math.sqrt(a * a + b * b + c * c);
        double beta = alpha >= 0 ? -norm : norm;
        double tau = (beta - alpha) / beta;
        double inv = 1.0 / (alpha - beta);
        v[0] = beta;
        v[1] = x1 * inv;
        v[2] = x2 * inv;
        return tau;
    }

    /**
     * The eigenvalues of [[a, b], [c, d]] into re/im at {@code at} and {@code at + 1} ({@code dlanv2}):
     * a real pair when the block reduces to triangular form, else the complex pair with the positive
     * imaginary part first.
     */
    static void twoByTwo(double a, double b, double c, double d, double[] re, double[] im, int at) {
        if (c == 0) {
            store(a, d, 0, re, im, at);
            return;
        }
        if (b == 0) {
            store(d, a, 0, re, im, at);
            return;
        }
        if (a - d == 0 && Math.signum(b) != Math.signum(c)) {
            store(a, a, Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(c)), re, im, at);
            return;
        }
        double temp = a - d;
        double p = 0.5 * temp;
        double bcmax = Math.max(Math.abs(b), Math.abs(c));
        double bcmis = Math.min(Math.abs(b), Math.abs(c)) * Math.copySign(1.0, b) * Math.copySign(1.0, c);
        double scale = Math.max(Math.abs(p), bcmax);
        double z = (p / scale) * p + (bcmax / scale) * bcmis;
        if (z >= 4.0 * ULP) {
            // real and distinct enough: the textbook formula without cancellation
            z = p + Math.copySign(Math.sqrt(scale) * Math.sqrt(z), p);
            store(d + z, d - (bcmax / z) * bcmis, 0, re, im, at);
            return;
        }
        // complex or nearly equal real: rotate until the diagonal entries are equal
        double sigma = b + c;
        for (int count = 0; count < 20; count++) {
            double sc = Math.max(Math.abs(temp), Math.abs(sigma));
            if (sc >= SAFE_MAX2) {
                sigma *= SAFE_MIN2;
                temp *= SAFE_MIN2;
            } else if (sc <= SAFE_MIN2) {
                sigma *= SAFE_MAX2;
                temp *= SAFE_MAX2;
            } else {
                break;
            }
        }
        p = 0.5 * temp;
        double tau = Math.hypot(sigma, temp);
        double cs = Math.sqrt(0.5 * (1.0 + Math.abs(sigma) / tau));
        double sn = -(p / (tau * cs)) * Math.copySign(1.0, sigma);
        double aa = a * cs + b * sn;
        double bb = -a * sn + b * cs;
        double cc = c * cs + d * sn;
        double dd = -c * sn + d * cs;
        b = bb * cs + dd * sn;
        c = -aa * sn + cc * cs;
        double mid = 0.5 * ((aa * cs + cc * sn) + (-bb * sn + dd * cs));
        if (c != 0 && b != 0 && Math.signum(b) == Math.signum(c)) {
            // real after all: the triangular form's diagonal
            double root = Math.copySign(Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(c)), c);
            store(mid + root, mid - root, 0, re, im, at);
            return;
        }
        if (c == 0 || b == 0) {
            store(mid, mid, 0, re, im, at);
            return;
        }
        store(mid, mid, Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(c)), re, im, at);
    }

    private static void store(double first, double second, double imag, double[] re, double[] im, int at) {
        re[at] = first;
        re[at + 1] = second;
        im[at] = imag;
        im[at + 1] = -imag;
    }
}

package dev.mnemo.nn;

import java.util.Objects;

/**
 * The float32 cell kernels of {@link CpuBackend}, shaped for the JIT's loop vectorizer.
 *
 * <p>The generic kernels in {@link CpuCells} read every element through {@link HostStorage#get}
 * and call {@link Math#exp}/{@link Math#tanh}, which C2 does not vectorize: the gate math was most
 * of a float32 LSTM forward (about 80 ns per hidden unit and step on one core; now about 18). Here each batch
 * row is copied into row buffers, runs a few simple passes over them, and is copied back; the
 * activations come from {@link Fp32Activations}, a rational function that C2 turns into AVX code.
 *
 * <p>Every value is computed in double from the same inputs as the generic kernels and rounded once
 * when stored, as there; results differ from them by at most an ulp of a stored value, through the
 * activations (see {@link Fp32Activations}) and because a gate, or the LSTM cell state under
 * tanh(c), is read back as its stored float.
 * Aliasing as in {@link Backend}: {@code gates} may be {@code wx} itself (same element, same index),
 * which the element-by-element loops allow.
 */
final class CpuFloatCells {

    private CpuFloatCells() {
    }

    /** Whether every non-null tensor holds float32 heap storage (then these kernels apply). */
    static boolean applies(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && !(t.host() instanceof HostStorage.Floats)) {
                return false;
            }
        }
        return true;
    }

    /** Rows [b0, b1) of the RNN forward: {@code h = f(wx + bih + rh + bhh)}. */
    static void rnnForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h,
                           int b0, int b1) {
        int hs = h.dim(1);
        double[] bias = biasSum(bih, bhh, 0, hs);
        Rows in = new Rows(wx, rh, hs);
        float[] x = new float[hs];
        float[] r = new float[hs];
        float[] out = new float[hs];
        for (int b = b0; b < b1; b++) {
            in.load(b, 0, x, r);
            if (f == Nonlinearity.TANH) {
                tanhOf(x, r, bias, out);
            } else {
                reluOf(x, r, bias, out);
            }
            store(out, h, b * hs);
        }
    }

    /** Rows [b0, b1) of the LSTM forward (gate order i, f, g, o). */
    static void lstmForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                            Tensor gates, Tensor c, Tensor h, int b0, int b1) {
        int hs = h.dim(1);
        Rows in = new Rows(wx, rh, 4 * hs);
        double[] biasI = biasSum(bih, bhh, 0, hs);
        double[] biasF = biasSum(bih, bhh, hs, hs);
        double[] biasG = biasSum(bih, bhh, 2 * hs, hs);
        double[] biasO = biasSum(bih, bhh, 3 * hs, hs);
        float[] x = new float[hs];
        float[] r = new float[hs];
        float[] i = new float[hs];
        float[] f = new float[hs];
        float[] g = new float[hs];
        float[] o = new float[hs];
        float[] cp = new float[hs];
        float[] cNew = new float[hs];
        float[] hNew = new float[hs];
        for (int b = b0; b < b1; b++) {
            int row = b * 4 * hs;
            in.load(b, 0, x, r);
            sigmoidOf(x, r, biasI, i);
            in.load(b, hs, x, r);
            sigmoidOf(x, r, biasF, f);
            in.load(b, 2 * hs, x, r);
            tanhOf(x, r, biasG, g);
            in.load(b, 3 * hs, x, r);
            sigmoidOf(x, r, biasO, o);
            load(cPrev, b * hs, cp);
            lstmState(i, f, g, o, cp, cNew, hNew);
            if (gates != null) {   // null: inference keeps nothing for a backward
                store(i, gates, row);
                store(f, gates, row + hs);
                store(g, gates, row + 2 * hs);
                store(o, gates, row + 3 * hs);
            }
            store(cNew, c, b * hs);
            store(hNew, h, b * hs);
        }
    }

    /** Rows [b0, b1) of the LSTM backward (see {@link Backend#lstmCellBackward}). */
    static void lstmBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                             Tensor dGates, int b0, int b1) {
        int hs = c.dim(1);
        float[] i = new float[hs];
        float[] f = new float[hs];
        float[] g = new float[hs];
        float[] o = new float[hs];
        float[] cp = new float[hs];
        float[] tc = new float[hs];
        float[] dhOutRow = new float[hs];
        float[] dH = new float[hs];
        float[] dC = new float[hs];
        float[] di = new float[hs];
        float[] df = new float[hs];
        float[] dg = new float[hs];
        float[] dO = new float[hs];
        double[] dht = new double[hs];
        double[] dct = new double[hs];
        for (int b = b0; b < b1; b++) {
            int row = b * 4 * hs;
            int e = b * hs;
            load(gates, row, i);
            load(gates, row + hs, f);
            load(gates, row + 2 * hs, g);
            load(gates, row + 3 * hs, o);
            load(cPrev, e, cp);
            load(c, e, tc);
            tanhInPlace(tc);
            load(dhOut, e, dhOutRow);
            load(dh, e, dH);
            load(dc, e, dC);
            lstmGradients(i, f, g, o, cp, tc, dhOutRow, dH, dC, dht, dct, di, df, dg, dO);
            store(di, dGates, row);
            store(df, dGates, row + hs);
            store(dg, dGates, row + 2 * hs);
            store(dO, dGates, row + 3 * hs);
            store(dC, dc, e);
            java.util.Arrays.fill(floats(dh), offset(dh) + e, offset(dh) + e + hs, 0.0f);
        }
    }

    /** Rows [b0, b1) of the RNN backward: {@code dPre = (dhOut + dh) ⊙ f′(h)}, {@code dh ← 0}. */
    static void rnnBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre, int b0, int b1) {
        int hs = h.dim(1);
        float[] y = new float[hs];
        float[] dhOutRow = new float[hs];
        float[] dH = new float[hs];
        float[] out = new float[hs];
        for (int b = b0; b < b1; b++) {
            int e = b * hs;
            load(h, e, y);
            load(dhOut, e, dhOutRow);
            load(dh, e, dH);
            if (f == Nonlinearity.TANH) {
                tanhGradient(y, dhOutRow, dH, out);
            } else {
                reluGradient(y, dhOutRow, dH, out);
            }
            store(out, dPre, e);
            java.util.Arrays.fill(floats(dh), offset(dh) + e, offset(dh) + e + hs, 0.0f);
        }
    }

    /** Rows [b0, b1) of the GRU backward (see {@link Backend#gruCellBackward}). */
    static void gruBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                            Tensor dWx, Tensor dRh, int b0, int b1) {
        int hs = hn.dim(1);
        float[] r = new float[hs];
        float[] z = new float[hs];
        float[] n = new float[hs];
        float[] hnRow = new float[hs];
        float[] hp = new float[hs];
        float[] dhOutRow = new float[hs];
        float[] dH = new float[hs];
        double[] dht = new double[hs];
        double[] dn = new double[hs];
        float[] dr = new float[hs];
        float[] dz = new float[hs];
        float[] dnOut = new float[hs];
        float[] dRhN = new float[hs];
        for (int b = b0; b < b1; b++) {
            int row = b * 3 * hs;
            int e = b * hs;
            load(gates, row, r);
            load(gates, row + hs, z);
            load(gates, row + 2 * hs, n);
            load(hn, e, hnRow);
            load(hPrev, e, hp);
            load(dhOut, e, dhOutRow);
            load(dh, e, dH);
            gruGradients(r, z, n, hnRow, hp, dhOutRow, dH, dht, dn, dr, dz, dnOut, dRhN);
            store(dr, dWx, row);
            store(dz, dWx, row + hs);
            store(dnOut, dWx, row + 2 * hs);
            store(dr, dRh, row);
            store(dz, dRh, row + hs);
            store(dRhN, dRh, row + 2 * hs);
            store(dH, dh, e);
        }
    }

    /** Rows [b0, b1) of the GRU forward (gate order r, z, n; reset after the recurrent product). */
    static void gruForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                           Tensor gates, Tensor hn, Tensor h, int b0, int b1) {
        int hs = h.dim(1);
        Rows in = new Rows(wx, rh, 3 * hs);
        double[] biasR = biasSum(bih, bhh, 0, hs);
        double[] biasZ = biasSum(bih, bhh, hs, hs);
        double[] biasXn = biasSum(bih, null, 2 * hs, hs);
        double[] biasHn = biasSum(null, bhh, 2 * hs, hs);
        float[] x = new float[hs];
        float[] r = new float[hs];
        float[] reset = new float[hs];
        float[] update = new float[hs];
        float[] n = new float[hs];
        float[] hp = new float[hs];
        float[] hnRow = new float[hs];
        float[] hNew = new float[hs];
        double[] pre = new double[hs];
        for (int b = b0; b < b1; b++) {
            int row = b * 3 * hs;
            in.load(b, 0, x, r);
            sigmoidOf(x, r, biasR, reset);
            in.load(b, hs, x, r);
            sigmoidOf(x, r, biasZ, update);
            in.load(b, 2 * hs, x, r);
            gruCandidate(x, r, biasXn, biasHn, reset, pre, hnRow, n);
            load(hPrev, b * hs, hp);
            gruState(update, n, hp, hNew);
            if (gates != null) {   // null (with hn): inference keeps nothing for a backward
                store(reset, gates, row);
                store(update, gates, row + hs);
                store(n, gates, row + 2 * hs);
                store(hnRow, hn, b * hs);
            }
            store(hNew, h, b * hs);
        }
    }

    // The passes below are what C2 vectorizes, found by measuring (JDK 25, AVX2), so keep them as
    // they are: every array indexed by the same plain [j] (two arrays reached at different offsets
    // might be one array, and C2 then gives up; hence the copies into row buffers around them), one
    // activation per pass applied to a sum of loads, and each pass its own small method (the same
    // loops inlined into a loop over gate blocks, or an activation of a product, ran scalar).

    /** {@code out = σ(x + r + bias)}. */
    private static void sigmoidOf(float[] x, float[] r, double[] bias, float[] out) {
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) Fp32Activations.sigmoid((double) x[j] + r[j] + bias[j]);
        }
        // below −7.5 the rational sigmoid is more than an ulp off, and never under 3e-10: a closed gate kept 3e-10
        // of a large state. Those few elements take the exact path. The result is monotone in p, so only the
        // outputs at or under σ(−7.5) can be such elements: one compare each, p recomputed for those alone
        for (int j = 0; j < out.length; j++) {
            if (out[j] <= SIGMOID_AT_EXACT_BOUND) {
                double p = (double) x[j] + r[j] + bias[j];
                if (p < Fp32Activations.SIGMOID_EXACT_BELOW) {
                    out[j] = (float) CpuCells.sigmoid(p);
                }
            }
        }
    }

    /** The float32 rational sigmoid at {@link Fp32Activations#SIGMOID_EXACT_BELOW}: no smaller p gives more. */
    private static final float SIGMOID_AT_EXACT_BOUND =
            (float) Fp32Activations.sigmoid(Fp32Activations.SIGMOID_EXACT_BELOW);

    /** {@code out = tanh(x + r + bias)}. */
    private static void tanhOf(float[] x, float[] r, double[] bias, float[] out) {
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) Fp32Activations.tanh((double) x[j] + r[j] + bias[j]);
        }
    }

    /** {@code out = max(x + r + bias, 0)}. */
    private static void reluOf(float[] x, float[] r, double[] bias, float[] out) {
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) Math.max((double) x[j] + r[j] + bias[j], 0.0);
        }
    }

    /** {@code v = tanh(v)}. */
    private static void tanhInPlace(float[] v) {
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) Fp32Activations.tanh(v[j]);
        }
    }

    /** {@code c = f ⊙ cPrev + i ⊙ g}, then {@code h = o ⊙ tanh(c)} of the stored c. */
    private static void lstmState(float[] i, float[] f, float[] g, float[] o, float[] cPrev,
                                  float[] c, float[] h) {
        for (int j = 0; j < c.length; j++) {
            c[j] = (float) ((double) f[j] * cPrev[j] + (double) i[j] * g[j]);
        }
        for (int j = 0; j < h.length; j++) {
            h[j] = (float) (o[j] * Fp32Activations.tanh(c[j]));
        }
    }

    /**
     * The LSTM gate gradients; {@code dC} in: ∂L/∂c_t from step t+1, out: ∂L/∂c_{t−1}. {@code dht}
     * and {@code dct} are scratch (∂L/∂h_t and ∂L/∂c_t in full).
     */
    private static void lstmGradients(float[] i, float[] f, float[] g, float[] o, float[] cPrev, float[] tc,
                                      float[] dhOut, float[] dh, float[] dC, double[] dht, double[] dct,
                                      float[] di, float[] df, float[] dg, float[] dO) {
        for (int j = 0; j < dC.length; j++) {
            dht[j] = (double) dhOut[j] + dh[j];
        }
        for (int j = 0; j < dC.length; j++) {
            dct[j] = dC[j] + dht[j] * o[j] * (1.0 - (double) tc[j] * tc[j]);
        }
        for (int j = 0; j < dC.length; j++) {
            di[j] = (float) (dct[j] * g[j] * i[j] * (1.0 - i[j]));
        }
        for (int j = 0; j < dC.length; j++) {
            df[j] = (float) (dct[j] * cPrev[j] * f[j] * (1.0 - f[j]));
        }
        for (int j = 0; j < dC.length; j++) {
            dg[j] = (float) (dct[j] * i[j] * (1.0 - (double) g[j] * g[j]));
        }
        for (int j = 0; j < dC.length; j++) {
            dO[j] = (float) (dht[j] * tc[j] * o[j] * (1.0 - o[j]));
        }
        for (int j = 0; j < dC.length; j++) {
            dC[j] = (float) (dct[j] * f[j]);
        }
    }

    /** {@code out = (dhOut + dh) ⊙ (1 − y²)}, y = tanh of the pre-activation. */
    private static void tanhGradient(float[] y, float[] dhOut, float[] dh, float[] out) {
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) (((double) dhOut[j] + dh[j]) * (1.0 - (double) y[j] * y[j]));
        }
    }

    /** {@code out = (dhOut + dh)} where y > 0, else 0. */
    private static void reluGradient(float[] y, float[] dhOut, float[] dh, float[] out) {
        for (int j = 0; j < out.length; j++) {
            out[j] = y[j] > 0.0f ? (float) ((double) dhOut[j] + dh[j]) : 0.0f;
        }
    }

    /**
     * The GRU gate gradients: {@code dr}, {@code dz}, {@code dn} of the pre-activations (dn is also
     * the wx_n gradient), {@code dRhN = dn ⊙ r}; {@code dh} in: ∂L/∂h_t from step t+1, out:
     * ∂L/∂h_{t−1} through z. {@code dht} and {@code dnPre} are scratch.
     */
    private static void gruGradients(float[] r, float[] z, float[] n, float[] hn, float[] hPrev,
                                     float[] dhOut, float[] dh, double[] dht, double[] dnPre,
                                     float[] dr, float[] dz, float[] dn, float[] dRhN) {
        for (int j = 0; j < dh.length; j++) {
            dht[j] = (double) dhOut[j] + dh[j];
        }
        for (int j = 0; j < dh.length; j++) {
            dnPre[j] = dht[j] * (1.0 - z[j]) * (1.0 - (double) n[j] * n[j]);
        }
        for (int j = 0; j < dh.length; j++) {
            dz[j] = (float) (dht[j] * ((double) hPrev[j] - n[j]) * z[j] * (1.0 - z[j]));
        }
        for (int j = 0; j < dh.length; j++) {
            dr[j] = (float) (dnPre[j] * hn[j] * r[j] * (1.0 - r[j]));
        }
        for (int j = 0; j < dh.length; j++) {
            dn[j] = (float) dnPre[j];
        }
        for (int j = 0; j < dh.length; j++) {
            dRhN[j] = (float) (dnPre[j] * r[j]);
        }
        for (int j = 0; j < dh.length; j++) {
            dh[j] = (float) (dht[j] * z[j]);
        }
    }

    /** {@code hn = rh_n + bhh_n}, {@code n = tanh(wx_n + bih_n + r ⊙ hn)}; {@code pre} is scratch. */
    private static void gruCandidate(float[] x, float[] rhN, double[] biasXn, double[] biasHn, float[] reset,
                                     double[] pre, float[] hn, float[] n) {
        for (int j = 0; j < hn.length; j++) {
            hn[j] = (float) ((double) rhN[j] + biasHn[j]);
        }
        for (int j = 0; j < pre.length; j++) {
            pre[j] = (double) x[j] + biasXn[j] + reset[j] * ((double) rhN[j] + biasHn[j]);
        }
        for (int j = 0; j < n.length; j++) {
            n[j] = (float) Fp32Activations.tanh(pre[j]);
        }
    }

    /** {@code h = (1 − z) ⊙ n + z ⊙ hPrev}. */
    private static void gruState(float[] z, float[] n, float[] hPrev, float[] h) {
        for (int j = 0; j < h.length; j++) {
            h[j] = (float) ((1.0 - z[j]) * n[j] + (double) z[j] * hPrev[j]);
        }
    }

    /** {@code bih + bhh} over columns [col, col + width), in double; a null bias counts as zeros. */
    private static double[] biasSum(Tensor bih, Tensor bhh, int col, int width) {
        double[] sum = new double[width];
        for (Tensor bias : new Tensor[] {bih, bhh}) {
            if (bias != null) {
                float[] a = floats(bias);
                int o = offset(bias) + col;
                for (int j = 0; j < width; j++) {
                    sum[j] += a[o + j];
                }
            }
        }
        return sum;
    }

    /** One gate block of one batch row of the [B, G·H] input and recurrent projections. */
    private record Rows(Tensor wx, Tensor rh, int rowLength) {
        void load(int b, int col, float[] x, float[] r) {
            CpuFloatCells.load(wx, b * rowLength + col, x);
            CpuFloatCells.load(rh, b * rowLength + col, r);
        }
    }

    /** Copies {@code to.length} elements of {@code t} from element {@code at}. */
    private static void load(Tensor t, int at, float[] to) {
        System.arraycopy(floats(t), offset(t) + at, to, 0, to.length);
    }

    /** Copies all of {@code from} into {@code t} at element {@code at}. */
    private static void store(float[] from, Tensor t, int at) {
        System.arraycopy(from, 0, floats(t), offset(t) + at, from.length);
    }

    private static float[] floats(Tensor t) {
        return ((HostStorage.Floats) Objects.requireNonNull(t, "tensor").host()).data;
    }

    private static int offset(Tensor t) {
        return (int) t.offset();
    }
}

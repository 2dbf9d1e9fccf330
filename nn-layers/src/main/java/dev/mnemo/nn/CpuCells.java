package dev.mnemo.nn;

import static dev.mnemo.nn.CpuParallel.PARALLEL_ELEMENTS;
import static dev.mnemo.nn.CpuParallel.forRows;

/**
 * The recurrent cell kernels of {@link CpuBackend}: each call runs {@link CpuFloatCells} when every
 * operand is float32 heap storage, and otherwise the generic kernels here, which read and write
 * through {@link HostStorage#get}/{@link HostStorage#set} and compute in double with
 * {@link Math#tanh} and {@link Math#exp} (the float64 path of the gradient checks).
 *
 * <p>Each kernel loops over batch rows b and hidden units j; gate k of unit j sits at column k·H + j.
 * A kernel reads every input of (b, j) before it writes any output of (b, j), which is what makes
 * "gates may alias wx" safe. Batch rows are split over threads by {@link CpuParallel#forRows}.
 * The kernels index their arrays directly and check nothing: {@link CpuBackend} checks every shape first
 * ({@link BackendChecks}, as the CUDA backend does).
 */
final class CpuCells {

    private CpuCells() {
    }

    /** {@code h = f(wx + bih + rh + bhh)}. */
    static void rnnForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h) {
        if (CpuFloatCells.applies(wx, rh, bih, bhh, h)) {
            forRows(h.dim(0), h.dim(1), PARALLEL_ELEMENTS, (b0, b1) -> CpuFloatCells.rnnForward(f, wx, rh, bih, bhh, h, b0, b1));
            return;
        }
        int hs = h.dim(1);
        Gates in = new Gates(wx, rh, bih, bhh);
        HostView out = HostView.of("h", h);
        forRows(h.dim(0), hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                for (int j = 0; j < hs; j++) {
                    double pre = in.pre(b * hs + j, j);
                    out.set(b * hs + j, f == Nonlinearity.TANH ? Math.tanh(pre) : Math.max(pre, 0.0));
                }
            }
        });
    }

    /** {@code dPre = (dhOut + dh)·f'(h)}, then {@code dh = 0}. */
    static void rnnBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre) {
        if (CpuFloatCells.applies(h, dhOut, dh, dPre)) {
            forRows(h.dim(0), h.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.rnnBackward(f, h, dhOut, dh, dPre, b0, b1));
            return;
        }
        int n = (int) h.numel();
        HostView y = HostView.of("h", h);
        HostView dOut = HostView.of("dhOut", dhOut);
        HostView dNext = HostView.of("dh", dh);
        HostView dp = HostView.of("dPre", dPre);
        for (int i = 0; i < n; i++) {
            double v = y.get(i);
            double dy = dOut.get(i) + dNext.get(i);
            // relu: a select, so a NaN or ∞ gradient at a dead unit gives 0 (PyTorch's threshold_backward)
            dp.set(i, f == Nonlinearity.TANH ? dy * (1.0 - v * v) : (v > 0.0 ? dy : 0.0));
            dNext.set(i, 0.0);
        }
    }

    /** LSTM forward (gate order i, f, g, o); {@code gates} null in inference (nothing kept). */
    static void lstmForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                            Tensor gates, Tensor c, Tensor h) {
        if (CpuFloatCells.applies(wx, rh, bih, bhh, cPrev, gates, c, h)) {
            forRows(h.dim(0), 4L * h.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.lstmForward(wx, rh, bih, bhh, cPrev, gates, c, h, b0, b1));
            return;
        }
        int hs = h.dim(1);
        Gates in = new Gates(wx, rh, bih, bhh);
        HostView kept = HostView.ofNullable("gates", gates);
        HostView cp = HostView.of("cPrev", cPrev);
        HostView cOut = HostView.of("c", c);
        HostView hOut = HostView.of("h", h);
        forRows(h.dim(0), 4L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 4 * hs;
                for (int j = 0; j < hs; j++) {
                    double i = sigmoid(in.pre(row + j, j));
                    double f = sigmoid(in.pre(row + hs + j, hs + j));
                    double g = Math.tanh(in.pre(row + 2 * hs + j, 2 * hs + j));
                    double o = sigmoid(in.pre(row + 3 * hs + j, 3 * hs + j));
                    double cNew = f * cp.get(b * hs + j) + i * g;
                    if (kept != null) {
                        kept.set(row + j, i);
                        kept.set(row + hs + j, f);
                        kept.set(row + 2 * hs + j, g);
                        kept.set(row + 3 * hs + j, o);
                    }
                    cOut.set(b * hs + j, cNew);
                    hOut.set(b * hs + j, o * Math.tanh(cNew));
                }
            }
        });
    }

    /** LSTM backward through one step: gate gradients, {@code dc} carried back, {@code dh} zeroed. */
    static void lstmBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                             Tensor dGates) {
        if (CpuFloatCells.applies(gates, cPrev, c, dhOut, dh, dc, dGates)) {
            forRows(c.dim(0), 4L * c.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.lstmBackward(gates, cPrev, c, dhOut, dh, dc, dGates, b0, b1));
            return;
        }
        int hs = c.dim(1);
        HostView kept = HostView.of("gates", gates);
        HostView cp = HostView.of("cPrev", cPrev);
        HostView cs = HostView.of("c", c);
        HostView dOut = HostView.of("dhOut", dhOut);
        HostView dNext = HostView.of("dh", dh);
        HostView dCell = HostView.of("dc", dc);
        HostView dg = HostView.of("dGates", dGates);
        forRows(c.dim(0), 4L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 4 * hs;
                for (int j = 0; j < hs; j++) {
                    int e = b * hs + j;
                    double i = kept.get(row + j);
                    double f = kept.get(row + hs + j);
                    double g = kept.get(row + 2 * hs + j);
                    double o = kept.get(row + 3 * hs + j);
                    double tc = Math.tanh(cs.get(e));
                    double dH = dOut.get(e) + dNext.get(e);
                    double dC = dCell.get(e) + dH * o * (1.0 - tc * tc);
                    dg.set(row + j, dC * g * i * (1.0 - i));
                    dg.set(row + hs + j, dC * cp.get(e) * f * (1.0 - f));
                    dg.set(row + 2 * hs + j, dC * i * (1.0 - g * g));
                    dg.set(row + 3 * hs + j, dH * tc * o * (1.0 - o));
                    dCell.set(e, dC * f);
                    dNext.set(e, 0.0);
                }
            }
        });
    }

    /** GRU forward (gate order r, z, n); {@code gates} and {@code hn} both null in inference. */
    static void gruForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                           Tensor gates, Tensor hn, Tensor h) {
        boolean keeps = Backend.gruKeeps(gates, hn);
        if (CpuFloatCells.applies(wx, rh, bih, bhh, hPrev, gates, hn, h)) {
            forRows(h.dim(0), 3L * h.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.gruForward(wx, rh, bih, bhh, hPrev, gates, hn, h, b0, b1));
            return;
        }
        int hs = h.dim(1);
        Gates in = new Gates(wx, rh, bih, bhh);
        HostView kept = keeps ? HostView.of("gates", gates) : null;
        HostView keptHn = keeps ? HostView.of("hn", hn) : null;
        HostView hp = HostView.of("hPrev", hPrev);
        HostView hOut = HostView.of("h", h);
        forRows(h.dim(0), 3L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 3 * hs;
                for (int j = 0; j < hs; j++) {
                    double r = sigmoid(in.pre(row + j, j));
                    double z = sigmoid(in.pre(row + hs + j, hs + j));
                    double hnv = in.recurrent(row + 2 * hs + j, 2 * hs + j);
                    double n = Math.tanh(in.input(row + 2 * hs + j, 2 * hs + j) + r * hnv);
                    if (keeps) {
                        kept.set(row + j, r);
                        kept.set(row + hs + j, z);
                        kept.set(row + 2 * hs + j, n);
                        keptHn.set(b * hs + j, hnv);
                    }
                    hOut.set(b * hs + j, (1.0 - z) * n + z * hp.get(b * hs + j));
                }
            }
        });
    }

    /** GRU backward through one step: input- and recurrent-side gate gradients, {@code dh} carried back. */
    static void gruBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                            Tensor dWx, Tensor dRh) {
        if (CpuFloatCells.applies(gates, hn, hPrev, dhOut, dh, dWx, dRh)) {
            forRows(hn.dim(0), 3L * hn.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.gruBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh, b0, b1));
            return;
        }
        int hs = hn.dim(1);
        HostView kept = HostView.of("gates", gates);
        HostView keptHn = HostView.of("hn", hn);
        HostView hp = HostView.of("hPrev", hPrev);
        HostView dOut = HostView.of("dhOut", dhOut);
        HostView dNext = HostView.of("dh", dh);
        HostView dx = HostView.of("dWx", dWx);
        HostView dr = HostView.of("dRh", dRh);
        forRows(hn.dim(0), 3L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 3 * hs;
                for (int j = 0; j < hs; j++) {
                    int e = b * hs + j;
                    double r = kept.get(row + j);
                    double z = kept.get(row + hs + j);
                    double n = kept.get(row + 2 * hs + j);
                    double dH = dOut.get(e) + dNext.get(e);
                    double dnPre = dH * (1.0 - z) * (1.0 - n * n);
                    double dzPre = dH * (hp.get(e) - n) * z * (1.0 - z);
                    double drPre = dnPre * keptHn.get(e) * r * (1.0 - r);
                    dx.set(row + j, drPre);
                    dx.set(row + hs + j, dzPre);
                    dx.set(row + 2 * hs + j, dnPre);
                    dr.set(row + j, drPre);
                    dr.set(row + hs + j, dzPre);
                    dr.set(row + 2 * hs + j, dnPre * r);
                    dNext.set(e, dH * z);
                }
            }
        });
    }

    /** The four inputs of a gate pre-activation; biases may be null (no bias). */
    private record Gates(HostView wx, HostView rh, HostView bih, HostView bhh) {

        Gates(Tensor wx, Tensor rh, Tensor bih, Tensor bhh) {
            this(HostView.of("wx", wx), HostView.of("rh", rh), HostView.ofNullable("bih", bih), HostView.ofNullable("bhh", bhh));
        }

        /** wx + bih at element {@code e} of the [B, G·H] block, gate column {@code col}. */
        double input(int e, int col) {
            return wx.get(e) + (bih == null ? 0.0 : bih.get(col));
        }

        /** rh + bhh. */
        double recurrent(int e, int col) {
            return rh.get(e) + (bhh == null ? 0.0 : bhh.get(col));
        }

        double pre(int e, int col) {
            return input(e, col) + recurrent(e, col);
        }
    }

    /** Logistic sigmoid without overflow for large |x|. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}

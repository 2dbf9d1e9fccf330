package dev.mnemo.nn;

import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The CPU backend: plain Java over heap arrays, the reference the CUDA backend is checked against.
 *
 * <p><b>Precision.</b> {@link #float32()} allocates float32 tensors (the default for models);
 * {@link #float64()} allocates float64 tensors and exists so that tests can run <em>the same layer
 * code</em> in double precision for gradient checks against finite differences. The generic cell
 * kernels below are written once for both: they read and write elements through {@link HostStorage#get}/{@link HostStorage#set}
 * and compute in double with {@link Math#tanh} and {@link Math#exp}. On float32 tensors the cells run
 * {@link CpuFloatCells} instead: the same arithmetic (in double, rounded once when stored) in loops
 * the JIT vectorizes, with {@link Fp32Activations} for tanh and sigmoid (within an ulp of float32).
 * So the float32 path differs from the float64 path by the rounding of each stored value, by that
 * last ulp, and by the GEMM, which has a tuned float32 kernel ({@link CpuGemm}, or the system BLAS)
 * and a plain float64 loop.
 *
 * <p><b>Threads.</b> Work is split over rows (batch rows, matrix rows) on the common fork-join pool
 * when it is large enough to pay for the hand-off; small calls run on the caller's thread. Calls are
 * stateless and may come from several threads on disjoint outputs.
 */
public final class CpuBackend implements Backend {

    private static final CpuBackend FLOAT32 = new CpuBackend(DType.FLOAT32);
    private static final CpuBackend FLOAT64 = new CpuBackend(DType.FLOAT64);
    /** Below this many element-operations a pointwise call stays on the caller's thread. */
    private static final long PARALLEL_ELEMENTS = 1L << 15;

    private final DType dtype;

    private CpuBackend(DType dtype) {
        this.dtype = dtype;
    }

    /** The float32 CPU backend ({@link Backend#cpu()}). */
    public static CpuBackend float32() {
        return FLOAT32;
    }

    /**
     * Which float32 GEMM this process uses, for {@code mnemo info} and benchmark reports: a system
     * BLAS (which one) or pure Java (and why: none found, or disabled by {@code -Dmnemo.blas=none}).
     */
    public static String gemmImplementation() {
        return SystemBlas.system().description();
    }

    /**
     * Limits the system BLAS (if one is in use and can be told) to {@code threads} threads per GEMM.
     * Code that runs several trainings at once gives each its share of the cores; otherwise each
     * BLAS call starts a thread per core and they oversubscribe the machine.
     *
     * @return whether a system BLAS took the setting (false: pure Java, or a BLAS without a setter)
     */
    public static boolean setGemmThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("GEMM threads must be >= 1, got " + threads);
        }
        return SystemBlas.system().blas().map(b -> b.setThreads(threads)).orElse(false);
    }

    /** The float64 CPU backend: the precision reference for gradient checks. */
    public static CpuBackend float64() {
        return FLOAT64;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public String toString() {
        return "cpu " + dtype.label();
    }

    // ---- memory ----

    @Override
    public Tensor zeros(int... shape) {
        return Tensor.zeros(dtype, shape);
    }

    @Override
    public Tensor copyOf(Tensor src) {
        Tensor t = zeros(src.shape());
        copy(src, t);
        return t;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src.device() != Device.CPU) {
            Backend.of(src.device()).copy(src, dst);   // a device source is downloaded by its backend
            return;
        }
        dst.copyFrom(src);
    }

    @Override
    public void fill(Tensor t, double value) {
        t.fill(value);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        int rows = src.dim(0);
        int sc = src.dim(1);
        int dc = dst.dim(1);
        HostStorage s = src.host();
        HostStorage d = dst.host();
        int so = base(src) + srcCol;
        int dOff = base(dst) + dstCol;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                d.set(dOff + r * dc + j, s.get(so + r * sc + j));
            }
        }
    }

    @Override
    public void transpose01(Tensor src, Tensor dst) {
        int n0 = src.dim(0);
        int n1 = src.dim(1);
        int w = src.dim(2);
        HostStorage s = src.host();
        HostStorage d = dst.host();
        int so = base(src);
        int dOff = base(dst);
        for (int i = 0; i < n0; i++) {
            for (int j = 0; j < n1; j++) {
                int from = so + (i * n1 + j) * w;
                int to = dOff + (j * n0 + i) * w;
                for (int e = 0; e < w; e++) {
                    d.set(to + e, s.get(from + e));
                }
            }
        }
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        HostStorage sa = a.host();
        HostStorage sb = b.host();
        HostStorage so = out.host();
        int ao = base(a);
        int bo = base(b);
        int oo = base(out);
        for (int i = 0; i < out.numel(); i++) {
            so.set(oo + i, sa.get(ao + i) * sb.get(bo + i));
        }
    }

    @Override
    public long firstNonFinite(Tensor t) {
        HostStorage s = t.host();
        int o = base(t);
        for (int i = 0; i < t.numel(); i++) {
            if (!Double.isFinite(s.get(o + i))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public double sumOfSquares(Tensor t) {
        HostStorage s = t.host();
        int o = base(t);
        int n = (int) t.numel();
        int chunks = chunkCount(n);
        double[] partial = new double[chunks];
        forRows(chunks, ELEMENT_CHUNK, PARALLEL_ELEMENTS, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                double sum = 0;
                for (int i = c * ELEMENT_CHUNK, end = Math.min(n, i + ELEMENT_CHUNK); i < end; i++) {
                    double v = s.get(o + i);
                    sum += v * v;
                }
                partial[c] = sum;
            }
        });
        double total = 0;
        for (double p : partial) {      // fixed chunks, summed in order: independent of the threads
            total += p;
        }
        return total;
    }

    @Override
    public void scale(Tensor t, double factor) {
        HostStorage s = t.host();
        int o = base(t);
        forElements((int) t.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                s.set(o + i, s.get(o + i) * factor);
            }
        });
    }

    // ---- linear algebra ----

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        int m = c.dim(0);
        int n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
        if ((transA ? a.dim(1) : a.dim(0)) != m || (transB ? b.dim(1) : b.dim(0)) != k
                || (transB ? b.dim(0) : b.dim(1)) != n) {
            throw new IllegalArgumentException("gemm shapes do not conform: op(a) of " + a + (transA ? "ᵀ" : "")
                    + ", op(b) of " + b + (transB ? "ᵀ" : "") + ", c " + c);
        }
        if (a.host() instanceof HostStorage.Floats fa && b.host() instanceof HostStorage.Floats fb
                && c.host() instanceof HostStorage.Floats fc) {
            CpuGemm.sgemm(transA, transB, m, n, k, (float) alpha, fa.data, base(a), fb.data, base(b),
                    (float) beta, fc.data, base(c));
        } else if (a.host() instanceof HostStorage.Doubles da && b.host() instanceof HostStorage.Doubles db
                && c.host() instanceof HostStorage.Doubles dc) {
            CpuGemm.dgemm(transA, transB, m, n, k, alpha, da.data, base(a), db.data, base(b), beta, dc.data, base(c));
        } else {
            throw new IllegalArgumentException("gemm needs one element type, got a " + a.dtype().label()
                    + ", b " + b.dtype().label() + ", c " + c.dtype().label());
        }
    }

    @Override
    public void addColumnSums(Tensor m, Tensor out) {
        int rows = m.dim(0);
        int cols = m.dim(1);
        HostStorage s = m.host();
        HostStorage d = out.host();
        int mo = base(m);
        int oo = base(out);
        double[] sum = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                sum[j] += s.get(mo + r * cols + j);
            }
        }
        for (int j = 0; j < cols; j++) {
            d.set(oo + j, d.get(oo + j) + sum[j]);
        }
    }

    @Override
    public void addRowVector(Tensor m, Tensor v) {
        int rows = m.dim(0);
        int cols = m.dim(1);
        HostStorage sm = m.host();
        HostStorage sv = v.host();
        int mo = base(m);
        int vo = base(v);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int e = mo + r * cols + j;
                sm.set(e, sm.get(e) + sv.get(vo + j));
            }
        }
    }

    @Override
    public void gatherRows(Tensor table, int[] rows, Tensor out) {
        int w = table.dim(1);
        HostStorage st = table.host();
        HostStorage so = out.host();
        int to = base(table);
        int oo = base(out);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < w; j++) {
                so.set(oo + i * w + j, st.get(to + rows[i] * w + j));
            }
        }
    }

    @Override
    public void scatterAddRows(Tensor src, int[] rows, Tensor table) {
        int w = table.dim(1);
        HostStorage ss = src.host();
        HostStorage st = table.host();
        int so = base(src);
        int to = base(table);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < w; j++) {
                int e = to + rows[i] * w + j;
                st.set(e, st.get(e) + ss.get(so + i * w + j));
            }
        }
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] targets, double scale, Tensor dLogits) {
        int n = logits.dim(0);
        int classes = logits.dim(1);
        HostStorage sl = logits.host();
        HostStorage sd = dLogits.host();
        int lo = base(logits);
        int dOff = base(dLogits);
        double total = 0;
        for (int r = 0; r < n; r++) {
            int row = lo + r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, sl.get(row + j));
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(sl.get(row + j) - max);
            }
            double logSum = Math.log(sum);
            total += logSum - (sl.get(row + targets[r]) - max);
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(sl.get(row + j) - max - logSum);
                sd.set(dOff + r * classes + j, scale * (p - (j == targets[r] ? 1.0 : 0.0)));
            }
        }
        return total;
    }

    @Override
    public double squaredError(Tensor pred, Tensor target, double scale, Tensor grad) {
        HostStorage sp = pred.host();
        HostStorage st = target.host();
        HostStorage sg = grad.host();
        int po = base(pred);
        int to = base(target);
        int go = base(grad);
        double total = 0;
        for (int i = 0; i < pred.numel(); i++) {
            double d = sp.get(po + i) - st.get(to + i);
            total += d * d;
            sg.set(go + i, scale * 2.0 * d);
        }
        return total;
    }

    // ---- optimizers ----
    // Computed in double from the stored values; each state buffer is stored and read back before
    // it is used further, so the float32 path rounds exactly where PyTorch's float32 tensors do
    // (the arithmetic between two stores is double, so it can differ from PyTorch's by an ulp).

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams hp) {
        HostStorage sp = param.host();
        HostStorage sg = grad.host();
        boolean useMomentum = hp.momentum() != 0.0;
        HostStorage sb = useMomentum ? momentumBuffer.host() : null;
        int po = base(param);
        int go = base(grad);
        int bo = useMomentum ? base(momentumBuffer) : 0;
        double lr = hp.lr();
        double momentum = hp.momentum();
        double keep = 1.0 - hp.dampening();
        double wd = hp.weightDecay();
        boolean nesterov = hp.nesterov();
        boolean first = hp.firstStep();
        forElements((int) param.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double p = sp.get(po + i);
                double g = sg.get(go + i);
                if (wd != 0.0) {
                    g += wd * p;
                }
                if (useMomentum) {
                    double buf = first ? g : momentum * sb.get(bo + i) + keep * g;
                    sb.set(bo + i, buf);
                    buf = sb.get(bo + i);
                    g = nesterov ? g + momentum * buf : buf;
                }
                sp.set(po + i, p - lr * g);
            }
        });
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamParams hp) {
        HostStorage sp = param.host();
        HostStorage sg = grad.host();
        HostStorage sm = expAvg.host();
        HostStorage sv = expAvgSq.host();
        int po = base(param);
        int go = base(grad);
        int mo = base(expAvg);
        int vo = base(expAvgSq);
        double lr = hp.lr();
        double wd = hp.weightDecay();
        boolean decoupled = hp.decoupled();
        double decay = 1.0 - lr * wd;
        double oneMinusBeta1 = 1.0 - hp.beta1();
        double beta2 = hp.beta2();
        double oneMinusBeta2 = 1.0 - beta2;
        double eps = hp.eps();
        double biasCorrection1 = 1.0 - Math.pow(hp.beta1(), hp.step());
        double biasCorrection2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, hp.step()));
        double stepSize = lr / biasCorrection1;
        forElements((int) param.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double p = sp.get(po + i);
                double g = sg.get(go + i);
                if (wd != 0.0) {
                    if (decoupled) {
                        p *= decay;
                    } else {
                        g += wd * p;
                    }
                }
                double m = sm.get(mo + i);
                sm.set(mo + i, m + oneMinusBeta1 * (g - m));
                sv.set(vo + i, beta2 * sv.get(vo + i) + oneMinusBeta2 * g * g);
                m = sm.get(mo + i);
                double v = sv.get(vo + i);
                double denom = Math.sqrt(v) / biasCorrection2Sqrt + eps;
                sp.set(po + i, p - stepSize * (m / denom));
            }
        });
    }

    @Override
    public void rmsPropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg,
                              RmsPropParams hp) {
        HostStorage sp = param.host();
        HostStorage sg = grad.host();
        HostStorage sq = squareAvg.host();
        boolean useMomentum = hp.momentum() > 0.0;
        boolean centered = hp.centered();
        HostStorage sb = useMomentum ? momentumBuffer.host() : null;
        HostStorage sa = centered ? gradAvg.host() : null;
        int po = base(param);
        int go = base(grad);
        int qo = base(squareAvg);
        int bo = useMomentum ? base(momentumBuffer) : 0;
        int ao = centered ? base(gradAvg) : 0;
        double lr = hp.lr();
        double alpha = hp.alpha();
        double oneMinusAlpha = 1.0 - alpha;
        double eps = hp.eps();
        double wd = hp.weightDecay();
        double momentum = hp.momentum();
        forElements((int) param.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                double p = sp.get(po + i);
                double g = sg.get(go + i);
                if (wd != 0.0) {
                    g += wd * p;
                }
                sq.set(qo + i, alpha * sq.get(qo + i) + oneMinusAlpha * g * g);
                double square = sq.get(qo + i);
                double avg;
                if (centered) {
                    double ga = sa.get(ao + i);
                    sa.set(ao + i, ga + oneMinusAlpha * (g - ga));
                    ga = sa.get(ao + i);
                    avg = Math.sqrt(square - ga * ga) + eps;
                } else {
                    avg = Math.sqrt(square) + eps;
                }
                if (useMomentum) {
                    sb.set(bo + i, momentum * sb.get(bo + i) + g / avg);
                    sp.set(po + i, p - lr * sb.get(bo + i));
                } else {
                    sp.set(po + i, p - lr * (g / avg));
                }
            }
        });
    }

    // ---- key-value memory read (MemNet) ----

    @Override
    public void memoryReadForward(MemoryRead read, Tensor c, Tensor lse) {
        CpuMemoryRead.forward(read, c, lse);
    }

    @Override
    public void memoryReadBackward(MemoryRead read, Tensor c, Tensor lse, Tensor dc,
                                   Strided dq, Strided dKeys, Strided dValues) {
        CpuMemoryRead.backward(read, c, lse, dc, dq, dKeys, dValues);
    }

    // ---- dropout ----

    @Override
    public void dropout(Tensor x, double p, long seed, long offset, Tensor mask, Tensor y) {
        HostStorage sx = x.host();
        HostStorage sm = mask.host();
        HostStorage sy = y.host();
        int xo = base(x);
        int mo = base(mask);
        int yo = base(y);
        double scale = 1.0 / (1.0 - p);
        for (int i = 0; i < x.numel(); i++) {
            double keep = dropoutUniform(seed, offset + i) >= p ? scale : 0.0;
            sm.set(mo + i, keep);
            sy.set(yo + i, sx.get(xo + i) * keep);
        }
    }

    /**
     * The dropout draw for element {@code index} of stream {@code seed}: uniform in [0, 1), from two
     * SplitMix64 finalisers, {@code mix(mix(seed) + (index + 1)·0x9E3779B97F4A7C15) >>> 11} scaled by
     * 2⁻⁵³. Counter-based, so any backend (and any thread) reproduces the same mask.
     */
    public static double dropoutUniform(long seed, long index) {
        long z = mix64(mix64(seed) + (index + 1) * 0x9E3779B97F4A7C15L);
        return (z >>> 11) * 0x1.0p-53;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- recurrent cells ----
    // Each kernel loops over batch rows b and hidden units j; gate k of unit j sits at column k·H + j.
    // A kernel reads every input of (b, j) before it writes any output of (b, j), which is what makes
    // "gates may alias wx" safe.

    @Override
    public void rnnCellForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h) {
        if (CpuFloatCells.applies(wx, rh, bih, bhh, h)) {
            forRows(h.dim(0), h.dim(1), PARALLEL_ELEMENTS, (b0, b1) -> CpuFloatCells.rnnForward(f, wx, rh, bih, bhh, h, b0, b1));
            return;
        }
        int hs = h.dim(1);
        Gates in = new Gates(wx, rh, bih, bhh);
        HostStorage sh = h.host();
        int ho = base(h);
        forRows(h.dim(0), hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                for (int j = 0; j < hs; j++) {
                    double pre = in.pre(b * hs + j, j);
                    sh.set(ho + b * hs + j, f == Nonlinearity.TANH ? Math.tanh(pre) : Math.max(pre, 0.0));
                }
            }
        });
    }

    @Override
    public void rnnCellBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre) {
        if (CpuFloatCells.applies(h, dhOut, dh, dPre)) {
            forRows(h.dim(0), h.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.rnnBackward(f, h, dhOut, dh, dPre, b0, b1));
            return;
        }
        int n = (int) h.numel();
        HostStorage sh = h.host();
        HostStorage sOut = dhOut.host();
        HostStorage sdh = dh.host();
        HostStorage sp = dPre.host();
        int ho = base(h);
        int oo = base(dhOut);
        int dho = base(dh);
        int po = base(dPre);
        for (int i = 0; i < n; i++) {
            double y = sh.get(ho + i);
            double dy = sOut.get(oo + i) + sdh.get(dho + i);
            double d = f == Nonlinearity.TANH ? 1.0 - y * y : (y > 0.0 ? 1.0 : 0.0);
            sp.set(po + i, dy * d);
            sdh.set(dho + i, 0.0);
        }
    }

    @Override
    public void lstmCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                                Tensor gates, Tensor c, Tensor h) {
        if (CpuFloatCells.applies(wx, rh, bih, bhh, cPrev, gates, c, h)) {
            forRows(h.dim(0), 4L * h.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.lstmForward(wx, rh, bih, bhh, cPrev, gates, c, h, b0, b1));
            return;
        }
        int hs = h.dim(1);
        Gates in = new Gates(wx, rh, bih, bhh);
        HostStorage sg = gates == null ? null : gates.host();   // null: inference, nothing kept
        HostStorage scp = cPrev.host();
        HostStorage sc = c.host();
        HostStorage sh = h.host();
        int go = gates == null ? 0 : base(gates);
        int cpo = base(cPrev);
        int co = base(c);
        int ho = base(h);
        forRows(h.dim(0), 4L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 4 * hs;
                for (int j = 0; j < hs; j++) {
                    double i = sigmoid(in.pre(row + j, j));
                    double f = sigmoid(in.pre(row + hs + j, hs + j));
                    double g = Math.tanh(in.pre(row + 2 * hs + j, 2 * hs + j));
                    double o = sigmoid(in.pre(row + 3 * hs + j, 3 * hs + j));
                    double cNew = f * scp.get(cpo + b * hs + j) + i * g;
                    if (sg != null) {
                        sg.set(go + row + j, i);
                        sg.set(go + row + hs + j, f);
                        sg.set(go + row + 2 * hs + j, g);
                        sg.set(go + row + 3 * hs + j, o);
                    }
                    sc.set(co + b * hs + j, cNew);
                    sh.set(ho + b * hs + j, o * Math.tanh(cNew));
                }
            }
        });
    }

    @Override
    public void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                                 Tensor dGates) {
        if (CpuFloatCells.applies(gates, cPrev, c, dhOut, dh, dc, dGates)) {
            forRows(c.dim(0), 4L * c.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.lstmBackward(gates, cPrev, c, dhOut, dh, dc, dGates, b0, b1));
            return;
        }
        int hs = c.dim(1);
        HostStorage sg = gates.host();
        HostStorage scp = cPrev.host();
        HostStorage sc = c.host();
        HostStorage sOut = dhOut.host();
        HostStorage sdh = dh.host();
        HostStorage sdc = dc.host();
        HostStorage sdg = dGates.host();
        int go = base(gates);
        int cpo = base(cPrev);
        int co = base(c);
        int oo = base(dhOut);
        int dho = base(dh);
        int dco = base(dc);
        int dgo = base(dGates);
        forRows(c.dim(0), 4L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 4 * hs;
                for (int j = 0; j < hs; j++) {
                    int e = b * hs + j;
                    double i = sg.get(go + row + j);
                    double f = sg.get(go + row + hs + j);
                    double g = sg.get(go + row + 2 * hs + j);
                    double o = sg.get(go + row + 3 * hs + j);
                    double tc = Math.tanh(sc.get(co + e));
                    double dH = sOut.get(oo + e) + sdh.get(dho + e);
                    double dC = sdc.get(dco + e) + dH * o * (1.0 - tc * tc);
                    sdg.set(dgo + row + j, dC * g * i * (1.0 - i));
                    sdg.set(dgo + row + hs + j, dC * scp.get(cpo + e) * f * (1.0 - f));
                    sdg.set(dgo + row + 2 * hs + j, dC * i * (1.0 - g * g));
                    sdg.set(dgo + row + 3 * hs + j, dH * tc * o * (1.0 - o));
                    sdc.set(dco + e, dC * f);
                    sdh.set(dho + e, 0.0);
                }
            }
        });
    }

    @Override
    public void gruCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                               Tensor gates, Tensor hn, Tensor h) {
        boolean keeps = Backend.gruKeeps(gates, hn);
        if (CpuFloatCells.applies(wx, rh, bih, bhh, hPrev, gates, hn, h)) {
            forRows(h.dim(0), 3L * h.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.gruForward(wx, rh, bih, bhh, hPrev, gates, hn, h, b0, b1));
            return;
        }
        int hs = h.dim(1);
        Gates in = new Gates(wx, rh, bih, bhh);
        HostStorage sg = keeps ? gates.host() : null;
        HostStorage shp = hPrev.host();
        HostStorage shn = keeps ? hn.host() : null;
        HostStorage sh = h.host();
        int go = keeps ? base(gates) : 0;
        int hpo = base(hPrev);
        int hno = keeps ? base(hn) : 0;
        int ho = base(h);
        forRows(h.dim(0), 3L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 3 * hs;
                for (int j = 0; j < hs; j++) {
                    double r = sigmoid(in.pre(row + j, j));
                    double z = sigmoid(in.pre(row + hs + j, hs + j));
                    double hnv = in.recurrent(row + 2 * hs + j, 2 * hs + j);
                    double n = Math.tanh(in.input(row + 2 * hs + j, 2 * hs + j) + r * hnv);
                    double hp = shp.get(hpo + b * hs + j);
                    if (keeps) {
                        sg.set(go + row + j, r);
                        sg.set(go + row + hs + j, z);
                        sg.set(go + row + 2 * hs + j, n);
                        shn.set(hno + b * hs + j, hnv);
                    }
                    sh.set(ho + b * hs + j, (1.0 - z) * n + z * hp);
                }
            }
        });
    }

    @Override
    public void gruCellBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                                Tensor dWx, Tensor dRh) {
        if (CpuFloatCells.applies(gates, hn, hPrev, dhOut, dh, dWx, dRh)) {
            forRows(hn.dim(0), 3L * hn.dim(1), PARALLEL_ELEMENTS,
                    (b0, b1) -> CpuFloatCells.gruBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh, b0, b1));
            return;
        }
        int hs = hn.dim(1);
        HostStorage sg = gates.host();
        HostStorage shn = hn.host();
        HostStorage shp = hPrev.host();
        HostStorage sOut = dhOut.host();
        HostStorage sdh = dh.host();
        HostStorage sdx = dWx.host();
        HostStorage sdr = dRh.host();
        int go = base(gates);
        int hno = base(hn);
        int hpo = base(hPrev);
        int oo = base(dhOut);
        int dho = base(dh);
        int dxo = base(dWx);
        int dro = base(dRh);
        forRows(hn.dim(0), 3L * hs, PARALLEL_ELEMENTS, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int row = b * 3 * hs;
                for (int j = 0; j < hs; j++) {
                    int e = b * hs + j;
                    double r = sg.get(go + row + j);
                    double z = sg.get(go + row + hs + j);
                    double n = sg.get(go + row + 2 * hs + j);
                    double dH = sOut.get(oo + e) + sdh.get(dho + e);
                    double dnPre = dH * (1.0 - z) * (1.0 - n * n);
                    double dzPre = dH * (shp.get(hpo + e) - n) * z * (1.0 - z);
                    double drPre = dnPre * shn.get(hno + e) * r * (1.0 - r);
                    sdx.set(dxo + row + j, drPre);
                    sdx.set(dxo + row + hs + j, dzPre);
                    sdx.set(dxo + row + 2 * hs + j, dnPre);
                    sdr.set(dro + row + j, drPre);
                    sdr.set(dro + row + hs + j, dzPre);
                    sdr.set(dro + row + 2 * hs + j, dnPre * r);
                    sdh.set(dho + e, dH * z);
                }
            }
        });
    }

    /** The four inputs of a gate pre-activation; biases may be null (no bias). */
    private static final class Gates {
        private final HostStorage wx;
        private final HostStorage rh;
        private final HostStorage bih;
        private final HostStorage bhh;
        private final int wxo;
        private final int rho;
        private final int bio;
        private final int bho;

        Gates(Tensor wx, Tensor rh, Tensor bih, Tensor bhh) {
            this.wx = wx.host();
            this.rh = rh.host();
            this.bih = bih == null ? null : bih.host();
            this.bhh = bhh == null ? null : bhh.host();
            this.wxo = base(wx);
            this.rho = base(rh);
            this.bio = bih == null ? 0 : base(bih);
            this.bho = bhh == null ? 0 : base(bhh);
        }

        /** wx + bih at element {@code e} of the [B, G·H] block, gate column {@code col}. */
        double input(int e, int col) {
            return wx.get(wxo + e) + (bih == null ? 0.0 : bih.get(bio + col));
        }

        /** rh + bhh. */
        double recurrent(int e, int col) {
            return rh.get(rho + e) + (bhh == null ? 0.0 : bhh.get(bho + col));
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

    private static int base(Tensor t) {
        return (int) Objects.requireNonNull(t, "tensor").offset();
    }

    // ---- threading ----

    /** A half-open range of rows. */
    @FunctionalInterface
    interface RowRange {
        void run(int from, int to);
    }

    /** Elements per chunk of the elementwise passes (and per partial sum of {@link #sumOfSquares}). */
    private static final int ELEMENT_CHUNK = 1 << 13;

    private static int chunkCount(int n) {
        return (n + ELEMENT_CHUNK - 1) / ELEMENT_CHUNK;
    }

    /**
     * Threads a parallel stream on the common pool runs on: its workers plus the calling thread,
     * which takes chunks too. (The pool has cores − 1 workers, so on a 2-core machine asking for
     * its parallelism alone said 1 and every elementwise pass ran serially.)
     */
    static int parallelThreads() {
        return Math.min(Runtime.getRuntime().availableProcessors(), ForkJoinPool.getCommonPoolParallelism() + 1);
    }

    /** Runs {@code body} over element ranges covering {@code [0, n)}, in parallel when n is large. */
    static void forElements(int n, RowRange body) {
        forRows(chunkCount(n), ELEMENT_CHUNK, PARALLEL_ELEMENTS, (c0, c1) ->
                body.run(c0 * ELEMENT_CHUNK, (int) Math.min(n, (long) c1 * ELEMENT_CHUNK)));
    }

    /**
     * Runs {@code body} over {@code [0, rows)}: on the caller's thread when {@code rows · workPerRow}
     * is under {@code threshold}, else in chunks on the common fork-join pool.
     */
    static void forRows(int rows, long workPerRow, long threshold, RowRange body) {
        int threads = parallelThreads();
        if (rows < 2 || threads < 2 || rows * workPerRow < threshold) {
            body.run(0, rows);
            return;
        }
        int chunks = Math.min(rows, 4 * threads);
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            long from = (long) rows * ch / chunks;
            long to = (long) rows * (ch + 1) / chunks;
            body.run((int) from, (int) to);
        });
    }

    // ---- recorded work ----

    /** Nothing to capture on the host: runs the region now and again on each replay. */
    @Override
    public Recording record(Runnable region) {
        java.util.Objects.requireNonNull(region, "region");
        region.run();
        return new Recording() {
            @Override
            public void replay() {
                region.run();
            }

            @Override
            public void close() {
            }
        };
    }
}

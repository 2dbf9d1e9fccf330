package dev.mnemo.nn;

import java.util.Objects;

import static dev.mnemo.nn.CpuParallel.ELEMENT_CHUNK;
import static dev.mnemo.nn.CpuParallel.PARALLEL_ELEMENTS;
import static dev.mnemo.nn.CpuParallel.chunkCount;
import static dev.mnemo.nn.CpuParallel.forElements;
import static dev.mnemo.nn.CpuParallel.forRows;

/**
 * The CPU backend: plain Java over heap arrays, the reference the CUDA backend is checked against.
 *
 * <p><b>Precision.</b> {@link #float32()} allocates float32 tensors (the default for models);
 * {@link #float64()} allocates float64 tensors and exists so that tests can run <em>the same layer
 * code</em> in double precision for gradient checks against finite differences. The generic cell
 * kernels ({@link CpuCells}) are written once for both: they read and write elements through {@link HostStorage#get}/{@link HostStorage#set}
 * and compute in double with {@link Math#tanh} and {@link Math#exp}. On float32 tensors the cells run
 * {@link CpuFloatCells} instead: the same arithmetic (in double, rounded once when stored) in loops
 * the JIT vectorizes, with {@link Fp32Activations} for tanh and sigmoid (within an ulp of float32).
 * So the float32 path differs from the float64 path by the rounding of each stored value, by that
 * last ulp, and by the GEMM, which has a tuned float32 kernel ({@link CpuGemm}, or the system BLAS)
 * and a plain float64 loop.
 *
 * <p><b>Threads.</b> Work is split over rows (batch rows, matrix rows) on the common fork-join pool
 * when it is large enough to pay for the hand-off ({@link CpuParallel}); small calls run on the caller's thread. Calls are
 * stateless and may come from several threads on disjoint outputs.
 */
public final class CpuBackend implements Backend {

    private static final CpuBackend FLOAT32 = new CpuBackend(DType.FLOAT32);
    private static final CpuBackend FLOAT64 = new CpuBackend(DType.FLOAT64);

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
     * {@link #gemmImplementation()} with the system BLAS's threads per call where it says
     * ({@code system BLAS /usr/lib/x86_64-linux-gnu/libopenblas.so.0, 2 threads per call}). Training
     * reports print it: a threaded BLAS sums in another order at another thread count, and training
     * can carry that last-bit difference far (the pure-Java GEMM splits rows only: the same bits at
     * any thread count).
     */
    public static String gemmSetting() {
        SystemBlas.Result r = SystemBlas.system();
        java.util.OptionalInt threads = r.blas().map(SystemBlas::threads).orElse(java.util.OptionalInt.empty());
        return r.description() + (threads.isPresent()
                ? ", " + threads.getAsInt() + (threads.getAsInt() == 1 ? " thread" : " threads") + " per call" : "");
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
        if (src.device() != Device.CPU || dst.device() != Device.CPU) {
            Backend.of(src.device() != Device.CPU ? src : dst).copy(src, dst);   // a device side's backend copies
            return;
        }
        dst.copyFrom(src);
    }

    @Override
    public void fill(Tensor t, double value) {
        HostView.of("t", t);   // a device tensor: refused naming the argument
        t.fill(value);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        BackendChecks.copyColumns(src, srcCol, dst, dstCol, width);
        int rows = src.dim(0);
        int sc = src.dim(1);
        int dc = dst.dim(1);
        HostView s = HostView.of("src", src);
        HostView d = HostView.of("dst", dst);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                d.set(r * dc + dstCol + j, s.get(r * sc + srcCol + j));
            }
        }
    }

    @Override
    public void transpose01(Tensor src, Tensor dst) {
        BackendChecks.transpose01(src, dst);
        int n0 = src.dim(0);
        int n1 = src.dim(1);
        int w = src.dim(2);
        HostView s = HostView.of("src", src);
        HostView d = HostView.of("dst", dst);
        for (int i = 0; i < n0; i++) {
            for (int j = 0; j < n1; j++) {
                int from = (i * n1 + j) * w;
                int to = (j * n0 + i) * w;
                for (int e = 0; e < w; e++) {
                    d.set(to + e, s.get(from + e));
                }
            }
        }
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        BackendChecks.multiply(a, b, out);
        HostView sa = HostView.of("a", a);
        HostView sb = HostView.of("b", b);
        HostView so = HostView.of("out", out);
        for (int i = 0; i < out.numel(); i++) {
            so.set(i, sa.get(i) * sb.get(i));
        }
    }

    @Override
    public long firstNonFinite(Tensor t) {
        HostView s = HostView.of("t", t);
        for (int i = 0; i < t.numel(); i++) {
            if (!Double.isFinite(s.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public double sumOfSquares(Tensor t) {
        HostView s = HostView.of("t", t);
        int n = (int) t.numel();
        int chunks = chunkCount(n);
        double[] partial = new double[chunks];
        forRows(chunks, ELEMENT_CHUNK, PARALLEL_ELEMENTS, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                double sum = 0;
                for (int i = c * ELEMENT_CHUNK, end = Math.min(n, i + ELEMENT_CHUNK); i < end; i++) {
                    double v = s.get(i);
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
    public void add(Tensor a, Tensor b, Tensor out) {
        BackendChecks.add(a, b, out);
        HostView sa = HostView.of("a", a);
        HostView sb = HostView.of("b", b);
        HostView so = HostView.of("out", out);
        out.storage().recordWrite();
        forElements((int) out.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                so.set(i, sa.get(i) + sb.get(i));
            }
        });
    }

    @Override
    public void scale(Tensor t, double factor) {
        HostView s = HostView.of("t", t);
        t.storage().recordWrite();
        forElements((int) t.numel(), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                s.set(i, s.get(i) * factor);
            }
        });
    }

    // ---- linear algebra ----

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        BackendChecks.gemm(transA, transB, a, b, c);
        int m = c.dim(0);
        int n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
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
        BackendChecks.addColumnSums(m, out);
        int rows = m.dim(0);
        int cols = m.dim(1);
        HostView s = HostView.of("m", m);
        HostView d = HostView.of("out", out);
        double[] sum = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                sum[j] += s.get(r * cols + j);
            }
        }
        for (int j = 0; j < cols; j++) {
            d.set(j, d.get(j) + sum[j]);
        }
    }

    @Override
    public void addRowVector(Tensor m, Tensor v) {
        BackendChecks.addRowVector(m, v);
        int rows = m.dim(0);
        int cols = m.dim(1);
        HostView sm = HostView.of("m", m);
        HostView sv = HostView.of("v", v);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                int e = r * cols + j;
                sm.set(e, sm.get(e) + sv.get(j));
            }
        }
    }

    @Override
    public void gatherRows(Tensor table, int[] rows, Tensor out) {
        BackendChecks.gatherRows(table, rows, out);
        int w = table.dim(1);
        HostView st = HostView.of("table", table);
        HostView so = HostView.of("out", out);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < w; j++) {
                so.set(i * w + j, st.get(rows[i] * w + j));
            }
        }
    }

    @Override
    public void carryFinishedRows(Tensor dst, Tensor src, Tensor lengths, int t) {
        BackendChecks.carryFinishedRows(dst, src, lengths, t);
        int w = dst.dim(1);
        HostView sd = HostView.of("dst", dst);
        HostView ss = HostView.of("src", src);
        HostView sl = HostView.of("lengths", lengths);
        for (int b = 0; b < dst.dim(0); b++) {
            if (t >= sl.get(b)) {
                for (int j = 0; j < w; j++) {
                    sd.set(b * w + j, ss.get(b * w + j));
                }
            }
        }
    }

    @Override
    public void zeroEndedSteps(Tensor x, Tensor lengths, boolean batchFirst) {
        BackendChecks.zeroEndedSteps(x, lengths, batchFirst);
        int steps = x.dim(batchFirst ? 1 : 0);
        int rows = x.dim(batchFirst ? 0 : 1);
        int w = x.dim(2);
        HostView sx = HostView.of("x", x);
        HostView sl = HostView.of("lengths", lengths);
        for (int b = 0; b < rows; b++) {
            for (int t = (int) Math.max(0, Math.ceil(sl.get(b))); t < steps; t++) {
                int at = (batchFirst ? b * steps + t : t * rows + b) * w;
                for (int j = 0; j < w; j++) {
                    sx.set(at + j, 0.0);
                }
            }
        }
    }

    @Override
    public void scatterAddRows(Tensor src, int[] rows, Tensor table) {
        BackendChecks.scatterAddRows(src, rows, table);
        int w = table.dim(1);
        HostView ss = HostView.of("src", src);
        HostView st = HostView.of("table", table);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < w; j++) {
                int e = rows[i] * w + j;
                st.set(e, st.get(e) + ss.get(i * w + j));
            }
        }
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] targets, double scale, Tensor dLogits) {
        BackendChecks.softmaxCrossEntropy(logits, targets, dLogits);
        int n = logits.dim(0);
        int classes = logits.dim(1);
        HostView sl = HostView.of("logits", logits);
        HostView sd = HostView.of("dLogits", dLogits);
        double total = 0;
        for (int r = 0; r < n; r++) {
            int row = r * classes;
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
                sd.set(row + j, scale * (p - (j == targets[r] ? 1.0 : 0.0)));
            }
        }
        return total;
    }

    @Override
    public double squaredError(Tensor pred, Tensor target, double scale, Tensor grad) {
        BackendChecks.squaredError(pred, target, grad);
        HostView sp = HostView.of("pred", pred);
        HostView st = HostView.of("target", target);
        HostView sg = HostView.of("grad", grad);
        double total = 0;
        for (int i = 0; i < pred.numel(); i++) {
            double d = sp.get(i) - st.get(i);
            total += d * d;
            sg.set(i, scale * 2.0 * d);
        }
        return total;
    }

    // ---- optimizers (CpuOptimizers) ----

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams hp) {
        BackendChecks.sgdUpdate(param, grad, momentumBuffer, hp);
        CpuOptimizers.sgd(param, grad, momentumBuffer, hp);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamParams hp) {
        BackendChecks.adamUpdate(param, grad, expAvg, expAvgSq);
        CpuOptimizers.adam(param, grad, expAvg, expAvgSq, hp);
    }

    @Override
    public void rmsPropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg,
                              RmsPropParams hp) {
        BackendChecks.rmsPropUpdate(param, grad, squareAvg, momentumBuffer, gradAvg, hp);
        CpuOptimizers.rmsProp(param, grad, squareAvg, momentumBuffer, gradAvg, hp);
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

    @Override
    public void ringWrite(Tensor src, int keyColumn, int valueColumn, Tensor keys, Tensor values, DevicePosition step) {
        BackendChecks.ringWrite(src, keyColumn, valueColumn, keys, values);
        long at = host(step).value();
        if (at < 0) {
            throw new IllegalArgumentException("ringWrite's step must be >= 0, got " + at);
        }
        int slot = (int) (at % keys.dim(1));
        for (int b = 0; b < src.dim(0); b++) {
            for (int j = 0; j < keys.dim(2); j++) {
                keys.set(src.get(b, keyColumn + j), b, slot, j);
            }
            for (int j = 0; j < values.dim(2); j++) {
                values.set(src.get(b, valueColumn + j), b, slot, j);
            }
        }
    }

    // ---- dropout ----

    @Override
    public void dropout(Tensor x, double p, long seed, long offset, Tensor mask, Tensor y) {
        BackendChecks.dropout(x, p, mask, y);
        applyDropout(x, p, seed, offset, mask, y);
    }

    private static void applyDropout(Tensor x, double p, long seed, long offset, Tensor mask, Tensor y) {
        HostView sx = HostView.of("x", x);
        HostView sm = HostView.of("mask", mask);
        HostView sy = HostView.of("y", y);
        double scale = 1.0 / (1.0 - p);
        for (int i = 0; i < x.numel(); i++) {
            double keep = dropoutUniform(seed, offset + i) >= p ? scale : 0.0;
            sm.set(i, keep);
            sy.set(i, sx.get(i) * keep);
        }
    }

    @Override
    public DevicePosition devicePosition() {
        return new HostDevicePosition();
    }

    @Override
    public void dropout(Tensor x, double p, long seed, DevicePosition position, long offset, Tensor mask, Tensor y) {
        BackendChecks.dropout(x, p, mask, y);   // the operands before the position, as CUDA
        applyDropout(x, p, seed, host(position).value() + offset, mask, y);
    }

    private static HostDevicePosition host(DevicePosition position) {
        if (!(position instanceof HostDevicePosition host)) {
            throw new IllegalArgumentException("position must come from this backend's devicePosition(), got "
                    + position);
        }
        return host;
    }

    /** The CPU's position: a field, read when dropout runs (the CPU runs every call at once). */
    private static final class HostDevicePosition implements DevicePosition {
        private long value;
        private boolean closed;

        @Override
        public void set(long position) {
            requireOpen();
            value = position;
        }

        long value() {
            requireOpen();
            return value;
        }

        private void requireOpen() {
            if (closed) {
                throw new IllegalStateException("the device position is closed");
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return "DevicePosition(cpu, " + (closed ? "closed" : value) + ")";
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

    // ---- recurrent cells (CpuCells) ----

    @Override
    public void rnnCellForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h) {
        BackendChecks.rnnCellForward(wx, bih, bhh, h);
        BackendChecks.shape("rh", rh, h.dim(0), h.dim(1));   // no partials here (recurrentProductBuffer)
        CpuCells.rnnForward(f, wx, rh, bih, bhh, h);
    }

    @Override
    public void rnnCellBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre) {
        BackendChecks.rnnCellBackward(h, dhOut, dh, dPre);
        CpuCells.rnnBackward(f, h, dhOut, dh, dPre);
    }

    @Override
    public void lstmCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                                Tensor gates, Tensor c, Tensor h) {
        BackendChecks.lstmCellForward(wx, bih, bhh, cPrev, gates, c, h);
        BackendChecks.shape("rh", rh, wx.dim(0), wx.dim(1));
        CpuCells.lstmForward(wx, rh, bih, bhh, cPrev, gates, c, h);
    }

    @Override
    public void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                                 Tensor dGates) {
        BackendChecks.lstmCellBackward(gates, cPrev, c, dhOut, dh, dc, dGates);
        CpuCells.lstmBackward(gates, cPrev, c, dhOut, dh, dc, dGates);
    }

    @Override
    public void gruCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                               Tensor gates, Tensor hn, Tensor h) {
        BackendChecks.gruCellForward(wx, bih, bhh, hPrev, gates, hn, h);
        BackendChecks.shape("rh", rh, wx.dim(0), wx.dim(1));
        CpuCells.gruForward(wx, rh, bih, bhh, hPrev, gates, hn, h);
    }

    @Override
    public void gruCellBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                                Tensor dWx, Tensor dRh) {
        BackendChecks.gruCellBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh);
        CpuCells.gruBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh);
    }

    private static int base(Tensor t) {
        return (int) Objects.requireNonNull(t, "tensor").offset();
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

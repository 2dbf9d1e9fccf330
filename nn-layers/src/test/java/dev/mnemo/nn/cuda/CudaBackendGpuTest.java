package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.optim.GradientClipping;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CUDA backend's primitives against the CPU reference, identical inputs. */
@Tag("gpu")
class CudaBackendGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    final CpuBackend cpu = CpuBackend.float32();
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    static Tensor random(long salt, double scale, int... shape) {
        var rnd = new SplittableRandom(SEED ^ salt);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, (2 * rnd.nextDouble() - 1) * scale);
        }
        return t;
    }

    static void assertClose(Tensor expected, Tensor actual, double relTol, String what) {
        float[] e = expected.to(Device.CPU).toFloatArray();
        float[] a = actual.to(Device.CPU).toFloatArray();
        assertEquals(e.length, a.length, what + ": numel");
        double scale = 1e-30;
        double err = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            err = Math.max(err, Math.abs((double) e[i] - a[i]));
        }
        assertTrue(err <= relTol * scale, what + ": max error " + err + " > " + relTol + " × " + scale + " (seed " + SEED + ")");
    }

    @Test
    void tensorsRoundTripExactly() {
        Tensor host = random(1, 3, 4, 5, 6);
        Tensor dev = host.to(Device.CUDA);
        assertEquals(Device.CUDA, dev.device());
        assertEquals(DType.FLOAT32, dev.dtype());
        assertArrayEquals(host.shape(), dev.shape());
        assertArrayEquals(host.toFloatArray(), dev.to(Device.CPU).toFloatArray());
        assertArrayEquals(host.select(2).toFloatArray(), dev.select(2).to(Device.CPU).toFloatArray(), "views keep offsets");
        Tensor d64 = Tensor.of(new double[] {0.1, 1e-40, -2.5}, 3);
        assertArrayEquals(new float[] {0.1f, 1e-40f, -2.5f}, d64.to(Device.CUDA).to(Device.CPU).toFloatArray());
        Tensor copy = dev.copy();
        assertEquals(Device.CUDA, copy.device());
        assertArrayEquals(host.toFloatArray(), copy.to(Device.CPU).toFloatArray());
        Tensor z = gpu.zeros(7, 3);
        assertArrayEquals(new float[21], z.to(Device.CPU).toFloatArray());
        gpu.fill(z, 2.5);
        Tensor back = CpuBackend.float64().copyOf(z);
        assertEquals(2.5, back.getFlat(20));
    }

    @Test
    void mismatchedDevicesAreRejectedBeforeAnyLaunch() {
        Tensor a = gpu.zeros(2, 3);
        Tensor hostB = Tensor.zeros(3, 4);
        Tensor c = gpu.zeros(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpu.gemm(false, false, 1, a, hostB, 0, c));
        assertTrue(e.getMessage().startsWith("b must be a cuda float32 tensor (this backend's device), got Tensor[3, 4] "
                + "float32 cpu"), e.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> gpu.lstmCellForward(gpu.zeros(2, 8), gpu.zeros(2, 8), null, null, gpu.zeros(2, 2),
                        gpu.zeros(2, 8), gpu.zeros(2, 2), gpu.zeros(2, 3)));
        assertEquals("wx must have shape [2, 12], got [2, 8]", shape.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gemmMatchesTheCpuInEveryTransposeCombination(boolean tf32) {
        Backend g = tf32 ? CudaBackend.tf32() : gpu;
        double tol = tf32 ? 1e-3 : 1e-5;
        for (int mode = 0; mode < 4; mode++) {
            boolean ta = (mode & 1) != 0;
            boolean tb = (mode & 2) != 0;
            Tensor a = random(10 + mode, 1, ta ? 33 : 17, ta ? 17 : 33);
            Tensor b = random(20 + mode, 1, tb ? 9 : 33, tb ? 33 : 9);
            Tensor c = random(30 + mode, 1, 17, 9);
            Tensor cg = g.copyOf(c);
            cpu.gemm(ta, tb, 0.5, a, b, 1.0, c);
            g.gemm(ta, tb, 0.5, g.copyOf(a), g.copyOf(b), 1.0, cg);
            assertClose(c, cg, tol, "gemm ta=" + ta + " tb=" + tb + " tf32=" + tf32);
        }
    }

    @Test
    void reductionsAndElementwiseMatchTheCpu() {
        Tensor m = random(40, 2, 1000, 7);
        Tensor sums = random(41, 1, 7);
        Tensor gs = gpu.copyOf(sums);
        cpu.addColumnSums(m, sums);
        gpu.addColumnSums(gpu.copyOf(m), gs);
        assertClose(sums, gs, 1e-5, "addColumnSums");
        Tensor v = random(42, 1, 7);
        Tensor gm = gpu.copyOf(m);
        cpu.addRowVector(m, v);
        gpu.addRowVector(gm, gpu.copyOf(v));
        assertClose(m, gm, 1e-6, "addRowVector");
        assertEquals(cpu.sumOfSquares(m), gpu.sumOfSquares(gm), 1e-5 * cpu.sumOfSquares(m), "sumOfSquares");
        Tensor b = random(43, 1, 1000, 7);
        Tensor out = Tensor.zeros(1000, 7);
        cpu.multiply(m, b, out);
        Tensor gb = gpu.copyOf(b);
        gpu.multiply(gm, gb, gb);   // out aliases b
        assertClose(out, gb, 1e-6, "multiply");
        cpu.add(b, out, out);
        gpu.add(gpu.copyOf(b), gb, gb);   // out aliases b
        assertClose(out, gb, 1e-6, "add");
        cpu.scale(m, -0.25);
        gpu.scale(gm, -0.25);
        assertClose(m, gm, 1e-6, "scale");
        assertEquals(-1, gpu.firstNonFinite(gm));
        Tensor bad = m.copy();
        bad.setFlat(4321, Float.NaN);
        assertEquals(4321, gpu.firstNonFinite(gpu.copyOf(bad)));
        assertTrue(Double.isNaN(gpu.sumOfSquares(gpu.copyOf(bad))));
        Tensor huge = Tensor.of(new float[] {3e19f, 3e19f}, 2);
        assertEquals(cpu.sumOfSquares(huge), gpu.sumOfSquares(gpu.copyOf(huge)), 1e33, "no float overflow");
        assertEquals(-1, gpu.firstNonFinite(gpu.copyOf(huge)));
    }

    @Test
    void layoutCopiesMatchTheCpu() {
        Tensor x = random(50, 1, 5, 3, 4);
        Tensor t = Tensor.zeros(3, 5, 4);
        Tensor gt = gpu.zeros(3, 5, 4);
        cpu.transpose01(x, t);
        gpu.transpose01(gpu.copyOf(x), gt);
        assertClose(t, gt, 0, "transpose01 (n1 < n0)");
        Tensor y = random(51, 1, 2, 6, 3);
        Tensor u = Tensor.zeros(6, 2, 3);
        Tensor gu = gpu.zeros(6, 2, 3);
        cpu.transpose01(y, u);
        gpu.transpose01(gpu.copyOf(y), gu);
        assertClose(u, gu, 0, "transpose01 (n1 > n0)");
        Tensor src = random(52, 1, 6, 10);
        Tensor dst = random(53, 1, 6, 8);
        Tensor gd = gpu.copyOf(dst);
        cpu.copyColumns(src, 3, dst, 2, 5);
        gpu.copyColumns(gpu.copyOf(src), 3, gd, 2, 5);
        assertClose(dst, gd, 0, "copyColumns");
        int[] rows = {3, 4, 5, 0, 3, 3, 9};
        Tensor table = random(54, 1, 10, 6);
        Tensor g = Tensor.zeros(7, 6);
        Tensor gg = gpu.zeros(7, 6);
        cpu.gatherRows(table, rows, g);
        gpu.gatherRows(gpu.copyOf(table), rows, gg);
        assertClose(g, gg, 0, "gatherRows");
        Tensor gTable = gpu.copyOf(table);
        cpu.scatterAddRows(g, rows, table);
        gpu.scatterAddRows(gg, rows, gTable);
        assertClose(table, gTable, 1e-6, "scatterAddRows");
    }

    /** carryFinishedRows: the kernel's rows equal the CPU's, on views at offsets; past one grid's pass too. */
    @Test
    void carryFinishedRowsMatchesTheCpu() {
        for (int rows : new int[] {6, 70_000}) {
            Tensor dst = random(62, 1, rows, 3);
            Tensor src = random(63, 1, rows, 3);
            double[] lengths = new double[rows];
            for (int b = 0; b < rows; b++) {
                lengths[b] = 1 + (b * 7) % 9;
            }
            Tensor len = Tensor.of(lengths, rows);
            Tensor gDstBase = gpu.zeros(rows + 2, 3);
            Tensor gDst = gDstBase.slice(2, rows + 2);   // a view at an offset
            gpu.copy(dst, gDst);
            for (int t : new int[] {0, 4, 9}) {
                cpu.carryFinishedRows(dst, src, len, t);
                gpu.carryFinishedRows(gDst, gpu.copyOf(src), gpu.copyOf(len), t);
                assertClose(dst, gDst, 0, "carryFinishedRows of " + rows + " rows at t " + t);
            }
        }
    }

    /** zeroEndedSteps: the kernel zeros what the CPU zeros, time-major and batch-first. */
    @Test
    void zeroEndedStepsMatchesTheCpu() {
        double[] lengths = {7, 1, 4, 7, 2, 5};
        Tensor len = Tensor.of(lengths, 6);
        for (boolean batchFirst : new boolean[] {false, true}) {
            Tensor x = batchFirst ? random(64, 1, 6, 7, 5) : random(64, 1, 7, 6, 5);
            Tensor gx = gpu.copyOf(x);
            cpu.zeroEndedSteps(x, len, batchFirst);
            gpu.zeroEndedSteps(gx, gpu.copyOf(len), batchFirst);
            assertClose(x, gx, 0, "zeroEndedSteps, batchFirst " + batchFirst);
        }
    }

    /**
     * gatherRows both ways: a few runs of consecutive rows as device copies, any other order by the
     * gather kernel, on views at offsets; two kernel gathers back to back each read their own indices
     * (the second upload waits for the first kernel).
     */
    @Test
    void gatherRowsByCopiesAndByKernel() {
        Tensor table = random(61, 1, 40, 9);
        Tensor gTableBase = gpu.zeros(45, 9);
        Tensor gTable = gTableBase.slice(5, 45);   // a view at an offset
        gpu.copy(table, gTable);
        int[] fewRuns = {10, 11, 12, 13, 2, 3, 30};   // 3 runs: copies
        int[] permutation = new int[40];
        for (int i = 0; i < 40; i++) {
            permutation[i] = (i * 17 + 3) % 40;   // 40 runs: the kernel
        }
        int[] repeats = {7, 7, 7, 0, 39, 7, 1, 1, 38, 2};   // 8 runs: the kernel
        assertEquals(3, CudaRows.runs(fewRuns));
        assertEquals(40, CudaRows.runs(permutation));
        Tensor gOutBase = gpu.zeros(3 + 40 + 40 + 10, 9);
        int at = 3;
        for (int[] rows : List.of(fewRuns, permutation, repeats)) {
            Tensor want = Tensor.zeros(rows.length, 9);
            cpu.gatherRows(table, rows, want);
            Tensor got = gOutBase.slice(at, at + rows.length);
            gpu.gatherRows(gTable, rows, got);
            assertClose(want, got, 0, "gatherRows of " + rows.length + " rows in " + CudaRows.runs(rows) + " runs");
            at += rows.length;
        }
        // back to back, nothing read in between: each kernel must see its own indices
        Tensor first = gpu.zeros(40, 9);
        Tensor second = gpu.zeros(10, 9);
        gpu.gatherRows(gTable, permutation, first);
        gpu.gatherRows(gTable, repeats, second);
        Tensor wantFirst = Tensor.zeros(40, 9);
        Tensor wantSecond = Tensor.zeros(10, 9);
        cpu.gatherRows(table, permutation, wantFirst);
        cpu.gatherRows(table, repeats, wantSecond);
        assertClose(wantFirst, first, 0, "first of two back-to-back gathers");
        assertClose(wantSecond, second, 0, "second of two back-to-back gathers");
    }

    /**
     * The gather's index slots: six orders cycled three times, back to back with nothing read in
     * between (more orders than slots, so slots are overwritten while earlier kernels may still be
     * queued), a longer order after a shorter one in the same slot, and repeats that hit a slot.
     * Every gather equals the CPU's.
     */
    @Test
    void gatherIndexSlotsHitMissAndRefill() {
        Tensor table = random(62, 1, 50, 5);
        Tensor gTable = gpu.copyOf(table);
        List<int[]> orders = new java.util.ArrayList<>();
        for (int k = 0; k < 6; k++) {
            int n = 20 + 5 * k;
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = (i * (7 + 2 * k) + k) % 50;
            }
            assertTrue(CudaRows.runs(rows) > CudaRows.COPY_RUNS, "a kernel gather");
            orders.add(rows);
        }
        List<Tensor> got = new java.util.ArrayList<>();
        List<Tensor> want = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int k : new int[] {0, 1, 0, 2, 3, 4, 5, 1, 5}) {
                int[] rows = orders.get(k);
                Tensor out = gpu.zeros(rows.length, 5);
                gpu.gatherRows(gTable, rows, out);
                got.add(out);
                Tensor w = Tensor.zeros(rows.length, 5);
                cpu.gatherRows(table, rows, w);
                want.add(w);
            }
        }
        for (int i = 0; i < got.size(); i++) {
            assertClose(want.get(i), got.get(i), 0, "gather " + i);
        }
    }

    @Test
    void dropoutDrawsTheSameMask() {
        Tensor x = random(60, 1, 9, 13);
        Tensor mask = Tensor.zeros(9, 13);
        Tensor y = Tensor.zeros(9, 13);
        Tensor gMask = gpu.zeros(9, 13);
        Tensor gy = gpu.zeros(9, 13);
        cpu.dropout(x, 0.3, 77, 1000, mask, y);
        gpu.dropout(gpu.copyOf(x), 0.3, 77, 1000, gMask, gy);
        assertClose(mask, gMask, 0, "mask");
        assertClose(y, gy, 1e-6, "y");
    }

    @Test
    void lossesMatchTheCpu() {
        for (int classes : new int[] {5, 1500}) {
            Tensor logits = random(70 + classes, 8, 37, classes);
            int[] targets = new int[37];
            var rnd = new SplittableRandom(SEED + classes);
            for (int i = 0; i < targets.length; i++) {
                targets[i] = rnd.nextInt(classes);
            }
            Tensor d = Tensor.zeros(37, classes);
            double loss = cpu.softmaxCrossEntropy(logits, targets, 1.0 / 37, d);
            Tensor gl = gpu.copyOf(logits);
            double gLoss = gpu.softmaxCrossEntropy(gl, targets, 1.0 / 37, gl);   // dLogits aliases logits
            assertEquals(loss, gLoss, 1e-5 * Math.abs(loss), "cross-entropy C=" + classes);
            assertClose(d, gl, 1e-5, "cross-entropy gradient C=" + classes);
        }
        Tensor pred = random(80, 2, 3000);
        Tensor target = random(81, 2, 3000);
        Tensor grad = Tensor.zeros(3000);
        double se = cpu.squaredError(pred, target, 1.0 / 3000, grad);
        Tensor gp = gpu.copyOf(pred);
        double gSe = gpu.squaredError(gp, gpu.copyOf(target), 1.0 / 3000, gp);   // grad aliases pred
        assertEquals(se, gSe, 1e-12 * se, "squared error: the CPU's terms, summed in double in another order");
        assertClose(grad, gp, 1e-6, "squared-error gradient");
        Tensor huge = Tensor.of(new float[] {3e20f, -4e20f}, 2);   // squares past float32's range
        Tensor zero = Tensor.zeros(2);
        double hugeSe = gpu.squaredError(gpu.copyOf(huge), gpu.copyOf(zero), 1.0, gpu.zeros(2));
        assertEquals(cpu.squaredError(huge, zero, 1.0, Tensor.zeros(2)), hugeSe, 1e-12 * 25e40, "no float overflow");
        // a difference past float's range whose scaled gradient is within it: ∞ on CUDA, 3e38 on the CPU, before
        Tensor far = Tensor.of(new float[] {3e38f, 3e38f, 3e38f, 3e38f}, 4);
        Tensor farTarget = Tensor.of(new float[] {-3e38f, -3e38f, -3e38f, -3e38f}, 4);
        Tensor cpuGrad = Tensor.zeros(4);
        cpu.squaredError(far, farTarget, 0.25, cpuGrad);
        Tensor gpuGrad = gpu.zeros(4);
        gpu.squaredError(gpu.copyOf(far), gpu.copyOf(farTarget), 0.25, gpuGrad);
        assertClose(cpuGrad, gpuGrad, 1e-6, "gradient 2·6e38/4 = 3e38");
        assertEquals(3e38, gpuGrad.to(Device.CPU).getFlat(0), 1e32);
    }

    /**
     * A NaN logit at a class other than the target makes the row's loss NaN, as on the CPU and in PyTorch, at any
     * class count: with C ≤ 32 each lane holds one class, and the lane that saw only the NaN used to be merged away.
     */
    @Test
    void aNanLogitMakesTheLossNan() {
        for (int[] c : new int[][] {{3, 0, 1}, {10, 7, 2}, {32, 31, 0}, {33, 5, 32}, {300, 200, 3}}) {
            int classes = c[0];
            Tensor logits = random(90 + classes, 2, 1, classes);
            logits.set(Double.NaN, 0, c[1]);
            int[] target = {c[2]};
            Tensor d = gpu.zeros(1, classes);
            double loss = gpu.softmaxCrossEntropy(gpu.copyOf(logits), target, 1.0, d);
            assertTrue(Double.isNaN(loss), "C=" + classes + ", NaN at class " + c[1] + ": loss " + loss);
            assertTrue(Double.isNaN(cpu.softmaxCrossEntropy(logits, target, 1.0, Tensor.zeros(1, classes))));
        }
    }

    /**
     * Sums of squares beyond float32 (1e30² = 1e60) stay finite, and the host scan behind
     * firstNonFinite reads a tensor in chunks and finds what lies past the first.
     */
    @Test
    void slowReductionPathsReadPastTheFirstChunk() {
        int n = CudaReductions.DOWNLOAD_CHUNK + 5;
        Tensor t = gpu.zeros(n);
        Tensor big = Tensor.of(new double[] {1e30, 1e30}, 2);   // squares overflow float32, not the double partials
        gpu.copy(big, t.slice(0, 2).reshape(2));
        gpu.copy(big.slice(0, 1).reshape(1), t.slice(n - 2, n - 1).reshape(1));
        assertEquals(3e60, gpu.sumOfSquares(t), 1e-6 * 3e60);   // 1e30 rounds to a float 1.5e-8 above
        assertEquals(-1, gpu.firstNonFinite(t));
        gpu.copy(Tensor.of(new double[] {Double.NaN}, 1), t.slice(n - 1, n).reshape(1));
        assertEquals(n - 1, gpu.firstNonFinite(t));
        assertTrue(Double.isNaN(gpu.sumOfSquares(t)));
        gpu.release(t);
    }

    /** The relu backward gives 0 at a dead unit whatever the gradient there (NaN and ∞ included), as the CPU. */
    @Test
    void reluBackwardIsZeroAtDeadUnits() {
        Tensor h = Tensor.of(new double[] {0, 0, 2, 0}, 1, 4);
        Tensor dhOut = Tensor.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1, Double.NEGATIVE_INFINITY}, 1, 4);
        Tensor dPre = gpu.zeros(1, 4);
        gpu.rnnCellBackward(Nonlinearity.RELU, gpu.copyOf(h), gpu.copyOf(dhOut), gpu.zeros(1, 4), dPre);
        assertArrayEquals(new double[] {0, 0, 1, 0}, dPre.to(Device.CPU).toDoubleArray());
    }

    /** Centered RMSprop with α = 0: the variance rounds below 0 (fma), clamped at 0, so no NaN parameter. */
    @Test
    void centeredRmsPropStaysFinite() {
        Tensor p = gpu.zeros(256);
        Tensor g = gpu.copyOf(random(95, 1, 256));
        var rms = new dev.mnemo.nn.optim.RmsProp(dev.mnemo.nn.optim.RmsPropOptions.builder().lr(1e-6).alpha(0)
                .centered(true).build(), p, g);
        for (int step = 0; step < 3; step++) {
            rms.step();
        }
        for (double v : p.to(Device.CPU).toDoubleArray()) {
            assertTrue(Double.isFinite(v), "parameter " + v);
        }
    }

    /** An infinite gradient: ∞ − ∞ in the variance is NaN, as on the CPU and in PyTorch, not a clamped 0 (a ±∞ step). */
    @Test
    void centeredRmsPropOfAnInfiniteGradientIsNaNAsOnTheCpu() {
        Tensor grad = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY}, 3);
        Tensor[] params = {Tensor.of(new float[] {1, 1, 1}, 3), gpu.copyOf(Tensor.of(new float[] {1, 1, 1}, 3))};
        Tensor[] grads = {grad, gpu.copyOf(grad)};
        for (int k = 0; k < 2; k++) {
            new dev.mnemo.nn.optim.RmsProp(dev.mnemo.nn.optim.RmsPropOptions.builder().lr(1e-3).centered(true).build(),
                    params[k], grads[k]).step();
        }
        double[] onCpu = params[0].toDoubleArray();
        double[] onGpu = params[1].to(Device.CPU).toDoubleArray();
        assertTrue(Double.isNaN(onCpu[0]) && Double.isNaN(onCpu[2]), java.util.Arrays.toString(onCpu));
        assertTrue(Double.isNaN(onGpu[0]) && Double.isNaN(onGpu[2]), java.util.Arrays.toString(onGpu));
        assertEquals(onCpu[1], onGpu[1], 1e-6);
    }

    @Test
    void optimizersTrackTheCpuOverSeveralSteps() {
        int n = 5000;
        Tensor p = random(90, 1, n);
        Tensor[] cpuState = {p.copy(), p.copy(), p.copy(), Tensor.zeros(n), Tensor.zeros(n), Tensor.zeros(n),
            Tensor.zeros(n), Tensor.zeros(n), Tensor.zeros(n)};
        Tensor[] gpuState = new Tensor[cpuState.length];
        for (int i = 0; i < cpuState.length; i++) {
            gpuState[i] = gpu.copyOf(cpuState[i]);
        }
        for (int step = 1; step <= 5; step++) {
            Tensor g = random(100 + step, 1, n);
            Tensor gg = gpu.copyOf(g);
            for (Backend b : new Backend[] {cpu, gpu}) {
                Tensor[] s = b == cpu ? cpuState : gpuState;
                Tensor grad = b == cpu ? g : gg;
                b.sgdUpdate(s[0], grad, s[3], new Backend.SgdParams(0.1, 0.9, 0.0, 1e-4, true, step == 1));
                b.adamUpdate(s[1], grad, s[4], s[5], new Backend.AdamParams(1e-2, 0.9, 0.999, 1e-8, 0.01, step, step % 2 == 0));
                b.rmsPropUpdate(s[2], grad, s[6], s[7], s[8], new Backend.RmsPropParams(1e-2, 0.99, 1e-8, 1e-4, 0.5, true));
            }
        }
        String[] names = {"sgd param", "adam param", "rmsprop param", "sgd momentum", "adam expAvg", "adam expAvgSq",
            "rmsprop squareAvg", "rmsprop momentum", "rmsprop gradAvg"};
        for (int i = 0; i < names.length; i++) {
            assertClose(cpuState[i], gpuState[i], 1e-5, names[i]);
        }
    }

    @Test
    void gradientClippingMatchesTheCpu() {
        Tensor g = random(110, 3, 20000);
        Tensor gg = gpu.copyOf(g);
        double norm = GradientClipping.clipGlobalNorm(g, 1.0);
        double gNorm = GradientClipping.clipGlobalNorm(gg, 1.0);
        assertEquals(norm, gNorm, 1e-5 * norm);
        assertClose(g, gg, 1e-5, "clipped");
    }

    /**
     * The queued clip of several buffers against the CPU's blocking one: a buffer big enough for the
     * full 1024 partials alone (so every buffer's grid is cut to its share), a small one, an empty one;
     * then one under the limit (nothing scaled) and one holding a NaN (nothing scaled, NaN norm).
     */
    @Test
    void gradientClippingOnTheDeviceMatchesTheCpu() {
        List<Tensor> cpuGrads = List.of(random(111, 1, 300_000), random(112, 1, 7, 5), Tensor.zeros(0));
        List<Tensor> gpuGrads = cpuGrads.stream().map(gpu::copyOf).toList();
        double norm = GradientClipping.clipGlobalNorm(cpuGrads, 3.0);
        Tensor gNorm = GradientClipping.clipGlobalNormOnDevice(gpuGrads, 3.0);
        assertEquals(Device.CUDA, gNorm.device());
        assertEquals(norm, gNorm.to(Device.CPU).getFlat(0), 1e-5 * norm);
        for (int i = 0; i < cpuGrads.size(); i++) {
            assertClose(cpuGrads.get(i), gpuGrads.get(i), 1e-5, "clipped buffer " + i);
        }

        Tensor small = random(113, 1, 9);
        Tensor gSmall = gpu.copyOf(small);
        Tensor under = GradientClipping.clipGlobalNormOnDevice(List.of(gSmall), 1e6);
        assertClose(small, gSmall, 0, "under the limit: unchanged");
        assertEquals(Math.sqrt(cpu.sumOfSquares(small)), under.to(Device.CPU).getFlat(0), 1e-5);

        // squares past float32's range (3e20² = 9e40): the norm stays finite and the buffers are scaled
        Tensor huge = Tensor.of(new float[] {3e20f, -4e20f, 0f, 1e-3f}, 4);
        Tensor gHuge = gpu.copyOf(huge);
        Tensor hugeNorm = GradientClipping.clipGlobalNormOnDevice(List.of(gHuge), 1.0);
        assertEquals(GradientClipping.clipGlobalNorm(huge, 1.0), hugeNorm.to(Device.CPU).getFlat(0), 1e-6 * 5e20);
        assertClose(huge, gHuge, 1e-6, "clipped from a norm of 5e20");
        assertEquals(0.6, gHuge.to(Device.CPU).getFlat(0), 1e-6);

        Tensor withNan = random(114, 1, 9);
        withNan.setFlat(4, Double.NaN);
        Tensor gNan = gpu.copyOf(withNan);
        Tensor nanNorm = GradientClipping.clipGlobalNormOnDevice(List.of(gNan), 1e-3);
        assertTrue(Double.isNaN(nanNorm.to(Device.CPU).getFlat(0)));
        double[] kept = gNan.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < kept.length; i++) {
            if (i != 4) {
                assertEquals(withNan.getFlat(i), kept[i], 0.0, "a NaN norm scales nothing");
            }
        }

        // a maxNorm below float's least subnormal is finite and > 0, so valid: it rounded to 0 and the kernel
        // refused it, after the buffer's version had been bumped; now it clips to ~0 as the CPU does
        Tensor tiny = Tensor.of(new float[] {3f, 4f}, 2);
        Tensor gTiny = gpu.copyOf(tiny);
        Tensor tinyNorm = GradientClipping.clipGlobalNormOnDevice(List.of(gTiny), Double.MIN_VALUE);
        assertEquals(GradientClipping.clipGlobalNorm(tiny, Double.MIN_VALUE), tinyNorm.to(Device.CPU).getFlat(0), 1e-6);
        assertClose(tiny, gTiny, 0, "clipped to a norm of ~0");
        assertEquals(0.0, tiny.getFlat(1), 0.0);
    }

    /**
     * A batch of 0 rows reads and writes nothing, as on the CPU. A fresh empty tensor's memory sits at address 0,
     * which the LSTM and GRU launchers took for a missing argument ("p.gx must not be null").
     */
    @Test
    void cellsOfZeroRowsDoNothingAsOnTheCpu() {
        int h = 3;
        gpu.lstmCellForward(gpu.zeros(0, 4 * h), gpu.zeros(0, 4 * h), gpu.zeros(4 * h), gpu.zeros(4 * h),
                gpu.zeros(0, h), gpu.zeros(0, 4 * h), gpu.zeros(0, h), gpu.zeros(0, h));
        gpu.lstmCellForward(gpu.zeros(0, 4 * h), gpu.zeros(0, 4 * h), null, null, gpu.zeros(0, h), null,
                gpu.zeros(0, h), gpu.zeros(0, h));
        gpu.gruCellForward(gpu.zeros(0, 3 * h), gpu.zeros(0, 3 * h), gpu.zeros(3 * h), gpu.zeros(3 * h),
                gpu.zeros(0, h), gpu.zeros(0, 3 * h), gpu.zeros(0, h), gpu.zeros(0, h));
        gpu.gruCellBackward(gpu.zeros(0, 3 * h), gpu.zeros(0, h), gpu.zeros(0, h), gpu.zeros(0, h), gpu.zeros(0, h),
                gpu.zeros(0, 3 * h), gpu.zeros(0, 3 * h));
        gpu.lstmCellBackward(gpu.zeros(0, 4 * h), gpu.zeros(0, h), gpu.zeros(0, h), gpu.zeros(0, h), gpu.zeros(0, h),
                gpu.zeros(0, h), gpu.zeros(0, 4 * h));
        gpu.synchronize();
    }

    @Test
    void cellsMatchTheCpuOnOneStep() {
        int b = 3;
        int h = 33;
        Tensor hs = random(120, 1, b, h);
        Tensor dhOut = random(121, 1, b, h);
        for (Nonlinearity f : Nonlinearity.values()) {
            Tensor wx = random(122, 2, b, h);
            Tensor rh = random(123, 2, b, h);
            Tensor bias = random(124, 1, h);
            Tensor out = Tensor.zeros(b, h);
            Tensor gOut = gpu.zeros(b, h);
            cpu.rnnCellForward(f, wx, rh, bias, null, out);
            gpu.rnnCellForward(f, gpu.copyOf(wx), gpu.copyOf(rh), gpu.copyOf(bias), null, gOut);
            assertClose(out, gOut, 1e-6, "rnn " + f);
            Tensor dh = hs.copy();
            Tensor gdh = gpu.copyOf(hs);
            Tensor dPre = Tensor.zeros(b, h);
            Tensor gdPre = gpu.zeros(b, h);
            cpu.rnnCellBackward(f, out, dhOut, dh, dPre);
            gpu.rnnCellBackward(f, gOut, gpu.copyOf(dhOut), gdh, gdPre);
            assertClose(dPre, gdPre, 1e-6, "rnn bwd " + f);
            assertClose(dh, gdh, 0, "rnn dh zeroed " + f);
        }
        assertSame(gpu, Backend.of(Device.CUDA));
    }
}

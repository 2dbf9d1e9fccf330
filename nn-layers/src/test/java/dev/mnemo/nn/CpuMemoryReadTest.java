package dev.mnemo.nn;

import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU memory read ({@link Backend#memoryReadForward}, {@link Backend#memoryReadBackward}) against
 * the contract's formulas evaluated directly, and its backward against finite differences. Operands
 * sit in larger tensors at offsets with padded strides, so a wrong index reads or writes the padding.
 */
class CpuMemoryReadTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    static final int B = 3;
    static final int DK = 4;
    static final int DV = 5;

    /** A q, keys and values layout with gaps: q rows 7 apart, slots 2·(DK + DV + 3) apart. */
    record Operands(Tensor q, Tensor kv, int slots, int emptySlots, double scale) {
        static final long Q_OFFSET = 2;
        static final long Q_STRIDE = DK + 3;
        static final long KV_OFFSET = 5;
        static final long SLOT_STRIDE = 2 * (DK + DV + 3);

        long batchStride() {
            return SLOT_STRIDE * Math.max(slots, 1) + 1;
        }

        static Operands draw(Backend be, int slots, int emptySlots, double scale, double magnitude, long salt) {
            var probe = new Operands(null, null, slots, emptySlots, scale);
            Tensor q = uniform(be, salt, magnitude, (int) (Q_OFFSET + B * Q_STRIDE));
            Tensor kv = uniform(be, salt + 1, magnitude, (int) (KV_OFFSET + B * probe.batchStride()));
            return new Operands(q, kv, slots, emptySlots, scale);
        }

        MemoryRead read() {
            return new MemoryRead(B, slots, emptySlots, DK, DV, scale, new Strided(q, Q_OFFSET, Q_STRIDE, 0),
                    new Strided(kv, KV_OFFSET, batchStride(), SLOT_STRIDE),
                    new Strided(kv, KV_OFFSET + DK + 1, batchStride(), SLOT_STRIDE));
        }

        double q(int b, int j) {
            return q.getFlat(Q_OFFSET + b * Q_STRIDE + j);
        }

        double key(int b, int m, int j) {
            return kv.getFlat(KV_OFFSET + b * batchStride() + m * SLOT_STRIDE + j);
        }

        double value(int b, int m, int j) {
            return kv.getFlat(KV_OFFSET + DK + 1 + b * batchStride() + m * SLOT_STRIDE + j);
        }
    }

    static Tensor uniform(Backend be, long salt, double magnitude, int... shape) {
        var rnd = new SplittableRandom(SEED ^ (salt * 0x9E3779B97F4A7C15L));
        Tensor t = be.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, (2 * rnd.nextDouble() - 1) * magnitude);
        }
        return t;
    }

    /** The contract's formula, without the max shift: s, then a = exp(s) / (Σ exp(s) + empty). */
    static double[][] weights(Operands op) {
        double[][] a = new double[B][op.slots()];
        for (int b = 0; b < B; b++) {
            double sum = op.emptySlots();
            for (int m = 0; m < op.slots(); m++) {
                double s = 0;
                for (int j = 0; j < DK; j++) {
                    s += op.key(b, m, j) * op.q(b, j);
                }
                a[b][m] = Math.exp(op.scale() * s);
                sum += a[b][m];
            }
            for (int m = 0; m < op.slots(); m++) {
                a[b][m] /= sum;
            }
        }
        return a;
    }

    @ParameterizedTest(name = "slots={0} empty={1} scale={2}")
    @CsvSource({"1, 0, 1.0", "6, 0, 1.0", "6, 2, 1.0", "5, 3, 0.35", "1, 7, 2.0", "9, 0, 0.5"})
    void forwardMatchesTheFormula(int slots, int empty, double scale) {
        Backend be = CpuBackend.float64();
        Operands op = Operands.draw(be, slots, empty, scale, 1.0, slots * 31L + empty);
        Tensor c = be.zeros(B, DV);
        Tensor lse = be.zeros(B);
        be.memoryReadForward(op.read(), c, lse);
        double[][] a = weights(op);
        for (int b = 0; b < B; b++) {
            double sum = empty;
            for (int m = 0; m < slots; m++) {
                double s = 0;
                for (int j = 0; j < DK; j++) {
                    s += op.key(b, m, j) * op.q(b, j);
                }
                sum += Math.exp(scale * s);
            }
            assertEquals(Math.log(sum), lse.get(b), 1e-12, "lse[" + b + "]");
            for (int j = 0; j < DV; j++) {
                double expected = 0;
                for (int m = 0; m < slots; m++) {
                    expected += a[b][m] * op.value(b, m, j);
                }
                assertEquals(expected, c.get(b, j), 1e-12, "c[" + b + ", " + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "slots={0} empty={1} scale={2}")
    @CsvSource({"1, 0, 1.0", "6, 0, 1.0", "6, 2, 1.0", "5, 3, 0.35", "1, 7, 2.0"})
    void backwardMatchesTheFormula(int slots, int empty, double scale) {
        Backend be = CpuBackend.float64();
        Operands op = Operands.draw(be, slots, empty, scale, 1.0, slots * 17L + empty);
        Tensor c = be.zeros(B, DV);
        Tensor lse = be.zeros(B);
        be.memoryReadForward(op.read(), c, lse);
        Tensor dc = uniform(be, 99, 1.0, B, DV);
        Tensor dq = uniform(be, 5, 3.0, (int) op.q().numel());           // garbage: dq overwrites
        Tensor dkv = uniform(be, 6, 3.0, (int) op.kv().numel());         // prior: dK, dV accumulate
        Tensor prior = dkv.copy();
        be.memoryReadBackward(op.read(), c, lse, dc, new Strided(dq, Operands.Q_OFFSET, Operands.Q_STRIDE, 0),
                new Strided(dkv, Operands.KV_OFFSET, op.batchStride(), Operands.SLOT_STRIDE),
                new Strided(dkv, Operands.KV_OFFSET + DK + 1, op.batchStride(), Operands.SLOT_STRIDE));
        double[][] a = weights(op);
        for (int b = 0; b < B; b++) {
            double[] da = new double[slots];
            double mean = 0;
            for (int m = 0; m < slots; m++) {
                for (int j = 0; j < DV; j++) {
                    da[m] += op.value(b, m, j) * dc.get(b, j);
                }
                mean += a[b][m] * da[m];
            }
            for (int j = 0; j < DK; j++) {
                double expected = 0;
                for (int m = 0; m < slots; m++) {
                    expected += scale * a[b][m] * (da[m] - mean) * op.key(b, m, j);
                }
                assertEquals(expected, dq.getFlat(Operands.Q_OFFSET + b * Operands.Q_STRIDE + j), 1e-12, "dq");
            }
            for (int m = 0; m < slots; m++) {
                long k0 = Operands.KV_OFFSET + b * op.batchStride() + m * Operands.SLOT_STRIDE;
                for (int j = 0; j < DK; j++) {
                    double expected = prior.getFlat(k0 + j) + scale * a[b][m] * (da[m] - mean) * op.q(b, j);
                    assertEquals(expected, dkv.getFlat(k0 + j), 1e-12, "dKeys");
                }
                for (int j = 0; j < DV; j++) {
                    double expected = prior.getFlat(k0 + DK + 1 + j) + a[b][m] * dc.get(b, j);
                    assertEquals(expected, dkv.getFlat(k0 + DK + 1 + j), 1e-12, "dValues");
                }
            }
        }
    }

    /**
     * L = ⟨c, R⟩ perturbed through every element of the q and key-value tensors, padding included: the
     * analytic gradient there must be zero (nothing is read or written outside the views).
     */
    @ParameterizedTest(name = "slots={0} empty={1} scale={2}")
    @CsvSource({"1, 0, 1.0", "4, 0, 1.0", "4, 3, 0.7", "3, 1, 1.5"})
    void backwardMatchesFiniteDifferences(int slots, int empty, double scale) {
        Backend be = CpuBackend.float64();
        Operands op = Operands.draw(be, slots, empty, scale, 1.0, slots * 13L + empty);
        Tensor r = uniform(be, 77, 1.0, B, DV);
        Tensor c = be.zeros(B, DV);
        Tensor lse = be.zeros(B);
        be.memoryReadForward(op.read(), c, lse);
        Tensor dq = be.zeros((int) op.q().numel());
        Tensor dkv = be.zeros((int) op.kv().numel());
        be.memoryReadBackward(op.read(), c, lse, r, new Strided(dq, Operands.Q_OFFSET, Operands.Q_STRIDE, 0),
                new Strided(dkv, Operands.KV_OFFSET, op.batchStride(), Operands.SLOT_STRIDE),
                new Strided(dkv, Operands.KV_OFFSET + DK + 1, op.batchStride(), Operands.SLOT_STRIDE));
        java.util.function.DoubleSupplier loss = () -> {
            Tensor cc = be.zeros(B, DV);
            be.memoryReadForward(op.read(), cc, be.zeros(B));
            double l = 0;
            for (long i = 0; i < cc.numel(); i++) {
                l += cc.getFlat(i) * r.getFlat(i);
            }
            return l;
        };
        assertNull(FiniteDifferences.compare("q", op.q(), dq, loss));
        assertNull(FiniteDifferences.compare("keys and values", op.kv(), dkv, loss));
    }

    @Test
    void noSlotsReadsZeroAndLseIsLogOfTheEmptyCount() {
        for (Backend be : new Backend[] {CpuBackend.float32(), CpuBackend.float64()}) {
            Operands op = Operands.draw(be, 0, 3, 1.0, 1.0, 3);
            Tensor c = uniform(be, 8, 1.0, B, DV);
            Tensor lse = be.zeros(B);
            be.memoryReadForward(op.read(), c, lse);
            for (int b = 0; b < B; b++) {
                assertEquals(Math.log(3), lse.get(b), 1e-6);
                for (int j = 0; j < DV; j++) {
                    assertEquals(0.0, c.get(b, j));
                }
            }
        }
    }

    @Test
    void noSlotsAtAllGivesMinusInfinityAndNoGradient() {
        Backend be = CpuBackend.float64();
        Operands op = Operands.draw(be, 0, 0, 1.0, 1.0, 4);
        Tensor c = uniform(be, 8, 1.0, B, DV);
        Tensor lse = be.zeros(B);
        be.memoryReadForward(op.read(), c, lse);
        Tensor dq = uniform(be, 9, 1.0, (int) op.q().numel());
        Tensor dkv = uniform(be, 10, 1.0, (int) op.kv().numel());
        Tensor prior = dkv.copy();
        Tensor dqPrior = dq.copy();
        be.memoryReadBackward(op.read(), c, lse, uniform(be, 11, 1.0, B, DV),
                new Strided(dq, Operands.Q_OFFSET, Operands.Q_STRIDE, 0),
                new Strided(dkv, Operands.KV_OFFSET, op.batchStride(), Operands.SLOT_STRIDE),
                new Strided(dkv, Operands.KV_OFFSET + DK + 1, op.batchStride(), Operands.SLOT_STRIDE));
        for (int b = 0; b < B; b++) {
            assertEquals(Double.NEGATIVE_INFINITY, lse.get(b));
            for (int j = 0; j < DV; j++) {
                assertEquals(0.0, c.get(b, j));
            }
        }
        for (long i = 0; i < dq.numel(); i++) {
            long row = (i - Operands.Q_OFFSET) / Operands.Q_STRIDE;
            long col = (i - Operands.Q_OFFSET) % Operands.Q_STRIDE;
            boolean inView = i >= Operands.Q_OFFSET && row < B && col < DK;
            assertEquals(inView ? 0.0 : dqPrior.getFlat(i), dq.getFlat(i), "dq element " + i);
        }
        assertEquals(0.0, maxAbsDiff(prior, dkv), "no key or value gradient without slots");
    }

    /** Scores of ±1000 must not overflow: the softmax is shifted by the maximum. */
    @Test
    void largeScoresStayFinite() {
        Backend be = CpuBackend.float32();
        Operands op = Operands.draw(be, 5, 2, 1.0, 20.0, 21);
        Tensor c = be.zeros(B, DV);
        Tensor lse = be.zeros(B);
        be.memoryReadForward(op.read(), c, lse);
        assertEquals(-1, be.firstNonFinite(c));
        assertEquals(-1, be.firstNonFinite(lse));
        assertTrue(maxAbs(lse) > 100, "the case must reach large scores, max |lse| " + maxAbs(lse));
    }

    /** {@link ScoresPastFloatCheck}: scores past 3.4e38 read and differentiate right, in float32 and float64. */
    @Test
    void scoresPastFloatRangeKeepTheirGradients() {
        ScoresPastFloatCheck.run(CpuBackend.float32());
        ScoresPastFloatCheck.run(CpuBackend.float64());
    }

    @Test
    void float32AgreesWithFloat64() {
        Backend f64 = CpuBackend.float64();
        Backend f32 = CpuBackend.float32();
        Operands op64 = Operands.draw(f64, 7, 1, 0.8, 1.0, 40);
        Operands op32 = new Operands(f32.copyOf(op64.q()), f32.copyOf(op64.kv()), 7, 1, 0.8);
        Tensor c64 = f64.zeros(B, DV);
        Tensor c32 = f32.zeros(B, DV);
        f64.memoryReadForward(op64.read(), c64, f64.zeros(B));
        f32.memoryReadForward(op32.read(), c32, f32.zeros(B));
        assertTrue(maxAbsDiff(c32, c64) < 1e-6, "float32 c differs by " + maxAbsDiff(c32, c64));
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        double d = 0;
        for (long i = 0; i < a.numel(); i++) {
            d = Math.max(d, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return d;
    }

    static double maxAbs(Tensor a) {
        double d = 0;
        for (long i = 0; i < a.numel(); i++) {
            d = Math.max(d, Math.abs(a.getFlat(i)));
        }
        return d;
    }
}

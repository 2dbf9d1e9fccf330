package dev.mnemo.nn;

import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;

/**
 * The CPU reference of {@link Backend#memoryReadForward} and {@link Backend#memoryReadBackward}.
 *
 * <p>Each batch row is independent, so rows run in parallel (fork-join, when large enough); within a
 * row every sum runs over the slots in order and is accumulated in double, so the result does not
 * depend on the threads. Scores are recomputed in the backward pass instead of saved: the forward
 * keeps only {@code lse}, as the contract says.
 */
final class CpuMemoryRead {

    /** Below this many multiply-adds a read stays on the caller's thread. */
    private static final long PARALLEL_WORK = 1L << 15;

    private CpuMemoryRead() {
    }

    /** Element {@code (b, m, j)} of a strided operand, as an index into its base's storage. */
    private record View(HostStorage data, long start, long batchStride, long slotStride) {
        static View of(Strided s) {
            return new View(s.base().host(), s.base().offset() + s.offset(), s.batchStride(), s.slotStride());
        }

        int at(int b, int m, int j) {
            return (int) (start + b * batchStride + m * slotStride + j);
        }

        double get(int b, int m, int j) {
            return data.get(at(b, m, j));
        }
    }

    static void forward(MemoryRead read, Tensor c, Tensor lse) {
        View q = View.of(read.q());
        View keys = View.of(read.keys());
        View values = View.of(read.values());
        HostStorage sc = c.host();
        HostStorage sl = lse.host();
        int co = (int) c.offset();
        int lo = (int) lse.offset();
        int slots = read.slots();
        int dk = read.keyWidth();
        int dv = read.valueWidth();
        double scale = read.scale();
        long work = (long) slots * (dk + dv) + dv;
        CpuParallel.forRows(read.batch(), work, PARALLEL_WORK, (b0, b1) -> {
            double[] s = new double[slots];
            double[] acc = new double[dv];
            for (int b = b0; b < b1; b++) {
                double max = scores(q, keys, b, slots, dk, scale, s);
                if (slots + read.emptySlots() == 0) {
                    sl.set(lo + b, Double.NEGATIVE_INFINITY);
                    for (int j = 0; j < dv; j++) {
                        sc.set(co + b * dv + j, 0.0);
                    }
                    continue;
                }
                double logSum = logSumExp(s, slots, read.emptySlots(), max);
                java.util.Arrays.fill(acc, 0.0);
                for (int m = 0; m < slots; m++) {
                    double a = Math.exp(s[m] - logSum);
                    for (int j = 0; j < dv; j++) {
                        acc[j] += a * values.get(b, m, j);
                    }
                }
                sl.set(lo + b, logSum);
                for (int j = 0; j < dv; j++) {
                    sc.set(co + b * dv + j, acc[j]);
                }
            }
        });
    }

    static void backward(MemoryRead read, Tensor c, Tensor lse, Tensor dc, Strided dqAt, Strided dKeysAt,
                         Strided dValuesAt) {
        View q = View.of(read.q());
        View keys = View.of(read.keys());
        View values = View.of(read.values());
        View dq = View.of(dqAt);
        View dKeys = View.of(dKeysAt);
        View dValues = View.of(dValuesAt);
        HostStorage sc = c.host();
        HostStorage sl = lse.host();
        HostStorage sdc = dc.host();
        int co = (int) c.offset();
        int lo = (int) lse.offset();
        int dco = (int) dc.offset();
        int slots = read.slots();
        int dk = read.keyWidth();
        int dv = read.valueWidth();
        double scale = read.scale();
        long work = 2L * slots * (dk + dv) + dv;
        // Rows write disjoint gradient elements (the layer's views are one-to-one in (b, m, j)).
        CpuParallel.forRows(read.batch(), work, PARALLEL_WORK, (b0, b1) -> {
            double[] s = new double[slots];
            double[] dqAcc = new double[dk];
            for (int b = b0; b < b1; b++) {
                java.util.Arrays.fill(dqAcc, 0.0);
                if (slots > 0) {
                    double max = scores(q, keys, b, slots, dk, scale, s);
                    double logSum = sl.get(lo + b);
                    if (logSum == Double.POSITIVE_INFINITY) {
                        // a float32 lse of a score past 3.4e38 rounded to ∞, and every weight exp(s − ∞) to 0: the
                        // gradients came back 0; the scores themselves are finite in double, so sum them again
                        logSum = logSumExp(s, slots, read.emptySlots(), max);
                    }
                    double d = 0;        // D = ⟨c, dc⟩ = Σ_m a[m]·⟨V[m], dc⟩ (empty slots hold zero values)
                    for (int j = 0; j < dv; j++) {
                        d += sc.get(co + b * dv + j) * sdc.get(dco + b * dv + j);
                    }
                    for (int m = 0; m < slots; m++) {
                        double a = Math.exp(s[m] - logSum);
                        double da = 0;
                        for (int j = 0; j < dv; j++) {
                            double g = sdc.get(dco + b * dv + j);
                            da += values.get(b, m, j) * g;
                            int e = dValues.at(b, m, j);
                            dValues.data().set(e, dValues.data().get(e) + a * g);
                        }
                        double ds = a * (da - d);
                        for (int j = 0; j < dk; j++) {
                            dqAcc[j] += ds * keys.get(b, m, j);
                            int e = dKeys.at(b, m, j);
                            dKeys.data().set(e, dKeys.data().get(e) + scale * ds * q.get(b, 0, j));
                        }
                    }
                }
                for (int j = 0; j < dk; j++) {
                    dq.data().set(dq.at(b, 0, j), scale * dqAcc[j]);
                }
            }
        });
    }

    /**
     * {@code s[m] ← scale·⟨keys[b, m, :], q[b, :]⟩} for the filled slots, kept inside double's range (an
     * infinite score made the max ∞ and every weight exp(∞ − ∞) = NaN; the CUDA kernels keep theirs inside
     * float's); returns their maximum (−∞ if none).
     */
    private static double scores(View q, View keys, int b, int slots, int dk, double scale, double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (int m = 0; m < slots; m++) {
            double dot = 0;
            for (int j = 0; j < dk; j++) {
                dot += keys.get(b, m, j) * q.get(b, 0, j);
            }
            double score = scale * dot;
            s[m] = score > Double.MAX_VALUE ? Double.MAX_VALUE : score < -Double.MAX_VALUE ? -Double.MAX_VALUE : score;
            max = Math.max(max, s[m]);
        }
        return max;
    }

    /**
     * log(Σ_m exp(s[m]) + empty·exp(0)) over the filled slots' scores (maximum {@code max}) and {@code empty}
     * slots scoring 0.
     */
    private static double logSumExp(double[] s, int slots, long empty, double max) {
        if (empty > 0) {
            max = Math.max(max, 0.0);   // each empty slot scores 0
        }
        // empty slots only when there are any: with none, max may be below −709, and 0·exp(−max) = 0·∞ = NaN
        double sum = empty > 0 ? empty * Math.exp(-max) : 0.0;
        for (int m = 0; m < slots; m++) {
            sum += Math.exp(s[m] - max);
        }
        return max + Math.log(sum);
    }
}

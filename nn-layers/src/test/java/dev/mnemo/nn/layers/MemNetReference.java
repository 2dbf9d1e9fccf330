package dev.mnemo.nn.layers;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;

/**
 * A slow, obviously-correct MemNet forward in the authors' formulation, for tests only: per batch row
 * the memory is a pair of explicit {@code [M, d]} matrices, shifted up by one row each step with the
 * new key and value appended at the bottom (a FIFO, oldest first), starting as zeros. Plain double
 * loops over the layer's parameters; nothing shared with {@link MemNet} but the parameter values and
 * the documented dropout hash ({@link CpuBackend#dropoutUniform}).
 */
final class MemNetReference {

    private final MemNetOptions o;
    private final double[][] w;      // [S][d_in + S + d_v]
    private final double[] b;        // [S]
    private final double[][] ws;     // [d_out][S]
    private final double[] bs;
    private final double[][] wc;     // [d_out][d_v]
    private final double[] bc;
    private final double[] h0;
    private final double[] c0;

    MemNetReference(MemNet layer) {
        this.o = layer.options();
        var p = layer.parameters();
        this.w = matrix(p.get("qkv.weight"));
        this.b = p.get("qkv.bias").toDoubleArray();
        this.ws = matrix(p.get("state_out.weight"));
        this.bs = p.get("state_out.bias").toDoubleArray();
        this.wc = matrix(p.get("read_out.weight"));
        this.bc = p.get("read_out.bias").toDoubleArray();
        this.h0 = p.get("h0").toDoubleArray();
        this.c0 = p.get("c0").toDoubleArray();
    }

    private static double[][] matrix(Tensor t) {
        double[][] m = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = t.get(i, j);
            }
        }
        return m;
    }

    /**
     * y {@code [T][B][d_out]} for time-major {@code x} {@code [T, B, d_in]}; dropout (when
     * {@code dropout > 0}) with stream {@code seed} from element 0, as a freshly seeded layer in training mode.
     */
    double[][][] forward(Tensor x, boolean dropout, long seed) {
        int steps = x.dim(0);
        int batch = x.dim(1);
        int dk = o.keySize();
        int dv = o.valueSize();
        int s = o.stateSize();
        int slots = o.slots();
        double p = dropout ? o.dropout() : 0.0;
        double[][][] y = new double[steps][batch][o.outputSize()];
        for (int r = 0; r < batch; r++) {
            double[] h = h0.clone();
            double[] c = c0.clone();
            double[][] keys = new double[slots][dk];
            double[][] values = new double[slots][dv];
            int filled = 0;
            for (int t = 0; t < steps; t++) {
                double[] u = new double[o.cellInputSize()];
                for (int i = 0; i < o.inputSize(); i++) {
                    u[i] = x.get(t, r, i);
                }
                for (int j = 0; j < s; j++) {
                    double keep = 1.0;
                    if (p > 0) {
                        long index = (long) t * batch * s + (long) r * s + j;
                        keep = CpuBackend.dropoutUniform(seed, index) >= p ? 1.0 / (1.0 - p) : 0.0;
                    }
                    u[o.inputSize() + j] = Math.max(h[j], 0.0) * keep;
                }
                for (int j = 0; j < dv; j++) {
                    u[o.inputSize() + s + j] = c[j];
                }
                double[] out = affine(w, b, u);
                // read before write, over all M slots (the first M − filled are the zero, empty ones)
                int from = o.maskEmptySlots() ? slots - filled : 0;
                double[] score = new double[slots];
                double max = Double.NEGATIVE_INFINITY;
                for (int m = from; m < slots; m++) {
                    for (int j = 0; j < dk; j++) {
                        score[m] += keys[m][j] * out[j];
                    }
                    score[m] *= o.scale();
                    max = Math.max(max, score[m]);
                }
                double sum = 0;
                for (int m = from; m < slots; m++) {
                    sum += Math.exp(score[m] - max);
                }
                double[] read = new double[dv];
                for (int m = from; m < slots; m++) {
                    double a = Math.exp(score[m] - max) / sum;
                    for (int j = 0; j < dv; j++) {
                        read[j] += a * values[m][j];
                    }
                }
                // shift the FIFO up by one and append (k_t, v_t)
                for (int m = 0; m + 1 < slots; m++) {
                    keys[m] = keys[m + 1];
                    values[m] = values[m + 1];
                }
                keys[slots - 1] = java.util.Arrays.copyOfRange(out, dk, 2 * dk);
                values[slots - 1] = java.util.Arrays.copyOfRange(out, 2 * dk, s);
                filled = Math.min(filled + 1, slots);
                double[] fromState = affine(ws, bs, out);
                double[] fromRead = affine(wc, bc, read);
                for (int i = 0; i < o.outputSize(); i++) {
                    y[t][r][i] = fromState[i] + fromRead[i];
                }
                h = out;
                c = read;
            }
        }
        return y;
    }

    private static double[] affine(double[][] weight, double[] bias, double[] in) {
        double[] out = bias.clone();
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < in.length; j++) {
                out[i] += weight[i][j] * in[j];
            }
        }
        return out;
    }
}

package dev.mnemo.experiments.tasks;

import dev.mnemo.nn.Tensor;

/**
 * One-step-ahead windows over a multivariate series, split in time: the first {@code trainFraction}
 * of the steps for training, the rest for testing, so no test value is ever seen in training.
 * Values are standardised per dimension with the training part's mean and standard deviation.
 *
 * <p>Window {@code k} of a part covers steps {@code s_k … s_k + W − 1} ({@code s_k = k · stride}) as
 * input, and steps {@code s_k + 1 … s_k + W} as target: a one-step-ahead target at every step. The
 * last step of a window, which has seen all W inputs, is where one-step NMSE is measured.
 */
public final class Windows {

    private final int dims;
    private final int window;
    private final float[] train;     // standardised, [steps · dims]
    private final float[] test;
    private final double[] mean;
    private final double[] std;

    /**
     * @param trainFraction share of the steps used for training, in (0, 1)
     * @param window        W, steps per window, ≥ 1
     */
    public Windows(ChaoticSeries series, double trainFraction, int window) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be in (0, 1), got " + trainFraction);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        this.dims = series.dims();
        this.window = window;
        int n = series.length();
        int nTrain = (int) Math.round(n * trainFraction);
        if (nTrain < window + 1 || n - nTrain < window + 1) {
            throw new IllegalArgumentException("a series of " + n + " steps split at " + nTrain + " is too short for "
                    + "windows of " + window + " (each part needs at least " + (window + 1) + " steps)");
        }
        double[] v = series.values();
        mean = new double[dims];
        std = new double[dims];
        for (int d = 0; d < dims; d++) {
            double s = 0;
            for (int t = 0; t < nTrain; t++) {
                s += v[t * dims + d];
            }
            mean[d] = s / nTrain;
            double q = 0;
            for (int t = 0; t < nTrain; t++) {
                double e = v[t * dims + d] - mean[d];
                q += e * e;
            }
            std[d] = Math.sqrt(q / nTrain);
            if (!(std[d] > 0)) {
                throw new IllegalArgumentException("dimension " + d + " of the training part is constant");
            }
        }
        train = standardise(v, 0, nTrain);
        test = standardise(v, nTrain, n);
    }

    private float[] standardise(double[] v, int from, int to) {
        float[] out = new float[(to - from) * dims];
        for (int t = from; t < to; t++) {
            for (int d = 0; d < dims; d++) {
                out[(t - from) * dims + d] = (float) ((v[t * dims + d] - mean[d]) / std[d]);
            }
        }
        return out;
    }

    public int dims() {
        return dims;
    }

    public int window() {
        return window;
    }

    /** Standardised training steps, {@code [steps · dims]} (a copy). */
    public float[] trainValues() {
        return train.clone();
    }

    /** Standardised test steps (a copy). */
    public float[] testValues() {
        return test.clone();
    }

    /** Steps in the training part. */
    public int trainSteps() {
        return train.length / dims;
    }

    /** Steps in the test part. */
    public int testSteps() {
        return test.length / dims;
    }

    /** The number of windows of a part of {@code steps} steps at {@code stride}: 0 when no window (W + 1 steps) fits. */
    public int count(int steps, int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        }
        // guarded: integer division rounds a negative numerator toward zero, which counted 1 window of none
        return steps < window + 1 ? 0 : (steps - window - 1) / stride + 1;
    }

    /** The number of training windows at {@code stride}. */
    public int trainCount(int stride) {
        return count(trainSteps(), stride);
    }

    /** The number of test windows at {@code stride}. */
    public int testCount(int stride) {
        return count(testSteps(), stride);
    }

    /** Inputs {@code [W, B, dims]} of the windows starting at {@code starts} in {@code part}. */
    public Tensor inputs(float[] part, int[] starts) {
        return gather(part, starts, 0);
    }

    /** Targets {@code [W, B, dims]}: each input step's next value. */
    public Tensor targets(float[] part, int[] starts) {
        return gather(part, starts, 1);
    }

    private Tensor gather(float[] part, int[] starts, int shift) {
        int b = starts.length;
        float[] x = new float[window * b * dims];
        for (int k = 0; k < b; k++) {
            int s = starts[k] + shift;
            if (starts[k] < 0 || s + window > part.length / dims) {
                throw new IndexOutOfBoundsException("window at " + starts[k] + " does not fit " + part.length / dims
                        + " steps");
            }
            for (int t = 0; t < window; t++) {
                System.arraycopy(part, (s + t) * dims, x, (t * b + k) * dims, dims);
            }
        }
        return Tensor.of(x, window, b, dims);
    }
}

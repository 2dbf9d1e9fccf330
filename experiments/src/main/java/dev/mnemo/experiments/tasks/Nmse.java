package dev.mnemo.experiments.tasks;

/**
 * Normalised mean squared error, {@code NMSE = MSE / var(target)}, per dimension and averaged over
 * dimensions (so each of Lorenz's x, y, z counts equally). The variance is the population variance
 * of the targets being scored: predicting their mean gives exactly 1, a perfect prediction 0.
 */
public final class Nmse {

    private Nmse() {
    }

    /**
     * @param predicted {@code [n · dims]}
     * @param target    {@code [n · dims]}
     */
    public static double of(double[] predicted, double[] target, int dims) {
        if (predicted.length != target.length || dims < 1 || target.length % dims != 0 || target.length == 0) {
            throw new IllegalArgumentException("predicted and target must be the same non-empty whole number of "
                    + dims + "-value steps, got " + predicted.length + " and " + target.length);
        }
        int n = target.length / dims;
        double total = 0;
        for (int d = 0; d < dims; d++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += target[i * dims + d];
            }
            mean /= n;
            double var = 0;
            double mse = 0;
            for (int i = 0; i < n; i++) {
                double t = target[i * dims + d];
                var += (t - mean) * (t - mean);
                double e = predicted[i * dims + d] - t;
                mse += e * e;
            }
            if (!(var > 0)) {
                throw new IllegalArgumentException("the target's dimension " + d + " is constant: NMSE is undefined");
            }
            total += mse / var;
        }
        return total / dims;
    }

    /** The NMSE of persistence, predicting each step's value as the previous one, over a {@code [n · dims]} series. */
    public static double persistence(double[] series, int dims) {
        int n = series.length / dims;
        double[] predicted = new double[(n - 1) * dims];
        double[] target = new double[(n - 1) * dims];
        System.arraycopy(series, 0, predicted, 0, predicted.length);
        System.arraycopy(series, dims, target, 0, target.length);
        return of(predicted, target, dims);
    }
}

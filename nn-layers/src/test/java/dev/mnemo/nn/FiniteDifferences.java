package dev.mnemo.nn;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * Central differences in float64 against an analytic gradient (PyTorch's gradcheck criterion
 * {@code |analytic − numeric| ≤ ATOL + RTOL·|numeric|}, with much tighter constants: in double with
 * eps = 1e-6 the truncation error is O(eps²) and the rounding error about 1e-16·|L|/eps ≈ 1e-9).
 */
public final class FiniteDifferences {

    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-8;
    public static final double RTOL = 1e-6;

    private FiniteDifferences() {
    }

    /**
     * Perturbs every element of {@code target} by ±EPS, evaluates {@code loss}, restores it, and compares
     * with {@code analytic}.
     *
     * @return null when every element passes, else a line naming the tensor and its worst element
     */
    public static String compare(String name, Tensor target, Tensor analytic, DoubleSupplier loss) {
        if (analytic == null || !Arrays.equals(target.shape(), analytic.shape())) {
            return name + ": analytic gradient has shape "
                    + (analytic == null ? "null" : Tensor.shapeString(analytic.shape()))
                    + ", expected " + Tensor.shapeString(target.shape());
        }
        double worst = 0;
        String worstAt = "";
        for (long i = 0; i < target.numel(); i++) {
            double v = target.getFlat(i);
            target.setFlat(i, v + EPS);
            double lp = loss.getAsDouble();
            target.setFlat(i, v - EPS);
            double lm = loss.getAsDouble();
            target.setFlat(i, v);
            double num = (lp - lm) / (2 * EPS);
            double ana = analytic.getFlat(i);
            double excess = Math.abs(ana - num) / (ATOL + RTOL * Math.abs(num));
            if (!(excess <= worst)) {
                worst = excess;
                worstAt = Arrays.toString(target.unflatIndex(i)) + " analytic " + ana + " numeric " + num;
            }
        }
        return worst > 1 || Double.isNaN(worst)
                ? name + " " + Tensor.shapeString(target.shape()) + ": worst at " + worstAt : null;
    }
}

package dev.mnemo.nn;

/**
 * tanh and the logistic sigmoid for float32 results, as one rational function that the JIT
 * vectorizes: no branch, no table, no {@link Math#exp} (which C2 never vectorizes).
 *
 * <p>{@code tanh(x) ≈ c·P(c²)/Q(c²)} with {@code c} = x clamped to [−11, 11], P of degree 6 and Q of
 * degree 5 in c², Q's coefficients all positive (no pole). The coefficients are our own weighted
 * least-squares fit of the relative error on [0, 12] (Lawson iterations); the approximation rises
 * monotonically up to 11.1, hence the clamp at 11. Evaluated in double, the relative error against
 * tanh is below 1.2e-10 on [−11, 11] (beyond, tanh and the clamped value differ by less than 6e-10),
 * so a result rounded to float32 is the correctly rounded tanh or one ulp from it. The value never
 * reaches ±1 before the rounding, and stays within [−1, 1] after it; tanh(−x) = −tanh(x) exactly.
 *
 * <p>{@code sigmoid(x) = (1 + tanh(x/2)) / 2}: absolute error below 3e-10, and the result lies in
 * (0, 1) before rounding. Relative accuracy is lost below {@value #SIGMOID_EXACT_BELOW} (more than one
 * ulp there, 12 at −10, and a floor of 3e-10 from −22 on), so {@link CpuFloatCells} takes the exact
 * sigmoid there: a closed gate multiplies a state that may be large.
 *
 * <p>Used by the float32 cell kernels ({@link CpuFloatCells}); the float64 backend keeps
 * {@link Math#tanh} and {@link Math#exp}, so the gradient checks in double see the exact functions.
 */
final class Fp32Activations {

    private Fp32Activations() {
    }

    /** Below this the rational sigmoid is more than one ulp off; the float32 cells compute it exactly there. */
    static final double SIGMOID_EXACT_BELOW = -7.5;

    /** |x| beyond which tanh is taken at the clamp (tanh(11) = 1 − 5.6e-10). */
    static final double CLAMP = 11.0;

    private static final double P0 = 9.9999999988370836e-01;
    private static final double P1 = 1.4188376584522805e-01;
    private static final double P2 = 4.5483447373830923e-03;
    private static final double P3 = 4.5772815417575402e-05;
    private static final double P4 = 1.3703518652221336e-07;
    private static final double P5 = 6.5737845420803464e-11;
    private static final double P6 = -1.1844524754425519e-14;
    private static final double Q1 = 4.7521709802250228e-01;
    private static final double Q2 = 2.9620712627101052e-02;
    private static final double Q3 = 5.2531654580621572e-04;
    private static final double Q4 = 2.9633871546884367e-06;
    private static final double Q5 = 4.1552827132472328e-09;

    /** tanh(x) to float32 accuracy (see the class comment); NaN stays NaN. */
    static double tanh(double x) {
        double c = Math.min(Math.max(x, -CLAMP), CLAMP);
        double s = c * c;
        double p = (((((P6 * s + P5) * s + P4) * s + P3) * s + P2) * s + P1) * s + P0;
        double q = ((((Q5 * s + Q4) * s + Q3) * s + Q2) * s + Q1) * s + 1.0;
        return c * p / q;
    }

    /** The logistic sigmoid 1/(1 + e^−x) to float32 accuracy, absolute (see the class comment). */
    static double sigmoid(double x) {
        return 0.5 + 0.5 * tanh(0.5 * x);
    }
}

package dev.mnemo.experiments.tasks;

import java.util.SplittableRandom;

/**
 * The Mackey–Glass delay differential equation
 * <pre>
 *   dx/dt = a·x(t−τ) / (1 + x(t−τ)^10) − b·x(t),      a = 0.2, b = 0.1
 * </pre>
 * chaotic for τ = 17 (mild) and τ = 30 (harder). Integrated with classical RK4 at step {@code dt};
 * the delayed term at the half step, which falls between stored points, is interpolated linearly
 * (this keeps the scheme second order in dt). The history before t = 0 is seeded: 1.2 plus uniform
 * noise in ±0.05 per stored point, so different seeds give different trajectories on the same
 * attractor. The first {@code warmup} time units are discarded, then x is sampled every
 * {@code sampleEvery} time units.
 */
public final class MackeyGlass {

    public static final double A = 0.2;
    public static final double B = 0.1;
    /** Integration step used by {@link #series(double, int, long)}. */
    public static final double DT = 0.1;
    /** Sampling period used by {@link #series(double, int, long)}. */
    public static final double SAMPLE_EVERY = 1.0;
    /** Discarded transient used by {@link #series(double, int, long)}, in time units. */
    public static final double WARMUP = 500.0;

    private MackeyGlass() {
    }

    /** {@code n} samples of the τ series with the default dt, sampling and warm-up. */
    public static double[] series(double tau, int n, long seed) {
        return series(tau, n, seed, DT, SAMPLE_EVERY, WARMUP);
    }

    /**
     * {@code n} samples, one every {@code sampleEvery} time units after {@code warmup} time units.
     *
     * @throws IllegalArgumentException unless τ/dt and sampleEvery/dt are whole numbers and all are positive
     */
    public static double[] series(double tau, int n, long seed, double dt, double sampleEvery, double warmup) {
        return series(tau, n, seed, dt, sampleEvery, warmup, 0.1);
    }

    /** As above with history {@code 1.2 + noise·(u − 0.5)}; noise 0 gives the same history at every dt. */
    static double[] series(double tau, int n, long seed, double dt, double sampleEvery, double warmup, double noise) {
        int delay = wholeSteps("tau", tau, dt);
        int every = wholeSteps("sampleEvery", sampleEvery, dt);
        int skip = warmup == 0 ? 0 : wholeSteps("warmup", warmup, dt);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        long total = (long) skip + (long) (n - 1) * every + 1;
        // ring of the last delay+1 values: x(t − τ) … x(t)
        double[] ring = new double[delay + 1];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < ring.length; i++) {
            ring[i] = 1.2 + noise * (rnd.nextDouble() - 0.5);
        }
        int now = delay;                   // index of x(t) in ring; x(t − τ) is at now + 1 (mod length)
        double[] out = new double[n];
        int written = 0;
        for (long step = 0; step < total; step++) {
            if (step >= skip && (step - skip) % every == 0) {
                out[written++] = ring[now];
            }
            if (step == total - 1) {
                break;
            }
            double x = ring[now];
            double lag0 = ring[(now + 1) % ring.length];           // x(t − τ)
            double lag1 = ring[(now + 2) % ring.length];           // x(t − τ + dt)
            double lagHalf = 0.5 * (lag0 + lag1);                  // x(t − τ + dt/2), interpolated
            double k1 = rate(x, lag0);
            double k2 = rate(x + 0.5 * dt * k1, lagHalf);
            double k3 = rate(x + 0.5 * dt * k2, lagHalf);
            double k4 = rate(x + dt * k3, lag1);
            now = (now + 1) % ring.length;                         // overwrites x(t − τ), no longer needed
            ring[now] = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        return out;
    }

    private static double rate(double x, double lagged) {
        return A * lagged / (1 + Math.pow(lagged, 10)) - B * x;
    }

    static int wholeSteps(String name, double value, double dt) {
        if (!(dt > 0) || !(value > 0)) {
            throw new IllegalArgumentException(name + " and dt must be > 0, got " + value + " and " + dt);
        }
        double steps = value / dt;
        long rounded = Math.round(steps);
        if (Math.abs(steps - rounded) > 1e-9 * Math.max(1, steps) || rounded > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " = " + value + " must be a whole number of steps dt = " + dt);
        }
        return (int) rounded;
    }
}

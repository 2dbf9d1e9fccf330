package dev.mnemo.experiments.tasks;

import java.util.SplittableRandom;

/**
 * The Lorenz system {@code dx/dt = σ(y − x), dy/dt = x(ρ − z) − y, dz/dt = xy − βz} with σ = 10,
 * ρ = 28, β = 8/3, integrated with classical RK4. The start is seeded near (1, 1, 25); the first
 * {@code warmup} time units are discarded so the samples lie on the attractor.
 */
public final class Lorenz {

    public static final double SIGMA = 10;
    public static final double RHO = 28;
    public static final double BETA = 8.0 / 3.0;
    /** Integration step used by {@link #series(int, long)}. */
    public static final double DT = 0.01;
    /** Sampling period used by {@link #series(int, long)}. */
    public static final double SAMPLE_EVERY = 0.05;
    /** Discarded transient used by {@link #series(int, long)}, in time units. */
    public static final double WARMUP = 20.0;

    private Lorenz() {
    }

    /** {@code n} samples (x, y, z interleaved: {@code [n·3]}) with the default dt, sampling and warm-up. */
    public static double[] series(int n, long seed) {
        return series(n, seed, DT, SAMPLE_EVERY, WARMUP);
    }

    /** {@code n} samples of (x, y, z), interleaved, one every {@code sampleEvery} after {@code warmup}. */
    public static double[] series(int n, long seed, double dt, double sampleEvery, double warmup) {
        int every = MackeyGlass.wholeSteps("sampleEvery", sampleEvery, dt);
        int skip = warmup == 0 ? 0 : MackeyGlass.wholeSteps("warmup", warmup, dt);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] s = {1 + rnd.nextDouble() - 0.5, 1 + rnd.nextDouble() - 0.5, 25 + rnd.nextDouble() - 0.5};
        double[] out = new double[3 * n];
        long total = (long) skip + (long) (n - 1) * every + 1;
        int written = 0;
        for (long step = 0; step < total; step++) {
            if (step >= skip && (step - skip) % every == 0) {
                System.arraycopy(s, 0, out, 3 * written++, 3);
            }
            if (step < total - 1) {
                s = rk4(s, dt);
            }
        }
        return out;
    }

    /** One RK4 step of length {@code dt} from state {@code s} (x, y, z). */
    public static double[] rk4(double[] s, double dt) {
        double[] k1 = rate(s);
        double[] k2 = rate(axpy(s, 0.5 * dt, k1));
        double[] k3 = rate(axpy(s, 0.5 * dt, k2));
        double[] k4 = rate(axpy(s, dt, k3));
        double[] next = new double[3];
        for (int i = 0; i < 3; i++) {
            next[i] = s[i] + dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        return next;
    }

    /** The state after integrating for {@code time} with step {@code dt} from {@code s}. */
    public static double[] integrate(double[] s, double time, double dt) {
        int steps = MackeyGlass.wholeSteps("time", time, dt);
        double[] x = s.clone();
        for (int i = 0; i < steps; i++) {
            x = rk4(x, dt);
        }
        return x;
    }

    private static double[] rate(double[] s) {
        return new double[] {SIGMA * (s[1] - s[0]), s[0] * (RHO - s[2]) - s[1], s[0] * s[1] - BETA * s[2]};
    }

    private static double[] axpy(double[] s, double a, double[] k) {
        return new double[] {s[0] + a * k[0], s[1] + a * k[1], s[2] + a * k[2]};
    }
}

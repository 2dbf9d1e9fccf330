package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * Glorot &amp; Bengio (2010), per block: uniform U(−a, a) with {@code a = g·√(6/(fan_in + fan_out))},
 * or normal with {@code std = g·√(2/(fan_in + fan_out))}; fan_in = cols, fan_out = rows of the
 * block. On an H×H block the variance is g²/H, so the spectral radius is ≈ g (circular law).
 * (Applied to a whole stacked 4H×H matrix instead it would be ≈ 0.63·g per block.)
 *
 * @param distribution uniform or normal
 * @param gain         g &gt; 0
 */
public record Xavier(Distribution distribution, double gain) implements BlockInit {

    /** Validates. */
    public Xavier {
        java.util.Objects.requireNonNull(distribution, "distribution");
        if (!(gain > 0) || !Double.isFinite(gain)) {   // an infinite gain fills the weights with ±∞
            throw new IllegalArgumentException("gain must be > 0, got " + gain);
        }
    }

    /** Xavier-uniform with gain 1: the default for input weights. */
    public static Xavier uniform() {
        return new Xavier(Distribution.UNIFORM, 1.0);
    }

    @Override
    public String name() {
        return "xavier";
    }

    @Override
    public String describe() {
        return "xavier-" + distribution.label() + "(gain=" + Sampling.num(gain) + ")";
    }

    @Override
    public boolean squareOnly() {
        return false;
    }

    /** The standard deviation for a {@code rows × cols} block. */
    public double std(int rows, int cols) {
        return gain * Math.sqrt(2.0 / (rows + cols));
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        double std = std(ctx.rows(), ctx.cols());
        return distribution == Distribution.UNIFORM
                ? Sampling.uniform(ctx.rows(), ctx.cols(), Math.sqrt(3.0) * std, rnd)
                : Sampling.gaussian(ctx.rows(), ctx.cols(), std, rnd);
    }
}

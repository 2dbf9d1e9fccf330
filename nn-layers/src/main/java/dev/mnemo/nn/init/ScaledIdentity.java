package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * IRNN (Le, Jaitly &amp; Hinton 2015): {@code W = g·I}, every eigenvalue g. Meant for a ReLU RNN,
 * whose input weights IRNN draws from N(0, 0.001²) ({@link Initializers#irnn}).
 *
 * @param gain g &gt; 0, default 1
 */
public record ScaledIdentity(double gain) implements BlockInit {

    /** Validates. */
    public ScaledIdentity {
        if (!(gain > 0) || !Double.isFinite(gain)) {   // an infinite gain fills the weights with ±∞
            throw new IllegalArgumentException("gain must be > 0, got " + gain);
        }
    }

    @Override
    public String name() {
        return "irnn";
    }

    @Override
    public String describe() {
        return "irnn(W = g·I, gain=" + Sampling.num(gain) + ")";
    }

    @Override
    public boolean squareOnly() {
        return true;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        RecipeChecks.square(this, ctx);
        return Sampling.identity(ctx.rows(), gain);
    }
}

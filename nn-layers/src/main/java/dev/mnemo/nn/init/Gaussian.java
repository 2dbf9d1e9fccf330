package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * N(0, std²) entries: IRNN's input weights (std 0.001).
 *
 * @param std &gt; 0
 */
public record Gaussian(double std) implements BlockInit {

    /** Validates. */
    public Gaussian {
        if (!(std > 0) || !Double.isFinite(std)) {   // an infinite std fills the weights with ±∞
            throw new IllegalArgumentException("std must be > 0, got " + std);
        }
    }

    @Override
    public String name() {
        return "normal";
    }

    @Override
    public String describe() {
        return "normal(std=" + Sampling.num(std) + ")";
    }

    @Override
    public boolean squareOnly() {
        return false;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        return Sampling.gaussian(ctx.rows(), ctx.cols(), std, rnd);
    }
}

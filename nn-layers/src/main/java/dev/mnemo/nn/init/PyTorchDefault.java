package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * PyTorch's default for recurrent layers: U(−1/√H, 1/√H) with H the hidden size (the block's rows),
 * for every weight. The baseline: on an H×H block the spectral radius is ≈ 1/√3 ≈ 0.58.
 */
public record PyTorchDefault() implements BlockInit {

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public String describe() {
        return "pytorch-default(U(−1/√H, 1/√H))";
    }

    @Override
    public boolean squareOnly() {
        return false;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        return Sampling.uniform(ctx.rows(), ctx.cols(), 1.0 / Math.sqrt(ctx.rows()), rnd);
    }
}

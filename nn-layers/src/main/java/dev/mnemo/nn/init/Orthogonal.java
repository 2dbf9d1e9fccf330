package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * Saxe et al. (2014) / PyTorch's {@code orthogonal_}, per block: Q of the QR decomposition of a
 * Gaussian matrix with column signs fixed by diag(R) (so Q is Haar-distributed), times {@code gain}.
 * Square blocks: {@code QᵀQ = g²·I}, every eigenvalue on the circle of radius g.
 *
 * @param gain g &gt; 0
 */
public record Orthogonal(double gain) implements BlockInit {

    /** Validates. */
    public Orthogonal {
        if (!(gain > 0) || !Double.isFinite(gain)) {   // an infinite gain fills the weights with ±∞
            throw new IllegalArgumentException("gain must be > 0, got " + gain);
        }
    }

    @Override
    public String name() {
        return "orthogonal";
    }

    @Override
    public String describe() {
        return "orthogonal(gain=" + Sampling.num(gain) + ")";
    }

    @Override
    public boolean squareOnly() {
        return false;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        double[] q = Sampling.orthogonal(ctx.rows(), ctx.cols(), rnd);
        for (int i = 0; i < q.length; i++) {
            q[i] *= gain;
        }
        return q;
    }
}

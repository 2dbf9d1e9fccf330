package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * The eigen initializer, <b>our reading</b> of Dou &amp; Principe (arXiv 2307.15679), whose recipe is
 * not published: {@code W = V·B·V⁻¹} with B block-diagonal, so W has exactly the spectrum asked for.
 * <ul>
 *   <li>With a {@link Phase.Uniform} phase: ⌊n/2⌋ 2×2 blocks
 *       {@code g·r_k·[[cos θ_k, −sin θ_k], [sin θ_k, cos θ_k]]} (eigenvalues g·r_k·e^{±iθ_k}) and, for
 *       odd n, one real eigenvalue g·r; m = ⌈n/2⌉ moduli are drawn.</li>
 *   <li>With {@link Phase.Zero}: B = g·diag(r_1 … r_n), n real positive eigenvalues, m = n moduli.</li>
 *   <li>V: a random orthogonal Q (default, W = Q·B·Qᵀ is normal) or a random Gaussian matrix
 *       ({@link Basis#RANDOM}).</li>
 * </ul>
 * Draw order from the block's stream: moduli, then angles, then the basis.
 *
 * @param magnitude the moduli r
 * @param phase     the angles θ
 * @param basis     the eigenbasis
 * @param gain      g &gt; 0, multiplies every eigenvalue
 */
public record EigenInit(Magnitude magnitude, Phase phase, Basis basis, double gain) implements BlockInit {

    /** Validates. */
    public EigenInit {
        java.util.Objects.requireNonNull(magnitude, "magnitude");
        java.util.Objects.requireNonNull(phase, "phase");
        java.util.Objects.requireNonNull(basis, "basis");
        if (!(gain > 0) || !Double.isFinite(gain)) {
            throw new IllegalArgumentException("gain must be > 0, got " + gain);
        }
    }

    /** The defaults: |λ| ~ U[0.5, 1], θ ~ U[0, π], orthogonal basis, gain 1. */
    public static EigenInit defaults() {
        return new EigenInit(new Magnitude.Uniform(0.5, 1.0), new Phase.Uniform(Math.PI), Basis.ORTHOGONAL, 1.0);
    }

    /** A matrix and the spectrum it was built with. */
    public record Construction(double[] matrix, double[] re, double[] im) {
    }

    @Override
    public String name() {
        return "eigen";
    }

    @Override
    public String describe() {
        return "eigen(our reading: W = V·B·V⁻¹, B block-diagonal of r·rotation(θ); magnitude=" + magnitude.describe()
                + ", phase=" + phase.describe() + ", basis=" + basis.label() + ", gain=" + Sampling.num(gain) + ")";
    }

    @Override
    public boolean squareOnly() {
        return true;
    }

    @Override
    public double[] sample(BlockContext ctx, SplittableRandom rnd) {
        RecipeChecks.square(this, ctx);
        return construct(ctx.rows(), rnd).matrix();
    }

    /** The n×n matrix and its exact (target) spectrum, drawn from {@code rnd} as {@link #sample} does. */
    public Construction construct(int n, SplittableRandom rnd) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        Modes modes = new Modes(n);
        if (phase instanceof Phase.Uniform u) {
            int pairs = n / 2;
            double[] r = magnitude.draw(pairs + n % 2, rnd);
            double[] theta = new double[pairs];
            for (int k = 0; k < pairs; k++) {
                theta[k] = u.draw(rnd);
            }
            for (int k = 0; k < pairs; k++) {
                modes.pair(gain * r[k], theta[k]);
            }
            if (n % 2 == 1) {
                modes.real(gain * r[pairs]);
            }
        } else {
            double[] r = magnitude.draw(n, rnd);
            for (double x : r) {
                modes.real(gain * x);
            }
        }
        return modes.assemble(basis, rnd);
    }

    /** Builds B mode by mode, then {@code V·B·V⁻¹}: shared with {@link SpectrumMatched}. */
    static final class Modes {
        private final int n;
        private final double[] b;
        private final double[] re;
        private final double[] im;
        private int next;

        Modes(int n) {
            this.n = n;
            this.b = new double[n * n];
            this.re = new double[n];
            this.im = new double[n];
        }

        int free() {
            return n - next;
        }

        /** A 2×2 block r·rotation(θ): eigenvalues r·e^{±iθ}. */
        void pair(double r, double theta) {
            int k = next;
            double x = r * Math.cos(theta);
            double y = r * Math.sin(theta);
            b[k * n + k] = x;
            b[k * n + k + 1] = -y;
            b[(k + 1) * n + k] = y;
            b[(k + 1) * n + k + 1] = x;
            re[k] = x;
            im[k] = y;
            re[k + 1] = x;
            im[k + 1] = -y;
            next += 2;
        }

        /** A 1×1 block: the real eigenvalue {@code value}. */
        void real(double value) {
            int k = next++;
            b[k * n + k] = value;
            re[k] = value;
        }

        Construction assemble(Basis basis, SplittableRandom rnd) {
            if (next != n) {
                throw new IllegalStateException(next + " of " + n + " modes placed");
            }
            double[] w;
            if (basis == Basis.ORTHOGONAL) {
                w = Sampling.similar(Sampling.orthogonal(n, n, rnd), b, n, true);
            } else {
                w = null;
                for (int tries = 0; w == null; tries++) {
                    try {
                        w = Sampling.similar(Sampling.gaussian(n, n, 1.0 / Math.sqrt(n), rnd), b, n, false);
                    } catch (IllegalStateException singular) {
                        if (tries == 8) {
                            throw singular;
                        }
                    }
                }
            }
            // gain·|λ| can overflow though both are finite (1e200 each): the product, or V·B·V⁻¹, came back as ∞
            // and NaN without an error from construct (a layer's apply refused it later)
            for (int k = 0; k < n; k++) {
                if (!Double.isFinite(re[k]) || !Double.isFinite(im[k])) {
                    throw new IllegalArgumentException("eigenvalue " + re[k] + (im[k] < 0 ? " - " : " + ")
                            + Math.abs(im[k]) + "i is not finite: gain × magnitude overflows double");
                }
            }
            for (double x : w) {
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("the " + n + "×" + n + " matrix V·B·V⁻¹ overflows double: "
                            + "its eigenvalues (gain × magnitude) are too large");
                }
            }
            return new Construction(w, re, im);
        }
    }
}

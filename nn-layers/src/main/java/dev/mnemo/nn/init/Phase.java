package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/** How {@link EigenInit} draws the angles θ of its conjugate pairs r·e^{±iθ}. */
public sealed interface Phase permits Phase.Uniform, Phase.Zero {

    /** {@code uniform[0, 3.141592653589793]}, {@code zero}. */
    String describe();

    /** θ ~ U[0, thetaMax], thetaMax in (0, π]: conjugate pairs. */
    record Uniform(double thetaMax) implements Phase {
        /** Validates. */
        public Uniform {
            if (!(thetaMax > 0 && thetaMax <= Math.PI)) {
                throw new IllegalArgumentException("phase uniform needs theta-max in (0, π], got " + thetaMax);
            }
        }

        double draw(SplittableRandom rnd) {
            return thetaMax * rnd.nextDouble();
        }

        @Override
        public String describe() {
            return "uniform[0, " + Sampling.num(thetaMax) + "]";
        }
    }

    /** θ = 0: every eigenvalue real and positive, one independent modulus per eigenvalue. */
    record Zero() implements Phase {
        @Override
        public String describe() {
            return "zero";
        }
    }
}

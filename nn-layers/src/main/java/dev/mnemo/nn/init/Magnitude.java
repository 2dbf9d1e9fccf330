package dev.mnemo.nn.init;

import java.util.SplittableRandom;

/**
 * How {@link EigenInit} draws the moduli r of its m modes (before the gain).
 */
public sealed interface Magnitude permits Magnitude.Uniform, Magnitude.Fixed, Magnitude.Linspace,
        Magnitude.TwoLevel {

    /** m moduli, drawn from {@code rnd} where random. */
    double[] draw(int m, SplittableRandom rnd);

    /** {@code uniform[0.5, 1.0]}, … */
    String describe();

    /** r ~ U[rMin, rMax], independently per mode. */
    record Uniform(double rMin, double rMax) implements Magnitude {
        /** Validates: 0 ≤ rMin ≤ rMax. */
        public Uniform {
            if (!(rMin >= 0 && rMax >= rMin) || !Double.isFinite(rMax)) {
                throw new IllegalArgumentException("magnitude uniform needs 0 <= r-min <= r-max, got r-min " + rMin
                        + ", r-max " + rMax);
            }
        }

        @Override
        public double[] draw(int m, SplittableRandom rnd) {
            double[] r = new double[m];
            for (int k = 0; k < m; k++) {
                r[k] = rMin + (rMax - rMin) * rnd.nextDouble();
            }
            return r;
        }

        @Override
        public String describe() {
            return "uniform[" + Sampling.num(rMin) + ", " + Sampling.num(rMax) + "]";
        }
    }

    /** Every mode has modulus r. */
    record Fixed(double r) implements Magnitude {
        /** Validates: r ≥ 0. */
        public Fixed {
            if (!(r >= 0) || !Double.isFinite(r)) {
                throw new IllegalArgumentException("magnitude fixed needs r >= 0, got " + r);
            }
        }

        @Override
        public double[] draw(int m, SplittableRandom rnd) {
            double[] out = new double[m];
            java.util.Arrays.fill(out, r);
            return out;
        }

        @Override
        public String describe() {
            return "fixed(" + Sampling.num(r) + ")";
        }
    }

    /** Moduli evenly spaced from rMin to rMax, both included (rMin alone when m = 1). */
    record Linspace(double rMin, double rMax) implements Magnitude {
        /** Validates: 0 ≤ rMin ≤ rMax. */
        public Linspace {
            if (!(rMin >= 0 && rMax >= rMin) || !Double.isFinite(rMax)) {
                throw new IllegalArgumentException("magnitude linspace needs 0 <= r-min <= r-max, got r-min " + rMin
                        + ", r-max " + rMax);
            }
        }

        @Override
        public double[] draw(int m, SplittableRandom rnd) {
            double[] r = new double[m];
            for (int k = 0; k < m; k++) {
                r[k] = m == 1 ? rMin : rMin + (rMax - rMin) * k / (m - 1);
            }
            return r;
        }

        @Override
        public String describe() {
            return "linspace[" + Sampling.num(rMin) + ", " + Sampling.num(rMax) + "]";
        }
    }

    /**
     * The two-level "classification" profile (<b>ours</b>): a share of the modes near the unit circle
     * (long memory, for evidence integrated over a whole sequence), the rest at a lower modulus:
     * {@code round(share·m)} modes at {@code high}, the others at {@code low}.
     */
    record TwoLevel(double share, double high, double low) implements Magnitude {
        /** Validates: share in [0, 1], 0 ≤ low, 0 ≤ high. */
        public TwoLevel {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("magnitude two-level needs share in [0, 1], got " + share);
            }
            if (!(high >= 0 && low >= 0) || !Double.isFinite(high) || !Double.isFinite(low)) {
                throw new IllegalArgumentException("magnitude two-level needs high, low >= 0, got high " + high
                        + ", low " + low);
            }
        }

        /** How many of m modes sit at {@code high}. */
        public int highCount(int m) {
            return (int) Math.round(share * m);
        }

        @Override
        public double[] draw(int m, SplittableRandom rnd) {
            double[] r = new double[m];
            int h = highCount(m);
            for (int k = 0; k < m; k++) {
                r[k] = k < h ? high : low;
            }
            return r;
        }

        @Override
        public String describe() {
            return "two-level(share=" + Sampling.num(share) + ", high=" + Sampling.num(high) + ", low="
                    + Sampling.num(low) + ")";
        }
    }
}

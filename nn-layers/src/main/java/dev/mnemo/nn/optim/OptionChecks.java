package dev.mnemo.nn.optim;

/** The range checks of the optimizer options; messages give the rule, then the value. */
final class OptionChecks {

    private OptionChecks() {
    }

    /** Finite and ≥ 0. */
    static double atLeastZero(String name, double v) {
        finite(name, v);
        if (!(v >= 0.0)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
        return v;
    }

    /** Finite and > 0. */
    static double aboveZero(String name, double v) {
        finite(name, v);
        if (!(v > 0.0)) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
        return v;
    }

    /** In [0, 1). */
    static double unitInterval(String name, double v) {
        if (!(v >= 0.0 && v < 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
        }
        return v;
    }

    static double finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, got " + v);
        }
        return v;
    }
}

package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.SplittableRandom;

/** Seeded random test tensors. The base seed is overridable: {@code -Dmnemo.test.seed=…}. */
final class TestData {

    static final long BASE_SEED = Long.getLong("mnemo.test.seed", 20240611L);

    private TestData() {
    }

    /** Uniform in [−scale, scale), seeded by {@code BASE_SEED ^ seed}. */
    static Tensor uniform(Backend backend, long seed, double scale, int... shape) {
        var rnd = new SplittableRandom(BASE_SEED ^ seed);
        Tensor t = Tensor.zeros(backend.dtype(), shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, (2 * rnd.nextDouble() - 1) * scale);
        }
        return t;
    }

    /** Σ a ⊙ b in double. */
    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (long i = 0; i < a.numel(); i++) {
            s += a.getFlat(i) * b.getFlat(i);
        }
        return s;
    }

    /** max |a − b| / max(max |b|, tiny): error relative to the reference's scale. */
    static double relMaxError(Tensor a, Tensor ref) {
        double err = 0;
        double scale = 1e-30;
        for (long i = 0; i < ref.numel(); i++) {
            err = Math.max(err, Math.abs(a.getFlat(i) - ref.getFlat(i)));
            scale = Math.max(scale, Math.abs(ref.getFlat(i)));
        }
        return err / scale;
    }

    /** max |a − b|. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        double err = 0;
        for (long i = 0; i < a.numel(); i++) {
            err = Math.max(err, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return err;
    }
}

package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * Hands a layer's own scratch back to its backend ({@link Backend#release}) as soon as its last use is
 * queued, so device memory serves the next allocation instead of waiting for a collection. Queued work
 * that reads the tensors still runs first. Nulls (scratch a path did not allocate) are skipped.
 */
final class Release {
    private Release() {
    }

    static void all(Backend backend, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                backend.release(t);
            }
        }
    }

    static void all(Backend backend, Iterable<Tensor> tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                backend.release(t);
            }
        }
    }
}

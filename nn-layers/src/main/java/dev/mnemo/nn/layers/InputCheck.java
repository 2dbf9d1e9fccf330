package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;

import java.util.Arrays;

/** The device, element-type and finiteness checks every layer runs on its inputs, before any work. */
final class InputCheck {

    private InputCheck() {
    }

    /**
     * Fails unless {@code t} lives on {@code backend} with its element type, and (when
     * {@code checkFinite}) has no NaN or infinite element.
     */
    static void require(String name, Tensor t, Backend backend, Object owner, boolean checkFinite) {
        if (t.device() != backend.device() || t.dtype() != backend.dtype()) {
            throw new IllegalArgumentException(name + " must be a " + backend.device().label() + " "
                    + backend.dtype().label() + " tensor like the parameters of " + owner + ", got "
                    + t.device().label() + " " + t.dtype().label());
        }
        if (checkFinite) {
            long bad = backend.firstNonFinite(t);
            if (bad >= 0) {
                double v = t.device() == Device.CPU ? t.getFlat(bad) : Double.NaN;
                throw new IllegalArgumentException(name + " must be finite (checkFinite), got " + v + " at "
                        + Arrays.toString(t.unflatIndex(bad)) + " of " + Tensor.shapeString(t.shape()));
            }
        }
    }

    /** {@code [5, 3, 7]}, or {@code null}. */
    static String describe(Tensor t) {
        return t == null ? "null" : Tensor.shapeString(t.shape());
    }
}

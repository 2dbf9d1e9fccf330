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
     * Fails unless {@code t} is not released ({@link Backend#release}), lives on {@code backend} with its
     * element type, and (when {@code checkFinite}) has no NaN or infinite element.
     */
    static void require(String name, Tensor t, Backend backend, Object owner, boolean checkFinite) {
        if (t.storage().released()) {   // an operand deeper in was refused under its own name (src, a, wx)
            throw new IllegalStateException(name + " was released (Backend.release): its device memory may already "
                    + "hold another tensor");
        }
        if (t.device() != backend.device() || t.dtype() != backend.dtype()) {
            throw new IllegalArgumentException(name + " must be a " + backend.device().label() + " "
                    + backend.dtype().label() + " tensor like the parameters of " + owner + ", got "
                    + t.device().label() + " " + t.dtype().label());
        }
        if (checkFinite) {
            long bad = backend.firstNonFinite(t);
            if (bad >= 0) {
                double v = elementAt(t, bad);
                throw new IllegalArgumentException(name + " must be finite (checkFinite), got " + v + " at "
                        + Arrays.toString(t.unflatIndex(bad)) + " of " + Tensor.shapeString(t.shape()));
            }
        }
    }

    /**
     * Element {@code flat} of {@code t}, one element read back from a device: the message says which value
     * it was (an overflow's ∞ was reported as NaN on CUDA).
     */
    private static double elementAt(Tensor t, long flat) {
        if (t.device() == Device.CPU) {
            return t.getFlat(flat);
        }
        int[] at = t.unflatIndex(flat);
        Tensor row = t;
        for (int d = 0; d < at.length - 1; d++) {
            row = row.select(at[d]);
        }
        int last = at.length == 0 ? 0 : at[at.length - 1];
        return (at.length == 0 ? row : row.slice(last, last + 1)).to(Device.CPU).getFlat(0);
    }

    /**
     * checkFinite for a packed pass: {@code sorted} is the caller's tensor moved to the sorted time-major
     * order with its padded steps zeroed, so it is finite exactly when the caller's tensor is at each
     * row's own steps (NaN or ∞ at a padded step is dropped, as PyTorch's packing drops it). A failure
     * names the element in the caller's layout ({@code batchFirst} or time-major) and hands
     * {@code sorted} back to the backend.
     */
    static void requireFiniteSorted(String name, Tensor sorted, Backend backend, PackedLengths packed,
                                    boolean batchFirst) {
        long bad = backend.firstNonFinite(sorted);
        if (bad < 0) {
            return;
        }
        int[] at = sorted.unflatIndex(bad);   // [t, sorted row, feature]
        int row = packed.callerRow(at[1]);
        double v = elementAt(sorted, bad);
        int[] shape = sorted.shape();
        int[] where = batchFirst ? new int[]{row, at[0], at[2]} : new int[]{at[0], row, at[2]};
        int[] callerShape = batchFirst ? new int[]{shape[1], shape[0], shape[2]} : shape;
        backend.release(sorted);
        throw new IllegalArgumentException(name + " must be finite at each row's steps (checkFinite), got " + v
                + " at " + Arrays.toString(where) + " of " + Tensor.shapeString(callerShape) + " (row " + row
                + " has " + packed.length(row) + " steps)");
    }

    /** {@code [5, 3, 7]}, or {@code null}. */
    static String describe(Tensor t) {
        return t == null ? "null" : Tensor.shapeString(t.shape());
    }
}

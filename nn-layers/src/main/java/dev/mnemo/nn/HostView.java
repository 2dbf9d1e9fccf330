package dev.mnemo.nn;

import java.util.Objects;

/**
 * A tensor's heap storage seen from the tensor's first element: {@code get(i)} is element {@code i}
 * of a contiguous tensor. Saves the generic CPU kernels a storage and an offset per operand.
 */
record HostView(HostStorage storage, int base) {

    static HostView of(Tensor t) {
        Objects.requireNonNull(t, "tensor");
        return new HostView(t.host(), Math.toIntExact(t.offset()));
    }

    /** {@code null} for an absent optional operand (a bias, a tensor inference does not keep). */
    static HostView ofNullable(Tensor t) {
        return t == null ? null : of(t);
    }

    double get(int i) {
        return storage.get(base + i);
    }

    void set(int i, double value) {
        storage.set(base + i, value);
    }
}

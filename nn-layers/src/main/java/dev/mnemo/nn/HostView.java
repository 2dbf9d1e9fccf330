package dev.mnemo.nn;

import java.util.Objects;

/**
 * A tensor's heap storage seen from the tensor's first element: {@code get(i)} is element {@code i}
 * of a contiguous tensor. Saves the generic CPU kernels a storage and an offset per operand.
 */
record HostView(HostStorage storage, int base) {

    static HostView of(String name, Tensor t) {
        Objects.requireNonNull(t, name);
        if (!(t.storage() instanceof HostStorage h)) {   // Tensor.host()'s message named no argument
            throw new IllegalArgumentException(name + " must be a cpu tensor (the CPU backend's device), got " + t
                    + ": copy it with to(Device.CPU) first");
        }
        return new HostView(h, Math.toIntExact(t.offset()));
    }

    /** {@code null} for an absent optional operand (a bias, a tensor inference does not keep). */
    static HostView ofNullable(String name, Tensor t) {
        return t == null ? null : of(name, t);
    }

    double get(int i) {
        return storage.get(base + i);
    }

    void set(int i, double value) {
        storage.set(base + i, value);
    }
}

package dev.mnemo.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major (rightmost dimension fastest) array of {@link DType#FLOAT32} (or, for the CPU
 * reference path, {@link DType#FLOAT64}) elements on a {@link Device}.
 *
 * <p>A tensor is a window {@code [offset, offset + numel)} of a {@link Storage} plus a shape; it is
 * always contiguous. Views share storage and copy nothing: {@link #reshape}, {@link #slice} and
 * {@link #select} along dimension 0. Anything that would need strides (a column block, a transpose)
 * is a copy made by a {@link Backend}. Moving between devices is explicit: {@link #to(Device)}.
 *
 * <p>Element accessors ({@link #get}, {@link #set}, {@link #toFloatArray()}) are for tests, I/O and
 * small host-side work; they need a CPU tensor. Not thread-safe for concurrent writes.
 */
public final class Tensor {

    private final Storage storage;
    private final long offset;
    private final int[] shape;
    private final long numel;

    private Tensor(Storage storage, long offset, int[] shape) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.numel = count(shape);
        // numel > length − offset, not offset + numel > length: that sum wrapped and let Long.MAX_VALUE in
        if (offset < 0 || numel > storage.length() - offset) {
            throw new IllegalArgumentException("a tensor of shape " + shapeString(shape) + " at offset "
                    + offset + " does not fit a storage of " + storage.length() + " elements");
        }
    }

    /**
     * A view of {@code storage} starting at {@code offset}: how backends make tensors over their own
     * storage.
     */
    public static Tensor wrap(Storage storage, long offset, int... shape) {
        return new Tensor(Objects.requireNonNull(storage, "storage"), offset, checkedShape(shape));
    }

    /** A zero-filled float32 CPU tensor. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** A zero-filled CPU tensor of the given element type. */
    public static Tensor zeros(DType dtype, int... shape) {
        int[] s = checkedShape(shape);
        long n = count(s);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a CPU tensor holds at most " + (Integer.MAX_VALUE - 8)
                    + " elements, shape " + shapeString(s) + " has " + n);
        }
        return new Tensor(HostStorage.allocate(dtype, (int) n), 0, s);
    }

    /** A float32 CPU tensor holding a copy of {@code data}, which must have exactly numel elements. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = checkedShape(shape);
        requireLength(data.length, s);
        return new Tensor(new HostStorage.Floats(data.clone()), 0, s);
    }

    /** A float64 CPU tensor holding a copy of {@code data}, which must have exactly numel elements. */
    public static Tensor of(double[] data, int... shape) {
        int[] s = checkedShape(shape);
        requireLength(data.length, s);
        return new Tensor(new HostStorage.Doubles(data.clone()), 0, s);
    }

    // ---- description ----

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Size of dimension {@code d}; negative {@code d} counts from the end.
     *
     * @throws IllegalArgumentException unless {@code -rank() <= d < rank()}
     */
    public int dim(int d) {
        if (d < -shape.length || d >= shape.length) {
            throw new IllegalArgumentException("dimension must be in [" + -shape.length + ", " + shape.length
                    + ") for shape " + shapeString(shape) + ", got " + d);
        }
        return shape[d < 0 ? shape.length + d : d];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    /** The storage this tensor views (for backends). */
    public Storage storage() {
        return storage;
    }

    /** Index of this tensor's first element in its storage (for backends). */
    public long offset() {
        return offset;
    }

    /** Whether the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** Whether {@code other} views the same storage (views share, copies do not). */
    public boolean sharesStorageWith(Tensor other) {
        return storage == other.storage;
    }

    // ---- views ----

    /**
     * The same elements under another shape, no copy. One dimension may be {@code -1}: it is inferred.
     */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape of " + shapeString(shape) + " to "
                        + Arrays.toString(newShape) + ": sizes must be >= 0 with at most one -1");
            } else {
                // saturates instead of wrapping (a wrapped product could divide numel); a later 0 still gives 0
                known = s[i] != 0 && known > Long.MAX_VALUE / s[i] ? Long.MAX_VALUE : known * s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0 || numel / known > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("reshape of " + shapeString(shape) + " (" + numel
                        + " elements) to " + Arrays.toString(newShape) + ": -1 cannot be inferred");
            }
            s[infer] = (int) (numel / known);
        }
        if (count(s) != numel) {
            throw new IllegalArgumentException("reshape of " + shapeString(shape) + " (" + numel
                    + " elements) to " + shapeString(s) + " (" + count(s) + " elements)");
        }
        return new Tensor(storage, offset, s);
    }

    /** Rows {@code [from, to)} along dimension 0, no copy. */
    public Tensor slice(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of dimension 0 of "
                    + shapeString(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(storage, offset + (long) from * rowSize(), s);
    }

    /** Row {@code i} along dimension 0 with that dimension dropped, no copy. */
    public Tensor select(int i) {
        if (shape.length == 0 || i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("index " + i + " of dimension 0 of " + shapeString(shape));
        }
        return new Tensor(storage, offset + (long) i * rowSize(), Arrays.copyOfRange(shape, 1, shape.length));
    }

    private long rowSize() {
        // with no rows the only view is at row 0, so any size serves; counting the others could overflow
        return shape[0] == 0 ? 0 : numel / shape[0];
    }

    // ---- devices and copies ----

    /**
     * This tensor on {@code device}: itself when already there, else a copy made by that device's
     * backend ({@link Backend#of(Device)}).
     */
    public Tensor to(Device device) {
        if (device == device()) {
            return this;
        }
        return Backend.of(device).copyOf(this);
    }

    /** A copy with its own storage, on the same device with the same element type. */
    public Tensor copy() {
        if (device() != Device.CPU) {
            return Backend.of(this).copyOf(this);
        }
        Tensor t = zeros(dtype(), shape);
        t.copyFrom(this);
        return t;
    }

    /**
     * Copies {@code src}'s elements into this tensor (CPU tensors, same numel; the element type is
     * converted, float64 to float32 rounding to nearest).
     */
    public void copyFrom(Tensor src) {
        if (src.numel != numel) {
            throw new IllegalArgumentException("copy of " + src.numel + " elements " + shapeString(src.shape)
                    + " into " + numel + " elements " + shapeString(shape));
        }
        HostStorage from = src.host();
        HostStorage to = host();
        to.recordWrite();
        if (from instanceof HostStorage.Floats f && to instanceof HostStorage.Floats t) {
            System.arraycopy(f.data, (int) src.offset, t.data, (int) offset, (int) numel);
        } else if (from instanceof HostStorage.Doubles f && to instanceof HostStorage.Doubles t) {
            System.arraycopy(f.data, (int) src.offset, t.data, (int) offset, (int) numel);
        } else {
            for (int i = 0; i < numel; i++) {
                to.set((int) offset + i, from.get((int) src.offset + i));
            }
        }
    }

    /** The elements as a new float array (float64 rounds). CPU only. */
    public float[] toFloatArray() {
        float[] out = new float[(int) numel];
        HostStorage h = host();
        if (h instanceof HostStorage.Floats f) {   // the bits as stored (a trip through double quiets a signalling NaN)
            System.arraycopy(f.data, (int) offset, out, 0, out.length);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) h.get((int) offset + i);
        }
        return out;
    }

    /** The elements as a new double array. CPU only. */
    public double[] toDoubleArray() {
        double[] out = new double[(int) numel];
        int from = (int) offset;
        switch (host()) {      // straight from the array: a bulk copy, no call per element
            case HostStorage.Doubles d -> System.arraycopy(d.data, from, out, 0, out.length);
            case HostStorage.Floats f -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = f.data[from + i];
                }
            }
        }
        return out;
    }

    // ---- element access (CPU) ----

    /** The element at {@code index} (one index per dimension). CPU only. */
    public double get(int... index) {
        return host().get((int) (offset + flatIndex(index)));
    }

    /** Sets the element at {@code index} (float32 rounds). CPU only. */
    public void set(double value, int... index) {
        HostStorage h = host();
        h.recordWrite();
        h.set((int) (offset + flatIndex(index)), value);
    }

    /** The element at flat (row-major) position {@code i}. CPU only. */
    public double getFlat(long i) {
        Objects.checkIndex(i, numel);
        return host().get((int) (offset + i));
    }

    /** Sets the element at flat (row-major) position {@code i}. CPU only. */
    public void setFlat(long i, double value) {
        Objects.checkIndex(i, numel);
        HostStorage h = host();
        h.recordWrite();
        h.set((int) (offset + i), value);
    }

    /** Sets every element to {@code value}. CPU only. */
    public void fill(double value) {
        HostStorage h = host();
        h.recordWrite();
        for (int i = 0; i < numel; i++) {
            h.set((int) offset + i, value);
        }
    }

    /** Row-major position of {@code index}. */
    public long flatIndex(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " dimensions, tensor " + shapeString(shape) + " has " + shape.length);
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + Objects.checkIndex(index[d], shape[d]);
        }
        return flat;
    }

    /** The multi-index of row-major position {@code flat}. */
    public int[] unflatIndex(long flat) {
        Objects.checkIndex(flat, numel);   // past the end wrapped to [0, 0]; a zero-size shape divided by 0
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = (int) (flat % shape[d]);
            flat /= shape[d];
        }
        return index;
    }

    HostStorage host() {
        if (storage instanceof HostStorage h) {
            return h;
        }
        throw new IllegalStateException("element access needs a cpu tensor, this one is on "
                + device().label() + "; copy it with to(Device.CPU) first");
    }

    // ---- shapes ----

    /** {@code [5, 3, 7]}. */
    public static String shapeString(int... shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(']').toString();
    }

    private static int[] checkedShape(int[] shape) {
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("sizes must be >= 0, got shape " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    /**
     * The element count: 0 when any size is 0 (however large the others).
     *
     * @throws IllegalArgumentException when it passes {@link Long#MAX_VALUE}
     */
    private static long count(int[] shape) {
        for (int s : shape) {
            if (s == 0) {
                return 0;
            }
        }
        long n = 1;
        for (int s : shape) {
            if (n > Long.MAX_VALUE / s) {   // sizes are >= 0 here (checkedShape, reshape)
                throw new IllegalArgumentException("shape " + shapeString(shape) + " has more than " + Long.MAX_VALUE
                        + " elements");
            }
            n *= s;
        }
        return n;
    }

    private static void requireLength(int length, int[] shape) {
        if (length != count(shape)) {
            throw new IllegalArgumentException("data has " + length + " elements, shape " + shapeString(shape)
                    + " needs " + count(shape));
        }
    }

    /** {@code Tensor[5, 3, 8] float32 cpu}. */
    @Override
    public String toString() {
        return "Tensor" + shapeString(shape) + " " + dtype().label() + " " + device().label();
    }
}

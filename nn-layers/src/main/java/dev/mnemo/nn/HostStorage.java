package dev.mnemo.nn;

/**
 * Heap storage: a {@code float[]} or a {@code double[]}.
 *
 * <p>Element access goes through {@link #get}/{@link #set} in double precision so that the CPU cell
 * kernels are written once for both element types (see {@link CpuBackend}); the two final subclasses
 * keep those call sites bimorphic, which the JIT inlines. GEMM works on the raw arrays instead.
 */
abstract sealed class HostStorage implements Storage permits HostStorage.Floats, HostStorage.Doubles {

    static HostStorage allocate(DType dtype, int length) {
        return switch (dtype) {
            case FLOAT32 -> new Floats(new float[length]);
            case FLOAT64 -> new Doubles(new double[length]);
        };
    }

    private long version;

    abstract double get(int index);

    abstract void set(int index, double value);

    @Override
    public final long version() {
        return version;
    }

    @Override
    public final void recordWrite() {
        version++;
    }

    @Override
    public final Device device() {
        return Device.CPU;
    }

    static final class Floats extends HostStorage {
        final float[] data;

        Floats(float[] data) {
            this.data = data;
        }

        @Override
        double get(int index) {
            return data[index];
        }

        @Override
        void set(int index, double value) {
            data[index] = (float) value;
        }

        @Override
        public DType dtype() {
            return DType.FLOAT32;
        }

        @Override
        public long length() {
            return data.length;
        }
    }

    static final class Doubles extends HostStorage {
        final double[] data;

        Doubles(double[] data) {
            this.data = data;
        }

        @Override
        double get(int index) {
            return data[index];
        }

        @Override
        void set(int index, double value) {
            data[index] = value;
        }

        @Override
        public DType dtype() {
            return DType.FLOAT64;
        }

        @Override
        public long length() {
            return data.length;
        }
    }
}

package dev.mnemo.cuda;

/**
 * Size rules for the dense routines, checked in Java before cuBLAS or cuSOLVER sees a pointer,
 * so an undersized buffer is an {@link IllegalArgumentException} that names the operand instead
 * of a device fault. All matrices are row-major with a leading dimension (row stride) in elements.
 */
final class MatrixChecks {
    private MatrixChecks() {
    }

    static void nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    /**
     * Checks operand {@code name} whose op(X) is {@code rows x cols}: stored as is for
     * {@link Transpose#NONE}, as the transpose otherwise; returns the elements one matrix spans.
     */
    static long matrix(String name, DeviceMemory buffer, int elementBytes, Transpose op,
                       int rows, int cols, int ld) {
        int storedRows = op == Transpose.NONE ? rows : cols;
        int storedCols = op == Transpose.NONE ? cols : rows;
        if (ld < Math.max(1, storedCols)) {
            throw new IllegalArgumentException("ld" + name + " must be >= " + Math.max(1, storedCols)
                    + " (" + name + " stored " + storedRows + " x " + storedCols + ", row-major), got " + ld);
        }
        long span = storedRows == 0 || storedCols == 0 ? 0 : (long) (storedRows - 1) * ld + storedCols;
        capacity(name, buffer, elementBytes, span, () -> storedRows + " x " + storedCols + ", ld " + ld);
        return span;
    }

    /**
     * Checks a batch of {@code batch} matrices {@code stride} elements apart, each spanning
     * {@code span}; outputs must not overlap (inputs may, a stride of 0 broadcasts one matrix).
     */
    static void batch(String name, DeviceMemory buffer, int elementBytes, long span, long stride, int batch,
                      boolean output) {
        nonNegative("stride" + name, stride);
        if (output && batch > 1 && stride < span) {
            throw new IllegalArgumentException("stride" + name + " must be >= " + span
                    + " (one output matrix, no overlap), got " + stride);
        }
        long total = batch == 0 || span == 0 ? 0 : (batch - 1) * stride + span;
        capacity(name, buffer, elementBytes, total, () -> batch + " matrices, stride " + stride);
    }

    /**
     * Checks that {@code buffer} holds {@code elements} elements; {@code shape} describes them in the
     * message, made only on failure (every GEMM call passes here).
     */
    static void capacity(String name, DeviceMemory buffer, int elementBytes, long elements,
                         java.util.function.Supplier<String> shape) {
        long have = buffer.byteSize() / elementBytes;
        if (elements > have) {
            throw new IllegalArgumentException(name + " must hold >= " + elements + " "
                    + (elementBytes == Float.BYTES ? "floats" : "doubles") + " (" + shape.get() + "), got "
                    + buffer.describe() + " = " + have);
        }
    }
}

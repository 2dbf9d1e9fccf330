package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;

/** The size rules of the header, checked before any launch, with messages "rule, then value". */
final class LaunchChecks {
    private LaunchChecks() {
    }

    /** An element count: {@code n >= 0}. */
    static void count(String name, long n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + n);
        }
    }

    /** {@code n <= buffer's capacity}: "n must be <= x's capacity (256 floats), got 300". */
    static void fits(String countName, long n, String bufferName, DeviceMemory buffer) {
        long capacity = buffer.floatCapacity();
        if (n > capacity) {
            throw new IllegalArgumentException(countName + " must be <= " + bufferName + "'s capacity ("
                    + capacity + " floats), got " + n);
        }
    }

    /** A buffer must hold at least {@code needed} floats: "partials must hold >= 4 floats (partialsCount(n)), got 2". */
    static void holds(String bufferName, DeviceMemory buffer, long needed, String why) {
        long capacity = buffer.floatCapacity();
        if (capacity < needed) {
            throw new IllegalArgumentException(bufferName + " must hold >= " + needed + " floats (" + why
                    + "), got " + capacity);
        }
    }

    /** A buffer must hold at least {@code needed} doubles: "partials must hold >= 4 doubles (blocks), got 2". */
    static void holdsDoubles(String bufferName, DeviceMemory buffer, long needed, String why) {
        long capacity = buffer.doubleCapacity();
        if (capacity < needed) {
            throw new IllegalArgumentException(bufferName + " must hold >= " + needed + " doubles (" + why
                    + "), got " + capacity);
        }
    }

    /** A device int64 a kernel reads when it runs: at least 8 bytes, 8-byte aligned. */
    static void position(String name, DeviceMemory buffer) {
        holdsDoubles(name, buffer, 1, "one int64");
        if (buffer.address() % Long.BYTES != 0) {
            throw new IllegalArgumentException(name + " must be 8-byte aligned, got address 0x"
                    + Long.toHexString(buffer.address()));
        }
    }

    /** {@code value > 0}; NaN fails too. */
    static void positive(String name, float value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** {@code min <= value <= max}. */
    static void between(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** The first {@code aFloats} of a and {@code bFloats} of b must not overlap. */
    static void disjoint(String aName, DeviceMemory a, long aFloats, String bName, DeviceMemory b, long bFloats) {
        if (aFloats == 0 || bFloats == 0) {
            return;
        }
        long aStart = a.address();
        long bStart = b.address();
        if (aStart < bStart + bFloats * Float.BYTES && bStart < aStart + aFloats * Float.BYTES) {
            throw new IllegalArgumentException(aName + " must not overlap " + bName + ", got " + a.describe()
                    + " and " + b.describe());
        }
    }

    /** ceil(n / block). */
    static long blocksFor(long n, int block) {
        return (n + block - 1) / block;
    }

    /** Threads per block of every recurrent-cell kernel. */
    static final int CELL_BLOCK_THREADS = 256;

    /**
     * The launch every recurrent-cell kernel uses: block 256, one thread per (b, j), grid
     * ceil(B·H / 256), at least 1; B >= 0, H >= 1.
     */
    static LaunchGeometry cellGeometry(long batch, long hidden) {
        count("batch", batch);
        atLeastOne("hidden", hidden);
        long threads;
        try {
            threads = Math.multiplyExact(batch, hidden);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("batch·hidden must fit in 64 bits, got " + batch + "·" + hidden);
        }
        long blocks = Math.max(1, blocksFor(threads, CELL_BLOCK_THREADS));
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch·hidden must be < 2^31·256, got " + threads);
        }
        return LaunchGeometry.linear(blocks, CELL_BLOCK_THREADS);
    }

    /** {@code n >= 1}. */
    static void atLeastOne(String name, long n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + n);
        }
    }

    /** A row stride: {@code ld >= width}. */
    static void stride(String name, long ld, long width) {
        if (ld < width) {
            throw new IllegalArgumentException(name + " must be >= hidden (" + width + "), got " + ld);
        }
    }

    /**
     * The recurrent product in {@code splits} partial planes of {@code plane} floats, {@code stride}
     * apart (the cell forwards' gh): checks {@code splits >= 1} and, for more than one, {@code stride >=
     * plane}; returns the floats spanned, {@code (splits−1)·stride + plane}.
     */
    static long splitSpan(long splits, long stride, long plane) {
        atLeastOne("ghSplits", splits);
        if (splits == 1) {
            return plane;
        }
        if (stride < plane) {
            throw new IllegalArgumentException("ghSplitStride must be >= one partial's " + plane + " floats with "
                    + splits + " partials, got " + stride);
        }
        return Math.addExact(Math.multiplyExact(splits - 1, stride), plane);
    }

    /** Floats spanned by {@code rows} rows of {@code width} at row stride {@code ld}: (rows−1)·ld + width. */
    static long span(long rows, long ld, long width) {
        if (rows == 0 || width == 0) {
            return 0;
        }
        return Math.addExact(Math.multiplyExact(rows - 1, ld), width);
    }

    /** A buffer that may be null (the header's MAY BE NULL): checked only when present. */
    static void holdsIfPresent(String bufferName, DeviceMemory buffer, long needed, String why) {
        if (buffer != null) {
            holds(bufferName, buffer, needed, why);
        }
    }

    /** A buffer the header does not allow to be NULL. */
    static void present(String bufferName, DeviceMemory buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException(bufferName + " must not be null");
        }
    }

    /** As {@link #disjoint}, where either may be null (then there is nothing to overlap). */
    static void disjointIfPresent(String aName, DeviceMemory a, long aFloats, String bName, DeviceMemory b, long bFloats) {
        if (a != null && b != null) {
            disjoint(aName, a, aFloats, bName, b, bFloats);
        }
    }

    /** A 0/1 flag of a params struct. */
    static void flag(String name, int value) {
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException(name + " must be 0 or 1, got " + value);
        }
    }

    /** {@code value >= 0}; NaN fails too. */
    static void atLeastZero(String name, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    /** {@code value > 0}; NaN fails too. */
    static void aboveZero(String name, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** A probability that may be 1: {@code 0 <= value <= 1}; NaN fails too. */
    static void probability(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
    }

    /** {@code 0 <= value < 1}; NaN fails too. */
    static void unitInterval(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
    }

    /** A params struct passed as raw bytes must have the struct's size. */
    static void structSize(String name, java.lang.foreign.MemorySegment segment, java.lang.foreign.MemoryLayout layout) {
        if (segment == null || segment.byteSize() != layout.byteSize()) {
            throw new IllegalArgumentException(name + " must be a " + layout.name().orElse("params struct") + " of "
                    + layout.byteSize() + " bytes, got " + (segment == null ? "null" : segment.byteSize() + " bytes"));
        }
    }

}

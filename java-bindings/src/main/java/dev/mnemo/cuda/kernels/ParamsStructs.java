package dev.mnemo.cuda.kernels;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * How launchers write the header's params structs (passed to a kernel by value): one
 * {@link StructLayout} per struct, named as in C, its members named as the C fields, in C order
 * with C's padding; values are written at the layout's offsets, so the layout is the only place a
 * field's position is stated. Device pointers are 8-byte {@code long}s.
 */
final class ParamsStructs {
    private ParamsStructs() {
    }

    /** An 8-byte device-pointer member. */
    static ValueLayout.OfLong pointer(String name) {
        return ValueLayout.JAVA_LONG.withName(name);
    }

    /** A {@code long long} member. */
    static ValueLayout.OfLong int64(String name) {
        return ValueLayout.JAVA_LONG.withName(name);
    }

    /** A {@code double} member. */
    static ValueLayout.OfDouble float64(String name) {
        return ValueLayout.JAVA_DOUBLE.withName(name);
    }

    /** An {@code int} member. */
    static ValueLayout.OfInt int32(String name) {
        return ValueLayout.JAVA_INT.withName(name);
    }

    /**
     * Member offsets per layout, worked out once: resolving a layout path costs about a microsecond,
     * and a launch reads and writes a struct's fields by name dozens of times (the layouts are
     * constants, so identity is the key).
     */
    private static final Map<StructLayout, Map<String, Long>> OFFSETS =
            Collections.synchronizedMap(new IdentityHashMap<>());

    /**
     * The byte offset of member {@code name}.
     *
     * @throws IllegalArgumentException when the layout has no member of that name
     */
    static long offset(StructLayout layout, String name) {
        Long at = OFFSETS.computeIfAbsent(layout, ParamsStructs::memberOffsets).get(name);
        if (at == null) {
            throw new IllegalArgumentException("no member " + name + " in " + layout);
        }
        return at;
    }

    private static Map<String, Long> memberOffsets(StructLayout layout) {
        Map<String, Long> offsets = new HashMap<>();
        for (MemoryLayout member : layout.memberLayouts()) {
            member.name().ifPresent(n -> offsets.put(n, layout.byteOffset(MemoryLayout.PathElement.groupElement(n))));
        }
        return Map.copyOf(offsets);
    }

    static void putLong(MemorySegment s, StructLayout layout, String name, long value) {
        s.set(ValueLayout.JAVA_LONG, offset(layout, name), value);
    }

    static void putDouble(MemorySegment s, StructLayout layout, String name, double value) {
        s.set(ValueLayout.JAVA_DOUBLE, offset(layout, name), value);
    }

    static void putInt(MemorySegment s, StructLayout layout, String name, int value) {
        s.set(ValueLayout.JAVA_INT, offset(layout, name), value);
    }

    static long getLong(MemorySegment s, StructLayout layout, String name) {
        return s.get(ValueLayout.JAVA_LONG, offset(layout, name));
    }

    static double getDouble(MemorySegment s, StructLayout layout, String name) {
        return s.get(ValueLayout.JAVA_DOUBLE, offset(layout, name));
    }

    static int getInt(MemorySegment s, StructLayout layout, String name) {
        return s.get(ValueLayout.JAVA_INT, offset(layout, name));
    }

    /** A zeroed native segment for one struct, reused by a launcher (its launches copy it). */
    static MemorySegment allocate(StructLayout layout) {
        return java.lang.foreign.Arena.ofAuto().allocate(layout);
    }

    /** The device pointer written into a struct: 0 for null. */
    static long addressOf(dev.mnemo.cuda.DeviceMemory memory) {
        return memory == null ? 0L : memory.address();
    }

    /** Whether two buffers start at the same device address (an exact alias). */
    static boolean sameStart(dev.mnemo.cuda.DeviceMemory a, dev.mnemo.cuda.DeviceMemory b) {
        return a != null && b != null && a.address() == b.address();
    }
}

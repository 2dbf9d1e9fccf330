package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A kernel's C signature as data: the one place a launcher states what {@code mnemo_kernels.h}
 * declares. It builds the {@code void**} argument array for {@code cuLaunchKernel} (checking each
 * argument against its C type), and the header mirror test compares it with the header.
 *
 * @param name the {@code extern "C"} name, e.g. {@code mnemo_tensor_fill_f32}
 * @param parameters in declaration order
 */
public record KernelSignature(String name, List<KernelParameter> parameters) {

    /** Copies the list. */
    public KernelSignature {
        parameters = List.copyOf(parameters);
    }

    /** Shorthand: {@code of("k", p("float*", "x"), p("long long", "n"))}. */
    public static KernelSignature of(String name, KernelParameter... parameters) {
        return new KernelSignature(name, List.of(parameters));
    }

    /**
     * The {@code void**} block for {@code cuLaunchKernel}: one pointer per parameter, each to a
     * copy of the argument's value, all allocated in {@code arena}. Pointer parameters take a
     * {@link DeviceMemory} (its {@link DeviceMemory#address()} is read here, which checks that it
     * is open) or null for a pointer the header allows to be NULL (the launcher decides which);
     * struct parameters take a {@link MemorySegment} with the struct's bytes (copied here); value
     * parameters take the boxed primitive of {@link KernelParameter#javaType()}.
     *
     * @throws IllegalArgumentException when the count or a type does not match
     */
    public MemorySegment pack(Arena arena, Object... arguments) {
        if (arguments.length != parameters.size()) {
            throw new IllegalArgumentException(name + " takes " + parameters.size() + " arguments "
                    + parameters + ", got " + arguments.length);
        }
        MemorySegment block = arena.allocate(ValueLayout.ADDRESS, parameters.size());
        for (int i = 0; i < arguments.length; i++) {
            block.setAtIndex(ValueLayout.ADDRESS, i, value(arena, parameters.get(i), arguments[i], i));
        }
        return block;
    }

    private MemorySegment value(Arena arena, KernelParameter p, Object argument, int index) {
        if (p.isPointer() && argument instanceof DeviceMemory memory) {
            return arena.allocateFrom(ValueLayout.JAVA_LONG, memory.address());
        }
        if (p.isPointer() && argument == null) {
            return arena.allocateFrom(ValueLayout.JAVA_LONG, 0L);
        }
        if (p.isStruct() && argument instanceof MemorySegment struct) {
            MemorySegment copy = arena.allocate(Math.max(1, struct.byteSize()), Long.BYTES);
            return copy.copyFrom(struct);
        }
        Class<?> expected = p.javaType();
        if (expected == long.class && argument instanceof Long v) {
            return arena.allocateFrom(ValueLayout.JAVA_LONG, v);
        }
        if (expected == int.class && argument instanceof Integer v) {
            return arena.allocateFrom(ValueLayout.JAVA_INT, v);
        }
        if (expected == float.class && argument instanceof Float v) {
            return arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
        }
        if (expected == double.class && argument instanceof Double v) {
            return arena.allocateFrom(ValueLayout.JAVA_DOUBLE, v);
        }
        throw new IllegalArgumentException("argument " + index + " (" + p + ") of " + name + " must be "
                + expected.getSimpleName() + ", got " + (argument == null ? "null" : argument.getClass().getSimpleName()));
    }

    @Override
    public String toString() {
        return name + parameters.toString().replace('[', '(').replace(']', ')');
    }
}

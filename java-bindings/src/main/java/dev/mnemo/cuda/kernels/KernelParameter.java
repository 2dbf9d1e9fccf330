package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One parameter of a kernel's C signature, as {@code mnemo_kernels.h} spells it.
 *
 * <p>Three kinds: a device pointer ({@code float*}, passed as {@link DeviceMemory}); a value
 * ({@code long long}, {@code int}, {@code float}, ...; passed as the Java primitive); or one of the
 * header's params structs passed by value ({@code mnemo_..._params}; passed as a
 * {@link MemorySegment} holding the struct's bytes in the header's layout).
 *
 * @param cType the C type with whitespace normalised and {@code *} attached to the type,
 *        e.g. {@code "const float*"}, {@code "long long"}, {@code "float"},
 *        {@code "mnemo_optim_adam_params"}
 * @param name the parameter name, identical in C and Java (the header uses camelCase)
 */
public record KernelParameter(String cType, String name) {
    /** The C value types launchers pass, and the Java type each is passed as. */
    private static final Map<String, Class<?>> VALUE_TYPES = Map.of(
            "int", int.class,
            "unsigned int", int.class,
            "long long", long.class,
            "float", float.class,
            "double", double.class);
    /** The header's params structs, passed by value. */
    private static final Pattern STRUCT = Pattern.compile("mnemo_[a-z0-9_]+_params");

    /** Validates the type. */
    public KernelParameter {
        cType = normalize(cType);
        if (!cType.endsWith("*") && !VALUE_TYPES.containsKey(cType) && !STRUCT.matcher(cType).matches()) {
            throw new IllegalArgumentException("cType must be a pointer, a mnemo_*_params struct or one of "
                    + VALUE_TYPES.keySet() + ", got '" + cType + "'");
        }
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("name must be a C identifier, got '" + name + "'");
        }
    }

    /** Shorthand for the constructor. */
    public static KernelParameter of(String cType, String name) {
        return new KernelParameter(cType, name);
    }

    /** Whether the parameter is a (device) pointer. */
    public boolean isPointer() {
        return cType.endsWith("*");
    }

    /**
     * Whether the parameter is a params struct passed by value. The constructor admitted only the
     * three kinds, so this is what is neither a pointer nor a value type: no pattern match, which every
     * kernel launch asks for every argument.
     */
    public boolean isStruct() {
        return !isPointer() && !VALUE_TYPES.containsKey(cType);
    }

    /**
     * The Java type a launcher takes for it: {@link DeviceMemory} for pointers,
     * {@link MemorySegment} for a struct, else the primitive.
     */
    public Class<?> javaType() {
        return isPointer() ? DeviceMemory.class : isStruct() ? MemorySegment.class : VALUE_TYPES.get(cType);
    }

    /** Collapses whitespace and writes {@code float *} as {@code float*}. */
    public static String normalize(String cType) {
        return cType.trim().replaceAll("\\s+", " ").replaceAll("\\s*\\*", "*");
    }

    @Override
    public String toString() {
        return cType + " " + name;
    }
}

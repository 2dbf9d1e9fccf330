package dev.mnemo.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code CUlaunchConfig} and {@code CUlaunchAttribute} of {@code cuda.h} as FFM layouts, and the one
 * configuration Mnemo builds from them: a launch with a thread-block cluster dimension, for
 * {@code cuLaunchKernelEx} and {@code cuOccupancyMaxActiveClusters} (the only way to launch with
 * clusters when the kernel does not fix its cluster size at compile time).
 *
 * <p>Sizes and offsets are those gcc gives on x86-64 for CUDA 13.0's {@code cuda.h}
 * ({@code LaunchConfigLayoutTest} holds the numbers): the config is 56 bytes (seven
 * {@code unsigned int}s, 4 bytes of padding, the stream and attribute pointers, the count, 4 more
 * of padding); an attribute is 72 bytes (the 4-byte id, 4 bytes of {@code pad}, a 64-byte value
 * union whose {@code clusterDim} is three {@code unsigned int}s at its start).
 */
public final class LaunchConfig {
    /** {@code CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION}. */
    public static final int CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4;
    /** Bytes of {@code CUlaunchAttributeValue} (a union padded to 64). */
    static final long ATTRIBUTE_VALUE_BYTES = 64;

    /** {@code CUlaunchConfig}. */
    public static final StructLayout CONFIG_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("gridDimX"), ValueLayout.JAVA_INT.withName("gridDimY"),
            ValueLayout.JAVA_INT.withName("gridDimZ"), ValueLayout.JAVA_INT.withName("blockDimX"),
            ValueLayout.JAVA_INT.withName("blockDimY"), ValueLayout.JAVA_INT.withName("blockDimZ"),
            ValueLayout.JAVA_INT.withName("sharedMemBytes"), MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("hStream"), ValueLayout.ADDRESS.withName("attrs"),
            ValueLayout.JAVA_INT.withName("numAttrs"), MemoryLayout.paddingLayout(4))
            .withName("CUlaunchConfig");

    /** {@code CUlaunchAttribute}, its value seen as {@code clusterDim} (x, y, z) plus the union's rest. */
    public static final StructLayout ATTRIBUTE_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("id"), MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_INT.withName("clusterDimX"), ValueLayout.JAVA_INT.withName("clusterDimY"),
            ValueLayout.JAVA_INT.withName("clusterDimZ"), MemoryLayout.paddingLayout(ATTRIBUTE_VALUE_BYTES - 12))
            .withByteAlignment(8) // the union has pointer and 64-bit members
            .withName("CUlaunchAttribute");

    private LaunchConfig() {
    }

    /**
     * A {@code CUlaunchConfig} in {@code arena} for {@code geometry} on {@code stream} with one
     * attribute, the cluster dimension ({@code clusterX}, 1, 1); the grid's x must be a multiple of
     * {@code clusterX} (the driver's rule, checked here so the message names the numbers).
     */
    public static MemorySegment withCluster(Arena arena, LaunchGeometry geometry, int clusterX, MemorySegment stream) {
        if (clusterX < 1) {
            throw new IllegalArgumentException("clusterX must be >= 1, got " + clusterX);
        }
        if (geometry.gridX() % clusterX != 0) {
            throw new IllegalArgumentException("gridX must be a multiple of clusterX, got " + geometry.gridX()
                    + " and " + clusterX);
        }
        MemorySegment attribute = arena.allocate(ATTRIBUTE_LAYOUT); // zeroed: pad and the union's rest
        attribute.set(ValueLayout.JAVA_INT, offset(ATTRIBUTE_LAYOUT, "id"), CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);
        attribute.set(ValueLayout.JAVA_INT, offset(ATTRIBUTE_LAYOUT, "clusterDimX"), clusterX);
        attribute.set(ValueLayout.JAVA_INT, offset(ATTRIBUTE_LAYOUT, "clusterDimY"), 1);
        attribute.set(ValueLayout.JAVA_INT, offset(ATTRIBUTE_LAYOUT, "clusterDimZ"), 1);
        MemorySegment config = arena.allocate(CONFIG_LAYOUT);
        putInt(config, "gridDimX", geometry.gridX());
        putInt(config, "gridDimY", geometry.gridY());
        putInt(config, "gridDimZ", geometry.gridZ());
        putInt(config, "blockDimX", geometry.blockX());
        putInt(config, "blockDimY", geometry.blockY());
        putInt(config, "blockDimZ", geometry.blockZ());
        putInt(config, "sharedMemBytes", geometry.sharedMemBytes());
        config.set(ValueLayout.ADDRESS, offset(CONFIG_LAYOUT, "hStream"), stream);
        config.set(ValueLayout.ADDRESS, offset(CONFIG_LAYOUT, "attrs"), attribute);
        putInt(config, "numAttrs", 1);
        return config;
    }

    /** The byte offset of a named member. */
    public static long offset(StructLayout layout, String member) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    private static void putInt(MemorySegment config, String member, int value) {
        config.set(ValueLayout.JAVA_INT, offset(CONFIG_LAYOUT, member), value);
    }
}

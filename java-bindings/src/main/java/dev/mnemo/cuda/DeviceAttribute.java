package dev.mnemo.cuda;

/** The {@code CUdevice_attribute}s Mnemo reads, with their values from {@code cuda.h}. */
public enum DeviceAttribute {
    MAX_THREADS_PER_BLOCK(1),
    MAX_SHARED_MEMORY_PER_BLOCK(8),
    MAX_REGISTERS_PER_BLOCK(12),
    MULTIPROCESSOR_COUNT(16),
    COMPUTE_CAPABILITY_MAJOR(75),
    COMPUTE_CAPABILITY_MINOR(76),
    MAX_SHARED_MEMORY_PER_MULTIPROCESSOR(81),
    MAX_REGISTERS_PER_MULTIPROCESSOR(82),
    COOPERATIVE_LAUNCH(95),
    MAX_SHARED_MEMORY_PER_BLOCK_OPTIN(97);

    private final int nativeValue;

    DeviceAttribute(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value ({@code CU_DEVICE_ATTRIBUTE_*}). */
    public int nativeValue() {
        return nativeValue;
    }
}

package dev.mnemo.cuda;

/** The {@code CUfunction_attribute}s Mnemo reads or sets, with their values from {@code cuda.h}. */
public enum FunctionAttribute {
    MAX_THREADS_PER_BLOCK(0),
    SHARED_SIZE_BYTES(1),
    LOCAL_SIZE_BYTES(3),
    NUM_REGS(4),
    /** Settable: the most dynamic shared memory a launch may ask for (default 48 KiB). */
    MAX_DYNAMIC_SHARED_SIZE_BYTES(8),
    /** Settable (sm_90+): 1 lets launches use clusters above the portable size 8 (up to 16 on an H100). */
    NON_PORTABLE_CLUSTER_SIZE_ALLOWED(14);

    private final int nativeValue;

    FunctionAttribute(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value ({@code CU_FUNC_ATTRIBUTE_*}). */
    public int nativeValue() {
        return nativeValue;
    }
}

package dev.mnemo.jcuda;

/**
 * The few driver questions the interop's checks ask, as raw values: JCuda answers them on a GPU
 * machine ({@link JCudaQueries}); tests answer them without one.
 */
interface DriverQueries {

    /** Device {@code ordinal}'s primary context (retained and released again: Mnemo holds it). */
    long primaryContext(int ordinal);

    /** The context stream {@code stream} belongs to ({@code cuStreamGetCtx}; 0: the legacy default stream's, the current one). */
    long streamContext(long stream);

    /**
     * Where device address {@code address} lives, or null when the driver does not know it as
     * device memory (host memory, freed memory, a made-up value).
     */
    Allocation allocation(long address);

    /**
     * An allocation as the driver sees it.
     *
     * @param context the context it was made in ({@code CU_POINTER_ATTRIBUTE_CONTEXT}); 0 when the
     *                driver names none (stream-ordered pool and virtual-memory allocations)
     * @param device  the device ordinal it lives on ({@code CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL})
     * @param base    its first byte ({@code cuMemGetAddressRange})
     * @param size    its size in bytes; {@link #UNKNOWN_SIZE} when the driver gives no range
     */
    record Allocation(long context, int device, long base, long size) {
        /** The driver knows the pointer but reports no allocation range for it. */
        static final long UNKNOWN_SIZE = -1;
    }
}

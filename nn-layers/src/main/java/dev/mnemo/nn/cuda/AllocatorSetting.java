package dev.mnemo.nn.cuda;

/**
 * The CUDA backend's allocator, from the system property {@value #PROPERTY}, read when the runtime
 * starts: {@code caching} (the default; freed blocks are reused, see {@link CachingAllocator}) or
 * {@code direct} ({@code cuMemAlloc} and {@code cuMemFree} per tensor, for compute-sanitizer, which
 * checks accesses against the exact allocation).
 */
public final class AllocatorSetting {
    /** The system property that picks the allocator. */
    public static final String PROPERTY = "mnemo.cuda.allocator";

    private AllocatorSetting() {
    }

    /** {@code caching} or {@code direct} (case-insensitive, surrounding blanks ignored). */
    public static boolean parseCaching(String text) {
        return TwoWayProperty.parse(PROPERTY, "caching", "direct", text);
    }

    /** Whether the system property {@value #PROPERTY} says {@code caching} (true when unset). */
    public static boolean configuredCaching() {
        return TwoWayProperty.read(PROPERTY, "caching", "direct", true);
    }
}

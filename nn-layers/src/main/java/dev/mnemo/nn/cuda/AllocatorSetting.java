package dev.mnemo.nn.cuda;

import java.util.Locale;

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

    /** Whether {@code text} ({@code caching} or {@code direct}, case-insensitive) asks for caching. */
    public static boolean parseCaching(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "caching" -> true;
            case "direct" -> false;
            default -> throw new IllegalArgumentException(PROPERTY + " must be caching or direct, got '" + text + "'");
        };
    }

    /** Whether the system property {@value #PROPERTY} asks for caching; true when unset. */
    public static boolean configuredCaching() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() || parseCaching(value);
    }
}

package dev.mnemo.nn.cuda;

import java.util.Locale;

/**
 * Which persistent kernels {@link PersistentPolicy} may pick: the cluster variants (sm_90+: one
 * thread-block-cluster barrier per step, the step's exchange in distributed shared memory), the
 * cooperative grid kernels (a grid-wide barrier per step, exchange through L2), or either, the
 * cluster one first. Read from the system property {@value #PROPERTY} ({@code auto},
 * {@code cluster}, {@code grid}; default {@code auto}), so a benchmark can measure both side by side.
 */
public enum PersistentVariant {
    AUTO, CLUSTER, GRID;

    /** The system property that restricts the variant. */
    public static final String PROPERTY = "mnemo.persistent.variant";

    /** {@code auto}, {@code cluster} or {@code grid} (case-insensitive). */
    public static PersistentVariant parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "cluster" -> CLUSTER;
            case "grid", "cooperative" -> GRID;
            default -> throw new IllegalArgumentException(PROPERTY + " must be auto, cluster or grid, got '" + text
                    + "'");
        };
    }

    /** The variant the system property {@value #PROPERTY} names, {@link #AUTO} when unset. */
    public static PersistentVariant configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : parse(value);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

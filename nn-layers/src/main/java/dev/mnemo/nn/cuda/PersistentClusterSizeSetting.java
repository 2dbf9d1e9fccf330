package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.PersistentClusterPlan;
import java.util.Locale;

/**
 * The cluster size of the persistent cluster kernels, from the system property {@value #PROPERTY}:
 * {@code auto} (the default: {@link PersistentClusterPlan}'s rule, tuned on an H200) or a fixed S in
 * 1..16 blocks per cluster, for tuning a device with measurements (e.g. from
 * {@code mnemo_harness persistent_sweep}). A fixed S that cannot run a shape (H splits into fewer
 * blocks, or its shared memory does not fit) leaves that shape to the other paths, with the reason in
 * the choice.
 */
public final class PersistentClusterSizeSetting {
    /** The system property that fixes the cluster size. */
    public static final String PROPERTY = "mnemo.persistent.clusterSize";

    private PersistentClusterSizeSetting() {
    }

    /**
     * {@code auto} ({@link PersistentClusterPlan#AUTO_SIZE}) or an integer 1..16 (case-insensitive,
     * surrounding blanks ignored).
     */
    public static int parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) {
            return PersistentClusterPlan.AUTO_SIZE;
        }
        try {
            int size = Integer.parseInt(t);
            if (size >= 1 && size <= PersistentClusterPlan.MAX_CLUSTER_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // the message below says what is allowed
        }
        throw new IllegalArgumentException(PROPERTY + " must be auto or 1.." + PersistentClusterPlan.MAX_CLUSTER_SIZE
                + ", got '" + text + "'");
    }

    /** The size the system property names, {@link PersistentClusterPlan#AUTO_SIZE} when unset or blank. */
    public static int configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? PersistentClusterPlan.AUTO_SIZE : parse(value);
    }
}

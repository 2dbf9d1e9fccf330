package dev.mnemo.cuda.kernels;

/**
 * Whether the device runs one cluster of a {@link PersistentClusterPlan}: the plan's arithmetic knows the
 * SM count and the shared memory limit, not how many SMs a GPC holds, so a 16-block cluster (or a large
 * portable one with much shared memory each) can pass it and still not fit a part with smaller GPCs, a
 * MIG slice or a green context. {@link PersistentClusterKernels#runs} asks the driver; the plan skips
 * the sizes it refuses.
 */
@FunctionalInterface
public interface ClusterFit {
    /** Trusts the plan's arithmetic: every plan runs (CPU planning, tests, tools without a device). */
    ClusterFit ANY = plan -> true;

    /** Whether at least one cluster of {@code plan} fits the device at once. */
    boolean runs(PersistentClusterPlan plan);
}

package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.LaunchGeometry;

/**
 * Where {@link PersistentClusterKernels} sends a validated thread-block-cluster launch, and what it
 * asks of the device first: a loaded module on a stream, or in CPU tests a recorder (so the cluster
 * geometry and the struct it passes are checked without a GPU).
 */
interface ClusterTarget {

    /** Lets launches of {@code kernel} ask for up to {@code sharedBytes} of dynamic shared memory. */
    void allowDynamicSharedMemory(KernelSignature kernel, int sharedBytes);

    /** Lets launches of {@code kernel} use clusters above the portable size 8. */
    void allowNonPortableClusterSize(KernelSignature kernel);

    /** Clusters of {@code clusterSize} blocks of this geometry that fit on the device at once (0: none). */
    int maxActiveClusters(KernelSignature kernel, LaunchGeometry geometry, int clusterSize);

    /** Launches {@code kernel} in clusters of ({@code clusterSize}, 1, 1), arguments in signature order. */
    void launchCluster(KernelSignature kernel, LaunchGeometry geometry, int clusterSize, Object... arguments);
}

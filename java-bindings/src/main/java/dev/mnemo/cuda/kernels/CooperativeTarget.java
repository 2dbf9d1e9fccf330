package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.LaunchGeometry;

/**
 * Where {@link PersistentKernels} sends a validated cooperative launch, and what it asks of the
 * device first: a loaded module on a stream, or in CPU tests a recorder (the seam that lets its size
 * checks and grid arithmetic run without a GPU).
 */
interface CooperativeTarget {

    /** Blocks of {@code blockThreads} threads with {@code sharedBytes} of dynamic shared memory per SM. */
    int maxActiveBlocksPerMultiprocessor(KernelSignature kernel, int blockThreads, int sharedBytes);

    /** Lets launches of {@code kernel} ask for up to {@code sharedBytes} of dynamic shared memory. */
    void allowDynamicSharedMemory(KernelSignature kernel, int sharedBytes);

    /** Queues a zero fill of {@code count} 32-bit words at device address {@code address}. */
    void zeroWords(long address, long count);

    /** Launches {@code kernel} cooperatively (all blocks co-resident), arguments in signature order. */
    void launchCooperative(KernelSignature kernel, LaunchGeometry geometry, Object... arguments);

    /** Launches {@code kernel} plainly (blocks need not be co-resident), arguments in signature order. */
    void launchPlain(KernelSignature kernel, LaunchGeometry geometry, Object... arguments);
}

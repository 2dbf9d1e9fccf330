package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;

/**
 * Where a launcher sends a launch it has validated: a loaded module on a stream, or in CPU tests
 * a recorder. This seam is why size checks and grid arithmetic are tested without a GPU.
 */
interface LaunchTarget {

    /** Launches {@code kernel} with {@code arguments} in the order of its signature. */
    void launch(KernelSignature kernel, LaunchGeometry geometry, Object... arguments);

    /** Reads one float back once the work queued so far has finished. */
    float readFloat(DeviceMemory source);
}

package dev.mnemo.cuda;

/**
 * What a CUDA device is, read with {@code cuDeviceGet*} (no context needed).
 *
 * @param ordinal the device ordinal (0-based, as {@code CUDA_VISIBLE_DEVICES} renumbers it)
 * @param name the marketing name, e.g. "NVIDIA H100 80GB HBM3"
 * @param totalMemoryBytes device memory
 * @param multiprocessors SM count
 * @param computeMajor compute capability, major
 * @param computeMinor compute capability, minor
 * @param sharedMemoryPerBlock default shared memory limit per block, bytes
 * @param sharedMemoryPerBlockOptin the opt-in limit per block, bytes
 * @param sharedMemoryPerMultiprocessor bytes per SM
 * @param registersPerBlock 32-bit registers per block
 * @param cooperativeLaunch whether grid-wide cooperative launches are supported
 */
public record CudaDevice(int ordinal, String name, long totalMemoryBytes, int multiprocessors,
                         int computeMajor, int computeMinor, int sharedMemoryPerBlock,
                         int sharedMemoryPerBlockOptin, int sharedMemoryPerMultiprocessor,
                         int registersPerBlock, boolean cooperativeLaunch) {

    /** Reads device {@code ordinal}; {@link CudaDriver#init()} must have succeeded. */
    public static CudaDevice query(int ordinal) {
        int dev = CudaDriver.deviceGet(ordinal);
        return new CudaDevice(ordinal, CudaDriver.deviceGetName(dev), CudaDriver.deviceTotalMem(dev),
                attribute(DeviceAttribute.MULTIPROCESSOR_COUNT, dev),
                attribute(DeviceAttribute.COMPUTE_CAPABILITY_MAJOR, dev),
                attribute(DeviceAttribute.COMPUTE_CAPABILITY_MINOR, dev),
                attribute(DeviceAttribute.MAX_SHARED_MEMORY_PER_BLOCK, dev),
                attribute(DeviceAttribute.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, dev),
                attribute(DeviceAttribute.MAX_SHARED_MEMORY_PER_MULTIPROCESSOR, dev),
                attribute(DeviceAttribute.MAX_REGISTERS_PER_BLOCK, dev),
                attribute(DeviceAttribute.COOPERATIVE_LAUNCH, dev) != 0);
    }

    private static int attribute(DeviceAttribute attribute, int device) {
        return CudaDriver.deviceGetAttribute(attribute, device);
    }

    /** Compute capability as "9.0". */
    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }

    /** The SASS architecture name, e.g. "sm_90". */
    public String smArch() {
        return "sm_" + computeMajor + computeMinor;
    }

    /** Device memory in GiB. */
    public double totalMemoryGiB() {
        return totalMemoryBytes / (double) (1L << 30);
    }
}

package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.CudaDevice;
import org.junit.jupiter.api.Assumptions;

/**
 * What {@code @Tag("gpu")} tests of the CUDA backend need: skips a test with the reason naming
 * what is missing (driver, device, cuBLAS, kernels), never fails for lack of a GPU. Call it in
 * {@code @BeforeEach}, so each test is reported as skipped with the reason.
 */
public final class CudaAssume {
    private CudaAssume() {
    }

    public static void available() {
        var reason = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
    }

    /** {@link #available()}, and a device with thread-block clusters (compute capability 9.0+). */
    public static void clusters() {
        available();
        CudaDevice d = CudaDevice.query(CudaBackend.float32().runtimeForTests().ordinal());
        Assumptions.assumeTrue(d.computeMajor() >= 9, () -> "compute capability " + d.computeCapability()
                + " < 9.0: no thread-block clusters on " + d.name());
    }
}

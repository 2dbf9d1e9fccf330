package dev.mnemo.cuda;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What {@code @Tag("gpu")} tests need, and assumptions that skip a test with a reason naming what
 * is missing (the driver, a device, cuBLAS, cuSOLVER, the kernels), never fail for lack of a GPU.
 *
 * <p>Use: open shared resources in {@code @BeforeAll} only when {@link #missing} is empty, and
 * call the matching {@code assume*} in {@code @BeforeEach}, so each test is reported as skipped
 * with the reason (a class-level abort would hide it).
 */
public final class Gpu {
    /** What a test class needs. */
    public enum Need { DEVICE, KERNELS, CUBLAS, CUSOLVER }

    private static CudaProbe probe;

    private Gpu() {
    }

    /** The probe, run once per JVM. */
    public static synchronized CudaProbe probe() {
        if (probe == null) {
            probe = CudaProbe.probe();
        }
        return probe;
    }

    /** Why {@code need} is not met, or empty when it is. */
    public static Optional<String> missing(Need need) {
        CudaProbe p = probe();
        if (!p.available()) {
            return Optional.of("no CUDA GPU: " + p.unavailableReason());
        }
        return switch (need) {
            case DEVICE -> Optional.empty();
            case KERNELS -> KernelModule.isBuilt() ? Optional.empty() : Optional.of(KernelModule.NOT_BUILT);
            case CUBLAS -> p.cublas().available() ? Optional.empty() : Optional.of("no cuBLAS: " + p.cublas().detail());
            case CUSOLVER -> !p.cublas().available() ? Optional.of("no cuBLAS (cuSOLVER transposes with it): "
                    + p.cublas().detail())
                    : p.cusolver().available() ? Optional.empty() : Optional.of("no cuSOLVER: " + p.cusolver().detail());
        };
    }

    /** Skips the test unless {@code need} is met. */
    public static void assume(Need need) {
        Optional<String> reason = missing(need);
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
    }

    /** A CUDA driver and at least one device. */
    public static void assumeAvailable() {
        assume(Need.DEVICE);
    }
}

package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The fatbin in the jar. Where the build had nvcc, CI passes {@code -Dmnemo.expect.kernels=true}
 * and the jar must then carry every architecture the project promises, plus PTX.
 */
class KernelResourceTest {
    static final List<String> PROMISED_SASS = List.of("sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120");

    @Test
    void whenExpectedTheJarCarriesEveryPromisedArchitectureAndPtx() {
        Assumptions.assumeTrue(Boolean.getBoolean("mnemo.expect.kernels"),
                "mnemo.expect.kernels is not true (set where the build had nvcc)");
        assertTrue(KernelModule.isBuilt(), KernelModule.NOT_BUILT);
        Fatbin fatbin = KernelModule.fatbin();
        assertTrue(fatbin.sassArchs().containsAll(PROMISED_SASS),
                () -> "fatbin must contain " + PROMISED_SASS + ", got " + fatbin.archs());
        assertFalse(fatbin.ptxArchs().isEmpty(), () -> "fatbin must contain PTX, got " + fatbin.archs());
    }

    @Test
    void whenPresentTheResourceParses() {
        Assumptions.assumeTrue(KernelModule.isBuilt(), "this build has no fatbin (built without nvcc)");
        assertFalse(KernelModule.fatbin().archs().isEmpty());
    }

    @Test
    void absentKernelsAreAClearErrorBeforeAnyCudaCall() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KernelModule.load(null, Optional.empty()));
        assertEquals("kernels not built: the jar has no mnemo_kernels.fatbin (built without nvcc?)", e.getMessage());
    }
}

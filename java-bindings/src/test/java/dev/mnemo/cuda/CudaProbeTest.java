package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe never throws, and reports each component on its own. */
class CudaProbeTest {

    @Test
    void probeNeverThrowsAndExplainsItself() {
        CudaProbe probe = CudaProbe.probe();
        String report = probe.describe();
        assertTrue(report.startsWith("CUDA: "), report);
        assertTrue(report.contains("cuBLAS: ") && report.contains("cuSOLVER: ") && report.contains("kernels: "), report);
        if (probe.available()) {
            assertEquals("", probe.unavailableReason());
            assertFalse(probe.devices().isEmpty());
        } else {
            assertFalse(probe.unavailableReason().isEmpty());
            assertTrue(report.contains("CUDA: unavailable: " + probe.unavailableReason()), report);
        }
    }

    @Test
    void missingDriverNamesTheLibraryAndThePlacesSearched() {
        CudaProbe probe = CudaProbe.probe();
        if (!NativeLibrary.cuda().isLoaded()) {
            assertTrue(probe.unavailableReason().startsWith("no CUDA driver: libcuda.so.1 not found in ["),
                    probe.unavailableReason());
            assertTrue(probe.unavailableReason().contains(NativeLibraries.DYNAMIC_LOADER));
        }
        if (!Cublas.isLoaded()) {
            assertFalse(probe.cublas().available());
            assertTrue(probe.cublas().detail().contains("libcublas.so.13 or libcublas.so.12 not found"),
                    probe.cublas().detail());
        }
        if (!Cusolver.isLoaded()) {
            assertTrue(probe.cusolver().detail().contains("libcusolver.so.12 or libcusolver.so.11 not found"),
                    probe.cusolver().detail());
        }
    }

    @Test
    void versionsDecode() {
        assertEquals("13.0", CudaProbe.decodeCudaVersion(13000));
        assertEquals("12.8", CudaProbe.decodeCudaVersion(12080));
        assertEquals("11.7.1", Cusolver.decodeVersion(11701));
        assertEquals("12.0.4", Cusolver.decodeVersion(12004));
    }

    @Test
    void kernelImageChoiceFollowsCudaCompatibilityRules() {
        List<String> archs = List.of("sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120", "compute_120");
        assertEquals("SASS sm_90", CudaProbe.kernelImageFor(device(9, 0), archs));
        assertEquals("SASS sm_86", CudaProbe.kernelImageFor(device(8, 7), archs)); // the newest 8.x cubin at or below 8.7
        assertEquals("SASS sm_89", CudaProbe.kernelImageFor(device(8, 9), archs));
        assertEquals("SASS sm_86", CudaProbe.kernelImageFor(device(8, 6), archs));
        assertEquals("PTX JIT from compute_120", CudaProbe.kernelImageFor(device(13, 0), List.of("compute_90", "compute_120")));
        assertEquals("SASS sm_120", CudaProbe.kernelImageFor(device(12, 1), archs));
        assertEquals("PTX JIT from compute_120", CudaProbe.kernelImageFor(device(13, 0), List.of("sm_90", "compute_120")));
        assertTrue(CudaProbe.kernelImageFor(device(7, 5), archs).startsWith("none: no SASS for sm_75"));
    }

    private static CudaDevice device(int major, int minor) {
        return new CudaDevice(0, "test", 1L << 30, 1, major, minor, 48 << 10, 227 << 10, 228 << 10, 65536, true);
    }
}

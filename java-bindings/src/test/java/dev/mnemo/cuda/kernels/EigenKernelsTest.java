package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The eigen launchers' geometry and validation: every bad size rejected before a launch, no driver. */
class EigenKernelsTest {
    final RecordingTarget target = new RecordingTarget();
    final EigenKernels eigen = new EigenKernels(target);

    static FakeMemory at(long address, long bytes) {
        return new FakeMemory(address, bytes);
    }

    @ParameterizedTest
    @CsvSource({"1, 32", "16, 32", "32, 32", "33, 64", "64, 64"})
    void blockIs32ThreadsUpToOrder32Else64(int n, int threads) {
        assertEquals(threads, EigenKernels.blockThreads(n));
        assertEquals(LaunchGeometry.linear(1000, threads), EigenKernels.geometry(n, 1000));
    }

    @Test
    void launchesOneBlockPerMatrixWithHeaderArgumentsInOrder() {
        DeviceMemory a = at(0x10000, 1000L * 256 * 4);
        DeviceMemory wr = at(0x200000, 16000L * 4);
        DeviceMemory wi = at(0x300000, 16000L * 4);
        DeviceMemory status = at(0x400000, 1000L * 4);
        eigen.hqr(a, 256, 16, 1000, 0, wr, wi, status);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(EigenKernels.HQR, launch.kernel());
        assertEquals(LaunchGeometry.linear(1000, 32), launch.geometry());
        assertEquals(List.of(a, 256L, 16, 1000, 0, wr, wi, status), launch.arguments());
    }

    @Test
    void float64SizesBuffersInDoubles() {
        DeviceMemory a = at(0x10000, (2L * 100 + 64) * 8);  // stride 100 > n·n = 64
        DeviceMemory wr = at(0x200000, 3L * 8 * 8);
        DeviceMemory wi = at(0x300000, 3L * 8 * 8);
        DeviceMemory status = at(0x400000, 3L * 4);
        eigen.hqrF64(a, 100, 8, 3, 500, wr, wi, status);
        assertEquals(EigenKernels.HQR_F64, target.launches.getFirst().kernel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> eigen.hqrF64(at(0x10000, (2L * 100 + 64) * 8 - 1), 100, 8, 3, 0, wr, wi, status));
        assertTrue(e.getMessage().startsWith("a must hold >= 2112 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> eigen.hqrF64(a, 100, 8, 3, 0, at(0x200000, 3L * 8 * 4), wi, status));
    }

    @Test
    void countZeroLaunchesNothing() {
        eigen.hqr(at(0x10000, 0), 4, 2, 0, 0, at(0x20000, 0), at(0x30000, 0), at(0x40000, 0));
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyLaunch() {
        DeviceMemory a = at(0x10000, 4096);
        DeviceMemory wr = at(0x20000, 4096);
        DeviceMemory wi = at(0x30000, 4096);
        DeviceMemory st = at(0x40000, 4096);
        assertMessage("n must be in [1, 64], got 65", () -> eigen.hqr(a, 65 * 65, 65, 1, 0, wr, wi, st));
        assertMessage("n must be in [1, 64], got 0", () -> eigen.hqr(a, 1, 0, 1, 0, wr, wi, st));
        assertMessage("count must be >= 0, got -1", () -> eigen.hqr(a, 4, 2, -1, 0, wr, wi, st));
        assertMessage("maxIterations must be >= 0, got -3", () -> eigen.hqr(a, 4, 2, 1, -3, wr, wi, st));
        assertMessage("matrixStride must be >= n·n = 9, got 8", () -> eigen.hqr(a, 8, 3, 1, 0, wr, wi, st));
        assertMessage("status must hold >= 8 bytes (count ints), got 4",
                () -> eigen.hqr(a, 4, 2, 2, 0, wr, wi, at(0x40000, 4)));
        assertMessage("wr must not be null", () -> eigen.hqr(a, 4, 2, 1, 0, null, wi, st));
        assertMessage("a must not overlap wi, got FakeMemory(4096 bytes) and FakeMemory(4096 bytes)", () -> eigen.hqr(a, 4, 2, 1, 0, wr, at(0x10008, 4096), st));
        assertMessage("wr must not overlap status", () -> eigen.hqr(a, 4, 2, 1, 0, wr, wi, wr));
        assertTrue(target.launches.isEmpty());
    }

    private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(prefix), () -> "expected '" + prefix + "…', got '" + e.getMessage() + "'");
    }
}

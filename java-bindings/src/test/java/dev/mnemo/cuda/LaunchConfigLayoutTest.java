package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The cluster-launch mirrors of {@code cuda.h} against the numbers gcc printed for them (CUDA 13.0,
 * x86-64: {@code offsetof}/{@code sizeof} of a C program including {@code cuda.h}, 2026-11-26), and
 * the enum values against the header text.
 */
class LaunchConfigLayoutTest {

    @Test
    void launchConfigMatchesGcc() {
        var l = LaunchConfig.CONFIG_LAYOUT;
        assertEquals(56, l.byteSize());
        assertEquals(8, l.byteAlignment());
        String[] names = {"gridDimX", "gridDimY", "gridDimZ", "blockDimX", "blockDimY", "blockDimZ", "sharedMemBytes",
                "hStream", "attrs", "numAttrs"};
        long[] offsets = {0, 4, 8, 12, 16, 20, 24, 32, 40, 48};
        for (int i = 0; i < names.length; i++) {
            assertEquals(offsets[i], LaunchConfig.offset(l, names[i]), names[i]);
        }
    }

    @Test
    void launchAttributeMatchesGcc() {
        var l = LaunchConfig.ATTRIBUTE_LAYOUT;
        assertEquals(72, l.byteSize()); // id 0, value 8 (a 64-byte union), clusterDim.x/.y/.z at value + 0/4/8
        assertEquals(8, l.byteAlignment());
        assertEquals(0, LaunchConfig.offset(l, "id"));
        assertEquals(8, LaunchConfig.offset(l, "clusterDimX"));
        assertEquals(12, LaunchConfig.offset(l, "clusterDimY"));
        assertEquals(16, LaunchConfig.offset(l, "clusterDimZ"));
    }

    @Test
    void enumValuesMatchCudaH() throws IOException {
        Path header = Path.of(System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda"), "include", "cuda.h");
        Assumptions.assumeTrue(Files.isRegularFile(header), "no cuda.h at " + header);
        String text = Files.readString(header);
        assertEquals(value(text, "CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION"), LaunchConfig.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);
        assertEquals(14, FunctionAttribute.NON_PORTABLE_CLUSTER_SIZE_ALLOWED.nativeValue()); // gcc printed 14
        assertEquals(4, LaunchConfig.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION); // gcc printed 4
        for (String name : new String[]{"cuLaunchKernelEx", "cuOccupancyMaxActiveClusters"}) {
            assertTrue(text.contains("CUresult CUDAAPI " + name + "("), name + " not declared in cuda.h");
        }
    }

    private static int value(String text, String name) {
        Matcher m = Pattern.compile(name + "\\s*=\\s*(\\d+)").matcher(text);
        assertTrue(m.find(), name + " not in cuda.h");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theConfigCarriesGeometryStreamAndOneClusterAttribute() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = MemorySegment.ofAddress(0x1234);
            MemorySegment c = LaunchConfig.withCluster(arena, new LaunchGeometry(48, 1, 1, 256, 1, 1, 84_000), 16,
                    stream);
            var l = LaunchConfig.CONFIG_LAYOUT;
            assertEquals(48, c.get(ValueLayout.JAVA_INT, LaunchConfig.offset(l, "gridDimX")));
            assertEquals(256, c.get(ValueLayout.JAVA_INT, LaunchConfig.offset(l, "blockDimX")));
            assertEquals(1, c.get(ValueLayout.JAVA_INT, LaunchConfig.offset(l, "blockDimZ")));
            assertEquals(84_000, c.get(ValueLayout.JAVA_INT, LaunchConfig.offset(l, "sharedMemBytes")));
            assertEquals(0x1234, c.get(ValueLayout.ADDRESS, LaunchConfig.offset(l, "hStream")).address());
            assertEquals(1, c.get(ValueLayout.JAVA_INT, LaunchConfig.offset(l, "numAttrs")));
            MemorySegment a = c.get(ValueLayout.ADDRESS, LaunchConfig.offset(l, "attrs"))
                    .reinterpret(LaunchConfig.ATTRIBUTE_LAYOUT.byteSize());
            var al = LaunchConfig.ATTRIBUTE_LAYOUT;
            assertEquals(4, a.get(ValueLayout.JAVA_INT, LaunchConfig.offset(al, "id")));
            assertEquals(16, a.get(ValueLayout.JAVA_INT, LaunchConfig.offset(al, "clusterDimX")));
            assertEquals(1, a.get(ValueLayout.JAVA_INT, LaunchConfig.offset(al, "clusterDimY")));
            assertEquals(1, a.get(ValueLayout.JAVA_INT, LaunchConfig.offset(al, "clusterDimZ")));
            assertThrows(IllegalArgumentException.class, () -> LaunchConfig.withCluster(arena,
                    new LaunchGeometry(50, 1, 1, 256, 1, 1, 0), 16, stream), "grid not a multiple of the cluster");
            assertThrows(IllegalArgumentException.class, () -> LaunchConfig.withCluster(arena,
                    new LaunchGeometry(50, 1, 1, 256, 1, 1, 0), 0, stream));
        }
    }

    @Test
    void withoutADriverTheCallsThrowNamingTheFunction() {
        Assumptions.assumeFalse(CudaDriver.isLoaded(), "libcuda.so.1 is present: the GPU tests cover these calls");
        var e = assertThrows(CudaException.class,
                () -> CudaDriver.launchKernelEx(MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL));
        assertTrue(e.getMessage().contains("cuLaunchKernelEx"), e.getMessage());
        e = assertThrows(CudaException.class,
                () -> CudaDriver.occupancyMaxActiveClusters(MemorySegment.NULL, MemorySegment.NULL));
        assertTrue(e.getMessage().contains("cuOccupancyMaxActiveClusters"), e.getMessage());
    }
}

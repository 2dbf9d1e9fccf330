package dev.mnemo.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The FFM binding of {@code cblas_sgemm} against the pure-Java GEMM. Runs on any CBLAS the machine
 * has, including the netlib reference {@code libblas.so.3} that the automatic search skips.
 */
class SystemBlasTest {

    private static final List<Path> CANDIDATES = Stream.of("libopenblas.so.0", "libblas.so.3", "blas/libblas.so.3")
            .flatMap(name -> Stream.of("/usr/lib/x86_64-linux-gnu/", "/usr/lib64/", "/usr/lib/")
                    .map(dir -> Path.of(dir + name)))
            .toList();

    /** Every CBLAS found (OpenBLAS and the reference BLAS may both be there); skips when none is. */
    private static List<SystemBlas> allBlas() {
        List<Path> files = CANDIDATES.stream().filter(Files::isRegularFile).toList();
        Assumptions.assumeFalse(files.isEmpty(), () -> "no CBLAS library on this machine; looked for " + CANDIDATES);
        return files.stream().map(f -> SystemBlas.load(f.toString())).toList();
    }

    @Test
    void sgemmMatchesThePureJavaKernelForEveryTransposeAndOffset() {
        for (SystemBlas blas : allBlas()) {
            matchesPureJava(blas);
        }
    }

    private static void matchesPureJava(SystemBlas blas) {
        Random rnd = new Random(7);
        // the one-row and one-column shapes go through cblas_sgemv
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {33, 17, 65}, {64, 128, 96}, {5, 300, 2}, {4, 3, 0},
                {1, 70, 33}, {40, 1, 19}, {1, 1, 9}, {1, 4, 0}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                int m = s[0];
                int n = s[1];
                int k = s[2];
                int off = 3;
                float[] a = random(rnd, off + m * k);
                float[] b = random(rnd, off + k * n);
                float[] c0 = random(rnd, off + m * n);
                float[] want = c0.clone();
                float[] got = c0.clone();
                CpuGemm.javaSgemm(ta, tb, m, n, k, 0.7f, a, off, b, off, 0.3f, want, off);
                blas.sgemm(ta, tb, m, n, k, 0.7f, a, off, b, off, 0.3f, got, off);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(want[i], got[i], 1e-4f * Math.max(1, Math.abs(want[i])),
                            blas.library() + ": m " + m + " n " + n + " k " + k + " transA " + ta + " transB " + tb + " at " + i);
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesWithoutReadingC() {
        for (SystemBlas blas : allBlas()) {
            float[] a = {1, 2, 3, 4};
            float[] b = {5, 6, 7, 8};
            float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            blas.sgemm(false, false, 2, 2, 2, 1f, a, 0, b, 0, 0f, c, 0);
            assertEquals(List.of(19f, 22f, 43f, 50f), List.of(c[0], c[1], c[2], c[3]), blas.library());
        }
    }

    /** alpha = 0 reads neither a nor b (BLAS semantics): OpenBLAS 0.3.21 itself made c NaN from a NaN in a. */
    @Test
    void alphaZeroReadsNeitherOperand() {
        for (SystemBlas blas : allBlas()) {
            for (int[] s : new int[][] {{8, 8, 8}, {1, 8, 8}, {8, 1, 8}}) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                float[] a = new float[m * k];
                java.util.Arrays.fill(a, Float.NaN);
                float[] b = new float[k * n];
                java.util.Arrays.fill(b, Float.POSITIVE_INFINITY);
                float[] c = new float[m * n];
                java.util.Arrays.fill(c, 2.5f);
                blas.sgemm(false, false, m, n, k, 0f, a, 0, b, 0, 2f, c, 0);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(5f, c[i], blas.library() + ": " + m + "x" + n + "x" + k + " c[" + i + "]");
                }
                java.util.Arrays.fill(c, Float.NaN);
                blas.sgemm(true, true, m, n, k, 0f, a, 0, b, 0, 0f, c, 0);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(0f, c[i], blas.library() + ": beta 0, " + m + "x" + n + "x" + k + " c[" + i + "]");
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesWithoutReadingCInMatrixVectorProducts() {
        for (SystemBlas blas : allBlas()) {
            float[] a = {1, 2, 3, 4};
            float[] x = {5, 6};
            float[] row = {Float.NaN, Float.NaN};
            blas.sgemm(false, false, 1, 2, 2, 1f, x, 0, a, 0, 0f, row, 0);
            assertEquals(List.of(23f, 34f), List.of(row[0], row[1]), blas.library() + ": one row");
            float[] column = {Float.NaN, Float.NaN};
            blas.sgemm(false, false, 2, 1, 2, 1f, a, 0, x, 0, 0f, column, 0);
            assertEquals(List.of(17f, 39f), List.of(column[0], column[1]), blas.library() + ": one column");
        }
    }

    @Test
    void threadCountIsSetWhereTheLibraryHasASetterAndResultsStayTheSame() {
        for (SystemBlas blas : allBlas()) {
            boolean openblas = blas.library().contains("openblas");
            boolean took = blas.setThreads(1);
            if (openblas) {
                assertTrue(took, blas.library() + " exports openblas_set_num_threads");
                assertEquals(java.util.OptionalInt.of(1), blas.threads(), "openblas_get_num_threads reads it back");
                assertTrue(blas.setThreads(2));
                assertEquals(java.util.OptionalInt.of(2), blas.threads());
                assertTrue(blas.setThreads(1));
            }
            matchesPureJava(blas);
            if (took) {
                assertTrue(blas.setThreads(Runtime.getRuntime().availableProcessors()));
            }
            assertThrows(IllegalArgumentException.class, () -> blas.setThreads(0));
        }
    }

    @Test
    void noneDisablesTheSystemBlas() {
        SystemBlas.Result r = SystemBlas.fromConfiguration("none", null);
        assertTrue(r.blas().isEmpty());
        assertTrue(r.description().startsWith("pure Java"), r.description());
    }

    @Test
    void aNamedLibraryThatDoesNotLoadFallsBackAndSaysWhy() {
        SystemBlas.Result r = SystemBlas.fromConfiguration("/nonexistent/libopenblas.so.0", null);
        assertTrue(r.blas().isEmpty());
        assertTrue(r.description().contains("/nonexistent/libopenblas.so.0"), r.description());
        assertTrue(r.description().contains("did not load"), r.description());
    }

    @Test
    void aLibraryWithoutCblasIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemBlas.load("libm.so.6"));
        assertTrue(e.getMessage().contains("no cblas_sgemm"), e.getMessage());
    }

    @Test
    void theProcessChoiceIsDescribed() {
        String d = CpuBackend.gemmImplementation();
        assertFalse(d.isBlank());
        assertTrue(d.startsWith("system BLAS ") || d.startsWith("pure Java"), d);
    }

    /**
     * OpenBLAS built for every CPU picks its kernel at load, and two kernels sum in other orders: the setting names
     * the one in use (the same run trained to 0.31 with one and to 0.078 with the other, under one path).
     */
    @Test
    void anOpenBlasNamesTheKernelItChose() {
        org.junit.jupiter.api.Assumptions.assumeTrue(CpuBackend.gemmImplementation().contains("openblas"),
                "no OpenBLAS here: " + CpuBackend.gemmImplementation());
        String d = CpuBackend.gemmImplementation();
        assertTrue(d.matches("system BLAS .*openblas.* \\(core [A-Za-z0-9_]+\\)"), d);
        String forced = SystemBlas.load(d.substring("system BLAS ".length(), d.indexOf(" (core "))).libraryAndCore();
        assertEquals(d.substring("system BLAS ".length()), forced);
    }

    /** Training reports print the setting: a threaded BLAS's sums, and so the results, follow its thread count. */
    @Test
    void theSettingNamesTheThreadsPerCallWhereTheLibrarySays() {
        String setting = CpuBackend.gemmSetting();
        assertTrue(setting.startsWith(CpuBackend.gemmImplementation()), setting);
        // the pure-Java fallback's description names the libraries it looked for, openblas among them
        if (CpuBackend.gemmImplementation().startsWith("system BLAS") && CpuBackend.gemmImplementation().contains("openblas")) {
            int cores = Runtime.getRuntime().availableProcessors();
            try {
                assertTrue(CpuBackend.setGemmThreads(1));
                assertEquals(CpuBackend.gemmImplementation() + ", 1 thread per call", CpuBackend.gemmSetting());
                if (cores > 1) {
                    assertTrue(CpuBackend.setGemmThreads(2));
                    assertEquals(CpuBackend.gemmImplementation() + ", 2 threads per call", CpuBackend.gemmSetting());
                }
            } finally {
                CpuBackend.setGemmThreads(cores);
            }
        } else if (setting.startsWith("pure Java")) {
            assertEquals(CpuBackend.gemmImplementation(), setting, "the pure-Java GEMM's sums do not depend on threads");
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}

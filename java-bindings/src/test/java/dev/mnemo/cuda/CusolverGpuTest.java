package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eigen-decompositions of matrices built with a known spectrum: {@code A = Q·B·Qᵀ} with Q
 * orthogonal and B block-diagonal (2x2 blocks [[a, −b], [b, a]] have eigenvalues a ± ib).
 */
@Tag("gpu")
class CusolverGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);

    static CudaContext context;
    static CudaStream stream;
    static Cusolver solver;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.CUSOLVER).isPresent()) {
            return; // each test is skipped with the reason, in assumeGpu()
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
        solver = Cusolver.create(stream);
    }

    @BeforeEach
    void assumeGpu() {
        Gpu.assume(Gpu.Need.CUSOLVER);
    }

    @AfterAll
    static void close() {
        if (solver != null) {
            solver.close();
        }
        if (stream != null) {
            stream.close();
        }
        if (context != null) {
            context.close();
        }
    }

    /** A matrix of order n with known eigenvalues (re, im pairs). */
    record Known(int n, double[] a, double[] re, double[] im) {
    }

    /** Row-major Q with orthonormal columns (Gram-Schmidt of a Gaussian matrix). */
    static double[] orthogonal(int n, Random r) {
        double[] q = new double[n * n];
        for (int j = 0; j < n; j++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int c = 0; c < j; c++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) {
                        dot += q[i * n + c] * v[i];
                    }
                    for (int i = 0; i < n; i++) {
                        v[i] -= dot * q[i * n + c];
                    }
                }
            }
            double norm = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
            for (int i = 0; i < n; i++) {
                q[i * n + j] = v[i] / norm;
            }
        }
        return q;
    }

    /** Q·B·Qᵀ. */
    static double[] conjugate(double[] q, double[] b, int n) {
        double[] qb = new double[n * n];
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += q[i * n + p] * b[p * n + j];
                }
                qb[i * n + j] = s;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += qb[i * n + p] * q[j * n + p];
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    /** Alternating 2x2 rotation-scaling blocks and real values, all distinct. */
    static Known known(int n, long salt) {
        Random r = new Random(SEED + salt);
        double[] b = new double[n * n];
        double[] re = new double[n];
        double[] im = new double[n];
        int i = 0;
        boolean pair = true;
        while (i < n) {
            if (pair && i + 1 < n) {
                double a = r.nextDouble() * 3 - 1.5;
                double c = 0.2 + r.nextDouble();
                b[i * n + i] = a;
                b[i * n + i + 1] = -c;
                b[(i + 1) * n + i] = c;
                b[(i + 1) * n + i + 1] = a;
                re[i] = a;
                im[i] = c;
                re[i + 1] = a;
                im[i + 1] = -c;
                i += 2;
            } else {
                double v = r.nextDouble() * 4 - 2;
                b[i * n + i] = v;
                re[i] = v;
                i += 1;
            }
            pair = !pair;
        }
        return new Known(n, conjugate(orthogonal(n, r), b, n), re, im);
    }

    static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Each expected eigenvalue is matched to the nearest unused computed one within tol. */
    static void assertSpectrum(Known k, double[] re, double[] im, double tol) {
        boolean[] used = new boolean[k.n()];
        for (int e = 0; e < k.n(); e++) {
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < k.n(); c++) {
                double d = Math.hypot(re[c] - k.re()[e], im[c] - k.im()[e]);
                if (!used[c] && d < bestDist) {
                    best = c;
                    bestDist = d;
                }
            }
            used[best] = true;
            assertTrue(bestDist < tol, "eigenvalue " + k.re()[e] + " + " + k.im()[e] + "i: nearest is off by "
                    + bestDist + " (seed " + SEED + ", got re " + Arrays.toString(re) + " im " + Arrays.toString(im) + ")");
        }
    }

    /** max |A·V − V·Λ| for complex V (columns) and Λ, and that each column has unit norm. */
    static void assertRightEigenvectors(double[] a, GeneralEigen eig, double tol) {
        int n = eig.n();
        double[] vr = eig.vectorsRe();
        double[] vi = eig.vectorsIm();
        for (int j = 0; j < n; j++) {
            double lr = eig.valuesRe()[j];
            double li = eig.valuesIm()[j];
            double norm = 0;
            for (int i = 0; i < n; i++) {
                double avr = 0;
                double avi = 0;
                for (int p = 0; p < n; p++) {
                    avr += a[i * n + p] * vr[p * n + j];
                    avi += a[i * n + p] * vi[p * n + j];
                }
                double vlr = vr[i * n + j] * lr - vi[i * n + j] * li;
                double vli = vr[i * n + j] * li + vi[i * n + j] * lr;
                double residual = Math.hypot(avr - vlr, avi - vli);
                assertTrue(residual < tol, "residual of vector " + j + " row " + i + ": " + residual + " (seed " + SEED + ")");
                norm += vr[i * n + j] * vr[i * n + j] + vi[i * n + j] * vi[i * n + j];
            }
            assertEquals(1.0, Math.sqrt(norm), tol, "norm of vector " + j);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 64})
    void geevFindsAKnownComplexSpectrumInFloat64(int n) {
        Known k = known(n, n);
        double[] copy = k.a().clone();
        GeneralEigen values = solver.geev(k.a(), n, false);
        assertFalse(values.hasVectors());
        assertSpectrum(k, values.valuesRe(), values.valuesIm(), 1e-9);
        GeneralEigen full = solver.geev(k.a(), n, true);
        assertSpectrum(k, full.valuesRe(), full.valuesIm(), 1e-9);
        assertRightEigenvectors(k.a(), full, 1e-9);
        assertArrayEquals(copy, k.a(), "the host input must not change");
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 64})
    void geevFindsAKnownComplexSpectrumInFloat32(int n) {
        Known k = known(n, 100 + n);
        float[] a = toFloats(k.a());
        GeneralEigen values = solver.geev(a, n, false);
        assertSpectrum(k, values.valuesRe(), values.valuesIm(), 2e-4);
        GeneralEigen full = solver.geev(a, n, true);
        assertSpectrum(k, full.valuesRe(), full.valuesIm(), 2e-4);
        double[] widened = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            widened[i] = a[i];
        }
        assertRightEigenvectors(widened, full, 2e-4);
    }

    @Test
    void float64InputSolvedInFloat32IsTheFloatInputsSolveThroughTheReusedStaging() {
        // 64 first, then 8: the second call reads the first 8·8 floats of a staging buffer that
        // still holds the first matrix beyond them
        for (int n : new int[] {64, 8}) {
            Known k = known(n, 200 + n);
            double[] copy = k.a().clone();
            GeneralEigen rounded = solver.geev(CudaDataType.FLOAT32, k.a(), n, false);
            GeneralEigen floats = solver.geev(toFloats(k.a()), n, false);
            assertArrayEquals(floats.valuesRe(), rounded.valuesRe(), 0, "n = " + n);
            assertArrayEquals(floats.valuesIm(), rounded.valuesIm(), 0, "n = " + n);
            assertSpectrum(k, rounded.valuesRe(), rounded.valuesIm(), 2e-4);
            SymmetricEigen sym = solver.syevd(CudaDataType.FLOAT32, symmetricPart(k.a(), n), n, false);
            assertArrayEquals(solver.syevd(toFloats(symmetricPart(k.a(), n)), n, false).values(), sym.values(), 0);
            assertArrayEquals(copy, k.a(), "the host input must not change");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> solver.geev(CudaDataType.FLOAT32, new double[7], 3, false));
        assertEquals("a must hold n·n = 9 elements, got 7", e.getMessage());
    }

    /**
     * An infinity or NaN in A is the caller's to avoid (Mnemo's Eigen scales and checks first), but must not
     * take the process down: the call returns non-finite eigenvalues or throws with cuSOLVER's info. On the
     * emulated driver LAPACK's ?geev ran on with ILO and IHI unset after ?gebal saw the NaN, and the heap
     * was corrupted ("double free or corruption", the JVM aborted); it now answers NaN.
     */
    @Test
    void aNonFiniteInputGivesNonFiniteValuesOrAnErrorNeverACrash() {
        int n = 16;
        double[] huge = known(n, 301).a().clone();   // every element rounds to ±∞ in float32: the abort's case
        for (int i = 0; i < huge.length; i++) {
            huge[i] *= 1e40;
        }
        for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN, 0}) {
            double[] a = bad == 0 ? huge : known(n, 300).a().clone();
            if (bad != 0) {
                a[5] = bad;
                a[n + 3] = -bad;
            }
            CudaDataType type = bad == 0 ? CudaDataType.FLOAT32 : CudaDataType.FLOAT64;
            for (boolean vectors : new boolean[] {false, true}) {
                try {
                    GeneralEigen e = solver.geev(type, a, n, vectors);
                    assertTrue(!Double.isFinite(e.valuesRe()[0]) || !Double.isFinite(e.valuesIm()[0]),
                            "finite eigenvalues of a non-finite matrix: " + e.valuesRe()[0]);
                } catch (CudaException expected) {
                    // cuSOLVER reported info != 0
                }
            }
            double[] sym = symmetricPart(a, n);
            try {
                SymmetricEigen e = solver.syevd(type, sym, n, false);
                assertTrue(!Double.isFinite(e.values()[0]), "finite eigenvalues of a non-finite matrix");
            } catch (CudaException expected) {
                // cuSOLVER reported info != 0
            }
        }
    }

    private static double[] symmetricPart(double[] a, int n) {
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
            }
        }
        return s;
    }

    @Test
    void geevOnDeviceBuffersUsesInterleavedValues() {
        double[] a = {2, 0, 0, 0, 0, -1, 0, 1, 0}; // diag(2) ⊕ rotation by 90°: 2, ±i
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer w = DeviceBuffer.allocateDoubles(context, 6)) {
            solver.geev(CudaDataType.FLOAT64, 3, dA, w, null);
            stream.synchronize();
            double[] values = w.toDoubleArray(6);
            List<String> found = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                found.add(Math.round(values[2 * j]) + "," + Math.round(values[2 * j + 1]));
            }
            found.sort(null);
            assertEquals(List.of("0,-1", "0,1", "2,0"), found);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 64})
    void syevdFindsAKnownSymmetricSpectrum(int n) {
        Random r = new Random(SEED + 1000 + n);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = r.nextDouble() * 10 - 5;
        }
        double[] diag = new double[n * n];
        for (int i = 0; i < n; i++) {
            diag[i * n + i] = d[i];
        }
        double[] s = conjugate(orthogonal(n, r), diag, n);
        for (int i = 0; i < n; i++) { // exact symmetry
            for (int j = 0; j < i; j++) {
                s[i * n + j] = s[j * n + i];
            }
        }
        double[] sorted = d.clone();
        Arrays.sort(sorted);

        SymmetricEigen e64 = solver.syevd(s, n, true);
        assertArrayEquals(sorted, e64.values(), 1e-10);
        assertSymmetricVectors(s, e64, 1e-10);

        SymmetricEigen e32 = solver.syevd(toFloats(s), n, true);
        assertArrayEquals(sorted, e32.values(), 1e-4);
        assertSymmetricVectors(s, e32, 1e-4);

        assertArrayEquals(sorted, solver.syevd(s, n, false).values(), 1e-10);
    }

    /** ‖S·v_j − λ_j·v_j‖ small and Vᵀ·V = I. */
    static void assertSymmetricVectors(double[] s, SymmetricEigen e, double tol) {
        int n = e.n();
        double[] v = e.vectors();
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double sv = 0;
                for (int p = 0; p < n; p++) {
                    sv += s[i * n + p] * v[p * n + j];
                }
                assertEquals(e.values()[j] * v[i * n + j], sv, tol * 10, "residual of vector " + j + " row " + i);
            }
            for (int c = 0; c < n; c++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += v[i * n + j] * v[i * n + c];
                }
                assertEquals(j == c ? 1.0 : 0.0, dot, tol, "vᵀv at " + j + "," + c);
            }
        }
    }
}

package dev.mnemo.nn;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A system BLAS's {@code cblas_sgemm} (and {@code cblas_sgemv} for one-row or one-column products),
 * called through FFM on the Java heap arrays themselves.
 *
 * <p>Why {@code Linker.Option.critical(true)}: it lets the downcall take heap segments
 * ({@code MemorySegment.ofArray}), so no copy in or out; the GC waits for the call, which is fine
 * for a GEMM. The library's own threads do the parallel work.
 *
 * <p>Which library: the system property {@value #PROPERTY} (or the environment variable
 * {@value #ENV}) names a file or a soname, or {@code none} for the pure-Java GEMM. Unset, the first
 * of {@link #OPTIMISED} found in the usual library folders, {@code LD_LIBRARY_PATH}, or on the
 * loader's path. The netlib reference BLAS ({@code libblas.so.3}) is not picked on its own: it is
 * unblocked and single-threaded, slower than {@link CpuGemm}; name it explicitly to use it.
 */
final class SystemBlas {

    static final String PROPERTY = "mnemo.blas";
    static final String ENV = "MNEMO_BLAS";
    /** Optimised BLAS libraries with a CBLAS interface, in order of preference. */
    static final List<String> OPTIMISED = List.of(
            "libopenblas.so.0", "libopenblas.so", "libmkl_rt.so.2", "libmkl_rt.so", "libblis.so.4",
            "libflexiblas.so.3");
    private static final List<Path> LIBRARY_DIRS = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"),
            Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of("/opt/OpenBLAS/lib"));

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private static final class Holder {
        static final Result DEFAULT = fromConfiguration(System.getProperty(PROPERTY), System.getenv(ENV));
    }

    /** The outcome of looking for a BLAS: the library, or why there is none. */
    record Result(Optional<SystemBlas> blas, String description) {
    }

    /** Thread-count setters of the optimised libraries (OpenBLAS, MKL, BLIS), tried in this order. */
    private static final List<String> THREAD_SETTERS = List.of(
            "openblas_set_num_threads", "MKL_Set_Num_Threads", "bli_thread_set_num_threads");

    /** Their getters, in the same order. */
    private static final List<String> THREAD_GETTERS = List.of(
            "openblas_get_num_threads", "MKL_Get_Max_Threads", "bli_thread_get_num_threads");

    private final String library;
    private final String core;               // the kernel OpenBLAS chose for this CPU, or "" where not told
    private final MethodHandle sgemm;
    private final MethodHandle sgemv;        // null when the library has no cblas_sgemv
    private final MethodHandle setThreads;   // null when the library has none of THREAD_SETTERS
    private final MethodHandle getThreads;   // () → long; null when the library has none of THREAD_GETTERS

    private SystemBlas(String library, String core, MethodHandle sgemm, MethodHandle sgemv, MethodHandle setThreads,
                       MethodHandle getThreads) {
        this.library = library;
        this.core = core;
        this.sgemm = sgemm;
        this.sgemv = sgemv;
        this.setThreads = setThreads;
        this.getThreads = getThreads;
    }

    /** The process-wide choice, made once from {@value #PROPERTY} / {@value #ENV}. */
    static Result system() {
        return Holder.DEFAULT;
    }

    /**
     * The BLAS a configuration value asks for: null or blank searches {@link #OPTIMISED}, {@code none}
     * (or {@code java}) disables, anything else is a path or a soname that must load.
     */
    static Result fromConfiguration(String property, String env) {
        String wanted = property != null && !property.isBlank() ? property.trim()
                : env != null && !env.isBlank() ? env.trim() : null;
        if (wanted == null) {
            return search();
        }
        if (wanted.equalsIgnoreCase("none") || wanted.equalsIgnoreCase("java")) {
            return new Result(Optional.empty(), "pure Java (" + PROPERTY + "=" + wanted + ")");
        }
        try {
            SystemBlas blas = load(wanted);
            return new Result(Optional.of(blas), "system BLAS " + blas.libraryAndCore());
        } catch (IllegalArgumentException e) {
            return new Result(Optional.empty(), "pure Java: the BLAS named by " + PROPERTY + " did not load: "
                    + e.getMessage());
        }
    }

    private static Result search() {
        Set<Path> dirs = new LinkedHashSet<>(LIBRARY_DIRS);
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        if (ldPath != null) {
            for (String entry : ldPath.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    dirs.add(Path.of(entry.trim()));
                }
            }
        }
        List<String> failures = new ArrayList<>();
        for (String name : OPTIMISED) {
            for (Path dir : dirs) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file)) {
                    try {
                        SystemBlas blas = load(file.toString());
                        return new Result(Optional.of(blas), "system BLAS " + blas.libraryAndCore());
                    } catch (IllegalArgumentException e) {
                        failures.add(e.getMessage());
                    }
                }
            }
        }
        return new Result(Optional.empty(), "pure Java: no optimised BLAS (" + String.join(", ", OPTIMISED)
                + ") in " + dirs + (failures.isEmpty() ? "" : "; " + String.join("; ", failures))
                + "; set -D" + PROPERTY + "=FILE to name one");
    }

    /**
     * Loads {@code library} (a path, or a soname for the loader) and binds {@code cblas_sgemm}.
     *
     * @throws IllegalArgumentException naming the library when it does not load or lacks the symbol
     */
    @SuppressWarnings("restricted")
    static SystemBlas load(String library) {
        SymbolLookup lookup;
        try {
            lookup = library.contains("/") ? SymbolLookup.libraryLookup(Path.of(library), Arena.global())
                    : SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(library + " could not be loaded (" + e.getMessage() + ")", e);
        }
        MemorySegment symbol = lookup.find("cblas_sgemm").orElseThrow(() ->
                new IllegalArgumentException(library + " has no cblas_sgemm (not a CBLAS library)"));
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        ValueLayout p = ValueLayout.ADDRESS;
        FunctionDescriptor sgemm = FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i);
        MethodHandle handle = Linker.nativeLinker().downcallHandle(symbol, sgemm, Linker.Option.critical(true));
        FunctionDescriptor sgemvDescriptor = FunctionDescriptor.ofVoid(i, i, i, i, f, p, i, p, i, f, p, i);
        MethodHandle gemv = lookup.find("cblas_sgemv")
                .map(symbolOfGemv -> Linker.nativeLinker().downcallHandle(symbolOfGemv, sgemvDescriptor,
                        Linker.Option.critical(true)))
                .orElse(null);
        // BLIS counts threads in a dim_t (64-bit); OpenBLAS and MKL in an int
        MethodHandle threads = first(lookup, THREAD_SETTERS).map(e -> {
            ValueLayout arg = e.getKey().startsWith("bli_") ? ValueLayout.JAVA_LONG : i;
            return Linker.nativeLinker().downcallHandle(e.getValue(), FunctionDescriptor.ofVoid(arg))
                    .asType(java.lang.invoke.MethodType.methodType(void.class, arg.carrier()));
        }).orElse(null);
        MethodHandle threadCount = first(lookup, THREAD_GETTERS).map(e -> {
            ValueLayout result = e.getKey().startsWith("bli_") ? ValueLayout.JAVA_LONG : i;
            return Linker.nativeLinker().downcallHandle(e.getValue(), FunctionDescriptor.of(result))
                    .asType(java.lang.invoke.MethodType.methodType(long.class));
        }).orElse(null);
        return new SystemBlas(library, coreOf(lookup), handle, gemv, threads, threadCount);
    }

    /**
     * The kernel OpenBLAS picked for this CPU ({@code openblas_get_corename}: Haswell, SkylakeX, Cooperlake…), or
     * "" for another library. A DYNAMIC_ARCH build picks by CPU, and two kernels sum in other orders: the same
     * run trained to 0.31 on an AVX-512 machine and to 0.078 with OPENBLAS_CORETYPE=Haswell, under one
     * library path and thread count, so the setting a report names must say which.
     */
    @SuppressWarnings("restricted")
    private static String coreOf(SymbolLookup lookup) {
        return lookup.find("openblas_get_corename").map(symbol -> {
            try {
                MethodHandle h = Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.ADDRESS));
                MemorySegment name = (MemorySegment) h.invokeExact();
                return name.equals(MemorySegment.NULL) ? "" : name.reinterpret(256).getString(0).strip();
            } catch (Throwable e) {
                return "";
            }
        }).orElse("");
    }

    /** The first of {@code names} that {@code lookup} finds, with its name. */
    private static Optional<Map.Entry<String, MemorySegment>> first(SymbolLookup lookup, List<String> names) {
        for (String name : names) {
            Optional<MemorySegment> symbol = lookup.find(name);
            if (symbol.isPresent()) {
                return Optional.of(Map.entry(name, symbol.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * Sets how many threads the library uses per call, where it can be told (OpenBLAS, MKL, BLIS).
     * Why: callers that run several trainings in parallel (the {@code reproduce} commands) must share
     * the cores out; an OpenBLAS that also starts a thread per core then oversubscribes them and was
     * measured 2× slower than one thread per call.
     *
     * @return whether the library took the setting
     */
    boolean setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
        }
        if (setThreads == null) {
            return false;
        }
        try {
            if (setThreads.type().parameterType(0) == long.class) {
                setThreads.invokeExact((long) threads);
            } else {
                setThreads.invokeExact(threads);
            }
            return true;
        } catch (Throwable t) {
            throw new IllegalStateException("setting the thread count of " + library + " failed", t);
        }
    }

    /**
     * How many threads the library uses per call, where it says (OpenBLAS, MKL, BLIS). A threaded BLAS
     * sums a GEMM in another order at another thread count, so results differ in the last bits.
     */
    java.util.OptionalInt threads() {
        if (getThreads == null) {
            return java.util.OptionalInt.empty();
        }
        try {
            long n = (long) getThreads.invokeExact();
            return n >= 1 ? java.util.OptionalInt.of((int) n) : java.util.OptionalInt.empty();
        } catch (Throwable t) {
            throw new IllegalStateException("reading the thread count of " + library + " failed", t);
        }
    }

    /** The library file or soname in use. */
    String library() {
        return library;
    }

    /** {@link #library()} with the kernel OpenBLAS chose, where it says ({@code …libopenblas.so.0 (core Haswell)}). */
    String libraryAndCore() {
        return core.isEmpty() ? library : library + " (core " + core + ")";
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}, row-major and contiguous, with the same arguments as
     * {@link CpuGemm#sgemm}; {@code beta == 0} does not read C (BLAS semantics), and {@code alpha == 0}
     * (or {@code k == 0}) reads neither A nor B: C becomes {@code beta·C} (0 for {@code beta == 0}).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        if (alpha == 0f || k == 0) {
            // the Java kernel only scales C here; OpenBLAS 0.3.21 still multiplied A and B and turned a NaN or ∞
            // there into a NaN in C
            CpuGemm.javaSgemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            return;
        }
        int lda = Math.max(1, transA ? m : k);
        int ldb = Math.max(1, transB ? k : n);
        if ((m == 1 || n == 1) && sgemv != null && k > 0) {
            // A one-row (or one-column) product is a matrix-vector product. cblas_sgemm does not see
            // that (OpenBLAS 0.3.21 packs the whole matrix on every call) and ran a batch-1
            // recurrent step 3× slower than cblas_sgemv.
            if (m == 1) {
                // c[1×n] = alpha·a[1×k]·op(B) + beta·c, i.e. c = alpha·op(B)ᵀ·a + beta·c
                gemv(!transB, transB ? n : k, transB ? k : n, alpha, b, bOff, ldb, a, aOff, beta, c, cOff);
            } else {
                // c[m×1] = alpha·op(A)·b[k×1] + beta·c
                gemv(transA, transA ? k : m, transA ? m : k, alpha, a, aOff, lda, b, bOff, beta, c, cOff);
            }
            return;
        }
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    slice(a, aOff), lda, slice(b, bOff), ldb, beta, slice(c, cOff), Math.max(1, n));
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm in " + library + " failed", t);
        }
    }

    /**
     * {@code y = alpha·op(M)·x + beta·y} for a row-major {@code rows × cols} matrix M, x and y
     * contiguous. With {@code beta == 0}, y is zeroed first: BLAS libraries differ on whether
     * {@code 0·NaN} in an unread y stays NaN.
     */
    private void gemv(boolean trans, int rows, int cols, float alpha, float[] mat, int matOff, int ld,
                      float[] x, int xOff, float beta, float[] y, int yOff) {
        int yLength = trans ? cols : rows;
        if (beta == 0f) {
            java.util.Arrays.fill(y, yOff, yOff + yLength, 0f);
        }
        try {
            sgemv.invokeExact(ROW_MAJOR, trans ? TRANS : NO_TRANS, rows, cols, alpha, slice(mat, matOff), ld,
                    slice(x, xOff), 1, beta, slice(y, yOff), 1);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemv in " + library + " failed", t);
        }
    }

    private static MemorySegment slice(float[] data, int offset) {
        return MemorySegment.ofArray(data).asSlice((long) offset * Float.BYTES);
    }
}

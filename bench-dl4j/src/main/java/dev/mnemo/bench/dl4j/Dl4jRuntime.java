package dev.mnemo.bench.dl4j;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Thread settings and a description of ND4J's native backend (libnd4j with OpenBLAS and OpenMP).
 *
 * <p>How ND4J picks its thread count: when its native ops load, it reads the environment variable
 * {@code OMP_NUM_THREADS} and calls {@code omp_set_num_threads} with it (unset: a count derived
 * from the cores; 2 on the 2-core machine). libgomp and OpenBLAS also read that variable when they load, so it must be set before the
 * JVM starts — {@code scripts/cpu-vs-dl4j.sh} sets it from {@code --dl4j-threads}. Inside the JVM
 * {@link #setThreads} sets every knob ND4J exposes as well (OpenMP on the calling thread, libnd4j's
 * own thread limits, OpenBLAS), so the flag holds even without the variable; the report records
 * both.
 */
final class Dl4jRuntime {

    private Dl4jRuntime() {
    }

    /** Limits ND4J's OpenMP regions, its own thread pool and its OpenBLAS to {@code threads}. */
    static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("DL4J threads must be >= 1, got " + threads);
        }
        // Nd4j first: loading its backend fills the configuration NativeOpsHolder reads.
        Nd4j.getEnvironment().setMaxThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** One line for the report: backend, data type, thread counts as ND4J reports them. */
    static String describe() {
        var ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        var env = Nd4j.getEnvironment();
        return Nd4j.getBackend().getClass().getSimpleName()
                + " (nd4j-native " + implementationVersion() + ", BLAS " + Nd4j.factory().blas().getBlasVendor()
                + blasVersion(env) + "; native code built for " + cpuLevel(ops.binaryLevel()) + ", this CPU could use "
                + cpuLevel(ops.optimalLevel()) + "), OpenMP max threads " + ops.ompGetMaxThreads()
                + ", libnd4j max threads " + env.maxThreads() + " (master " + env.maxMasterThreads() + ")"
                + ", BLAS threads " + Nd4j.factory().blas().getMaxThreads()
                + ", OMP_NUM_THREADS=" + envOrUnset("OMP_NUM_THREADS")
                + ", default float type " + Nd4j.defaultFloatingPointType();
    }

    /**
     * libnd4j's CPU levels as its start-up log names them: the generic linux-x86_64 build runs at
     * "Generic x86" even on an AVX2 or AVX-512 CPU (ND4J ships -avx2 and -avx512 builds separately).
     */
    private static String cpuLevel(int level) {
        return switch (level) {
            case 3 -> "AVX512";
            case 2 -> "AVX/AVX2";
            default -> "Generic x86";
        };
    }

    /** " 0.3.21" when libnd4j reports its BLAS version, else nothing (it reports 0.0.0 when unset). */
    private static String blasVersion(org.nd4j.linalg.factory.Environment env) {
        int major = env.blasMajorVersion();
        int minor = env.blasMinorVersion();
        int patch = env.blasPatchVersion();
        return major == 0 && minor == 0 && patch == 0 ? "" : " " + major + "." + minor + "." + patch;
    }

    static String envOrUnset(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }

    /** nd4j-native's version from its jar's Maven metadata ("version unknown" without it). */
    private static String implementationVersion() {
        var props = new java.util.Properties();
        try (var in = Dl4jRuntime.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.nd4j/nd4j-native/pom.properties")) {
            if (in == null) {
                return "version unknown";
            }
            props.load(in);
        } catch (java.io.IOException e) {
            return "version unknown (" + e.getMessage() + ")";
        }
        return props.getProperty("version", "version unknown");
    }
}

package dev.mnemo.bench;

import java.io.IOException;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Runs {@link LaunchOverheadBenchmark} through JMH where a CUDA GPU and JCuda's native library are
 * present, and otherwise prints "launch-overhead benchmark skipped: REASON" and exits 0, so the GPU
 * suite may call it anywhere. Arguments are JMH's ({@code -rf json -rff FILE}, {@code -f}, {@code -i}, …).
 */
public final class LaunchOverhead {
    private LaunchOverhead() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        String missing = unavailableReason();
        if (missing != null) {
            System.out.println("launch-overhead benchmark skipped: " + missing);
            return;
        }
        String[] jmh = new String[args.length + 1];
        System.arraycopy(args, 0, jmh, 0, args.length);
        jmh[args.length] = LaunchOverheadBenchmark.class.getName();
        org.openjdk.jmh.Main.main(jmh);
    }

    /** Why the benchmark cannot run here, or null when it can. */
    static String unavailableReason() {
        String probe = LaunchOverheadBenchmark.probeReason();
        if (probe != null) {
            return probe;
        }
        try {
            int[] version = new int[1];
            jcuda.driver.JCudaDriver.cuDriverGetVersion(version);
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return "JCuda's native library does not load: " + e.getMessage();
        }
    }
}

package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import java.util.List;

/**
 * Launcher of the header's family "dropout": inverted dropout whose mask is drawn on the device
 * from the counter hash of the nn-layers contract ({@code CpuBackend.dropoutUniform}), so the mask
 * is the CPU backend's bit for bit and nothing is uploaded.
 */
public final class DropoutKernels {
    /**
     * {@code mnemo_dropout_apply_f32(const float* x, float* mask, float* y, long long n,
     * long long seed, long long offset, double p)}.
     */
    public static final KernelSignature APPLY = KernelSignature.of("mnemo_dropout_apply_f32",
            of("const float*", "x"), of("float*", "mask"), of("float*", "y"), of("long long", "n"),
            of("long long", "seed"), of("long long", "offset"), of("double", "p"));

    /**
     * {@code mnemo_dropout_apply_at_f32(const float* x, float* mask, float* y, long long n, long long seed,
     * const long long* position, long long offset, double p)}.
     */
    public static final KernelSignature APPLY_AT = KernelSignature.of("mnemo_dropout_apply_at_f32",
            of("const float*", "x"), of("float*", "mask"), of("float*", "y"), of("long long", "n"),
            of("long long", "seed"), of("const long long*", "position"), of("long long", "offset"),
            of("double", "p"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public DropoutKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    DropoutKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(APPLY, APPLY_AT);
    }

    /**
     * Element {@code i} is kept when the hash of {@code (seed, offset + i)} mapped to [0, 1) is at
     * least {@code p}: {@code mask[i] = keep ? (float) (1/(1−p)) : 0},
     * {@code y[i] = (float) (x[i] · (keep ? 1/(1−p) : 0))} with the product in double.
     *
     * @param x [n] in
     * @param mask [n] out; must not overlap x or y
     * @param y [n] out; may alias x
     * @param n element count, {@code 0 <= n <=} each capacity
     * @param seed the stream
     * @param offset stream index of element 0
     * @param p drop probability in [0, 1] (1: mask 0, y = x·0)
     */
    public void apply(DeviceMemory x, DeviceMemory mask, DeviceMemory y, long n, long seed, long offset, double p) {
        checkApply(x, mask, y, n, p);
        target.launch(APPLY, TensorKernels.geometry(n), x, mask, y, n, seed, offset, p);
    }

    /**
     * As {@link #apply}, with element {@code i} drawing stream index {@code position + offset + i}, where
     * {@code position} is the int64 in device memory when the kernel runs: work recorded into a CUDA Graph
     * draws the mask of whatever position was written there before each replay.
     *
     * @param position one int64 (8 bytes) in device memory, 8-byte aligned; must not overlap mask or y
     */
    public void applyAt(DeviceMemory x, DeviceMemory mask, DeviceMemory y, long n, long seed, DeviceMemory position,
                        long offset, double p) {
        checkApply(x, mask, y, n, p);
        LaunchChecks.position("position", position);
        LaunchChecks.disjoint("position", position, 2, "mask", mask, n);
        LaunchChecks.disjoint("position", position, 2, "y", y, n);
        target.launch(APPLY_AT, TensorKernels.geometry(n), x, mask, y, n, seed, position, offset, p);
    }

    private static void checkApply(DeviceMemory x, DeviceMemory mask, DeviceMemory y, long n, double p) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "x", x);
        LaunchChecks.fits("n", n, "mask", mask);
        LaunchChecks.fits("n", n, "y", y);
        LaunchChecks.probability("p", p);
        LaunchChecks.disjoint("mask", mask, n, "x", x, n);
        LaunchChecks.disjoint("mask", mask, n, "y", y, n);
    }
}

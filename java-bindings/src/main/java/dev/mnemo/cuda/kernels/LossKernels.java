package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launchers of the header's family "loss": softmax cross-entropy per row (PyTorch's
 * {@code F.cross_entropy(..., ignore_index=-1, reduction='none')}) forward and backward, and mean
 * squared error as per-block partial sums plus its elementwise gradient. Reductions over rows are the
 * caller's (column sums, or the partials read back).
 *
 * <p>Targets are int32 device arrays ({@code const int*}), passed as {@link DeviceMemory} whose
 * capacity is counted in 4-byte elements.
 */
public final class LossKernels {
    /** Threads per block of every loss kernel. */
    public static final int BLOCK_THREADS = 256;
    /** {@code MNEMO_LOSS_XENT_WARP_MAX_CLASSES}: up to this many classes a warp handles a row. */
    public static final long XENT_WARP_MAX_CLASSES = 1024;
    /** {@code MNEMO_LOSS_MSE_MAX_PARTIALS}: the most blocks of the MSE forward. */
    public static final int MSE_MAX_PARTIALS = 1024;
    /** Grid cap of the grid-stride kernels. */
    public static final int MAX_GRID = 65535;

    /**
     * {@code mnemo_loss_softmax_xent_fwd_f32(const float* logits, const int* targets, float* loss,
     * float* stats, long long rows, long long classes)}.
     */
    public static final KernelSignature SOFTMAX_XENT_FWD = KernelSignature.of("mnemo_loss_softmax_xent_fwd_f32",
            of("const float*", "logits"), of("const int*", "targets"), of("float*", "loss"), of("float*", "stats"),
            of("long long", "rows"), of("long long", "classes"));
    /**
     * {@code mnemo_loss_softmax_xent_bwd_f32(float* dlogits, const float* logits, const int* targets,
     * const float* stats, long long rows, long long classes, float scale)}.
     */
    public static final KernelSignature SOFTMAX_XENT_BWD = KernelSignature.of("mnemo_loss_softmax_xent_bwd_f32",
            of("float*", "dlogits"), of("const float*", "logits"), of("const int*", "targets"),
            of("const float*", "stats"), of("long long", "rows"), of("long long", "classes"), of("float", "scale"));
    /** {@code mnemo_loss_mse_fwd_f32(const float* pred, const float* target, long long n, double* partials)}. */
    public static final KernelSignature MSE_FWD = KernelSignature.of("mnemo_loss_mse_fwd_f32",
            of("const float*", "pred"), of("const float*", "target"), of("long long", "n"), of("double*", "partials"));
    /** {@code mnemo_loss_mse_bwd_f32(float* dpred, const float* pred, const float* target, long long n, float scale)}. */
    public static final KernelSignature MSE_BWD = KernelSignature.of("mnemo_loss_mse_bwd_f32",
            of("float*", "dpred"), of("const float*", "pred"), of("const float*", "target"), of("long long", "n"),
            of("float", "scale"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public LossKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    LossKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(SOFTMAX_XENT_FWD, SOFTMAX_XENT_BWD, MSE_FWD, MSE_BWD);
    }

    /** Rows per block of the cross-entropy forward: 8 (a warp per row) up to 1024 classes, else 1. */
    public static int xentRowsPerBlock(long classes) {
        return classes <= XENT_WARP_MAX_CLASSES ? 8 : 1;
    }

    /** The cross-entropy forward: block 256, grid min(ceil(R / rowsPerBlock), 65535), at least 1. */
    public static LaunchGeometry softmaxXentFwdGeometry(long rows, long classes) {
        LaunchChecks.count("rows", rows);
        LaunchChecks.atLeastOne("classes", classes);
        long blocks = LaunchChecks.blocksFor(rows, xentRowsPerBlock(classes));
        return LaunchGeometry.linear(Math.max(1, Math.min(blocks, MAX_GRID)), BLOCK_THREADS);
    }

    /** Elementwise launch (the cross-entropy backward with n = R·C, the MSE backward): as tensor fill. */
    public static LaunchGeometry elementwiseGeometry(long n) {
        return TensorKernels.geometry(n);
    }

    /** Blocks of the MSE forward, hence partials written: min(ceil(n/256), 1024), at least 1. */
    public static int msePartialsCount(long n) {
        LaunchChecks.count("n", n);
        return (int) Math.max(1, Math.min(LaunchChecks.blocksFor(n, BLOCK_THREADS), MSE_MAX_PARTIALS));
    }

    /** The MSE forward: grid {@link #msePartialsCount(long)}, block 256. */
    public static LaunchGeometry mseFwdGeometry(long n) {
        return LaunchGeometry.linear(msePartialsCount(n), BLOCK_THREADS);
    }

    /**
     * Per-row softmax cross-entropy: {@code loss[r] = log Σ_c exp(l[r,c] − m) − (l[r,t] − m)}; rows
     * with target −1 get 0; an invalid target gives NaN.
     *
     * @param logits [R, C] in
     * @param targets [R] in: int32 class index in [0, C), or −1 (ignore)
     * @param loss [R] out
     * @param stats [R, 2] saved: (m, log s) per row; MAY BE NULL (no backward follows)
     * @param rows R {@code >= 0}
     * @param classes C {@code >= 1}
     */
    public void softmaxXentFwd(DeviceMemory logits, DeviceMemory targets, DeviceMemory loss, DeviceMemory stats,
                               long rows, long classes) {
        LaunchGeometry geometry = softmaxXentFwdGeometry(rows, classes);
        long rc = Math.multiplyExact(rows, classes);
        LaunchChecks.present("logits", logits);
        LaunchChecks.present("targets", targets);
        LaunchChecks.present("loss", loss);
        LaunchChecks.holds("logits", logits, rc, "rows·classes");
        LaunchChecks.holds("targets", targets, rows, "rows");
        LaunchChecks.holds("loss", loss, rows, "rows");
        LaunchChecks.holdsIfPresent("stats", stats, Math.multiplyExact(2, rows), "2·rows");
        LaunchChecks.disjoint("loss", loss, rows, "logits", logits, rc);
        LaunchChecks.disjoint("loss", loss, rows, "targets", targets, rows);
        LaunchChecks.disjointIfPresent("stats", stats, 2 * rows, "logits", logits, rc);
        LaunchChecks.disjointIfPresent("stats", stats, 2 * rows, "targets", targets, rows);
        LaunchChecks.disjointIfPresent("stats", stats, 2 * rows, "loss", loss, rows);
        target.launch(SOFTMAX_XENT_FWD, geometry, logits, targets, loss, stats, rows, classes);
    }

    /**
     * {@code dlogits[r, c] = (softmax[r, c] − [c == t]) · scale} from the forward's stats.
     *
     * @param dlogits [R, C] out; may alias logits (exactly); must not overlap targets or stats
     * @param logits [R, C] in
     * @param targets [R] in
     * @param stats [R, 2] in: from {@link #softmaxXentFwd}
     * @param rows R {@code >= 0}
     * @param classes C {@code >= 1}
     * @param scale e.g. 1 / the number of non-ignored rows
     */
    public void softmaxXentBwd(DeviceMemory dlogits, DeviceMemory logits, DeviceMemory targets, DeviceMemory stats,
                               long rows, long classes, float scale) {
        LaunchChecks.count("rows", rows);
        LaunchChecks.atLeastOne("classes", classes);
        long rc = Math.multiplyExact(rows, classes);
        LaunchChecks.present("dlogits", dlogits);
        LaunchChecks.present("logits", logits);
        LaunchChecks.present("targets", targets);
        LaunchChecks.present("stats", stats);
        LaunchChecks.holds("dlogits", dlogits, rc, "rows·classes");
        LaunchChecks.holds("logits", logits, rc, "rows·classes");
        LaunchChecks.holds("targets", targets, rows, "rows");
        LaunchChecks.holds("stats", stats, Math.multiplyExact(2, rows), "2·rows");
        if (!ParamsStructs.sameStart(dlogits, logits)) {
            LaunchChecks.disjoint("dlogits", dlogits, rc, "logits", logits, rc);
        }
        LaunchChecks.disjoint("dlogits", dlogits, rc, "targets", targets, rows);
        LaunchChecks.disjoint("dlogits", dlogits, rc, "stats", stats, 2 * rows);
        target.launch(SOFTMAX_XENT_BWD, elementwiseGeometry(rc), dlogits, logits, targets, stats, rows, classes, scale);
    }

    /**
     * Pass 1 of MSE: {@code partials[b]} = block b's {@code Σ (pred − target)²}, in double.
     *
     * @param pred [n] in
     * @param target [n] in
     * @param n element count {@code >= 0}
     * @param partials [msePartialsCount(n)] doubles, out
     */
    public void mseFwd(DeviceMemory pred, DeviceMemory target, long n, DeviceMemory partials) {
        LaunchChecks.count("n", n);
        LaunchChecks.present("pred", pred);
        LaunchChecks.present("target", target);
        LaunchChecks.present("partials", partials);
        LaunchChecks.fits("n", n, "pred", pred);
        LaunchChecks.fits("n", n, "target", target);
        int count = msePartialsCount(n);
        LaunchChecks.holdsDoubles("partials", partials, count, "msePartialsCount(n)");
        LaunchChecks.disjoint("partials", partials, 2L * count, "pred", pred, n);
        LaunchChecks.disjoint("partials", partials, 2L * count, "target", target, n);
        this.target.launch(MSE_FWD, mseFwdGeometry(n), pred, target, n, partials);
    }

    /**
     * {@code dpred[i] = 2 · (pred[i] − target[i]) · scale}.
     *
     * @param dpred [n] out; may alias pred or target (exactly)
     * @param pred [n] in
     * @param target [n] in
     * @param n element count {@code >= 0}
     * @param scale multiplies the gradient
     */
    public void mseBwd(DeviceMemory dpred, DeviceMemory pred, DeviceMemory target, long n, float scale) {
        LaunchChecks.count("n", n);
        LaunchChecks.present("dpred", dpred);
        LaunchChecks.present("pred", pred);
        LaunchChecks.present("target", target);
        LaunchChecks.fits("n", n, "dpred", dpred);
        LaunchChecks.fits("n", n, "pred", pred);
        LaunchChecks.fits("n", n, "target", target);
        if (!ParamsStructs.sameStart(dpred, pred)) {
            LaunchChecks.disjoint("dpred", dpred, n, "pred", pred, n);
        }
        if (!ParamsStructs.sameStart(dpred, target)) {
            LaunchChecks.disjoint("dpred", dpred, n, "target", target, n);
        }
        this.target.launch(MSE_BWD, elementwiseGeometry(n), dpred, pred, target, n, scale);
    }
}

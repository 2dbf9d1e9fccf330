package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Launchers of the header's family "clip": global-norm gradient clipping in two passes over one
 * flat gradient buffer, the rule of PyTorch's {@code clip_grad_norm_}:
 * {@code x *= min(1, maxNorm / (norm + 1e-6))}. Pass 1 writes one partial sum of squares per
 * block, accumulated in double (float32 squares cannot overflow it); pass 2 has every block add the
 * partials in the same order (so the norm is deterministic) and scale. {@link #clipGlobalNorm} runs
 * both and returns the norm before clipping.
 *
 * <p>Scratch: {@link #partialsCount(long)} doubles of partials, then one float for the norm. The
 * convenience method uses a scratch buffer this object owns (allocated on first use, freed by
 * {@link #close()}) unless the caller passes one.
 */
public final class ClipKernels implements AutoCloseable {
    /** Threads per block of both passes. */
    public static final int BLOCK_THREADS = 256;
    /** {@code MNEMO_CLIP_MAX_PARTIALS}: the most blocks of pass 1. */
    public static final int MAX_PARTIALS = 1024;
    /** Grid cap of pass 2. */
    public static final int MAX_GRID = 65535;

    /** {@code mnemo_clip_sumsq_f32(const float* x, long long n, double* partials)}. */
    public static final KernelSignature SUMSQ = KernelSignature.of("mnemo_clip_sumsq_f32",
            of("const float*", "x"), of("long long", "n"), of("double*", "partials"));
    /**
     * {@code mnemo_clip_scale_f32(float* x, long long n, const double* partials, int numPartials,
     * float maxNorm, float* normOut)}.
     */
    public static final KernelSignature SCALE = KernelSignature.of("mnemo_clip_scale_f32",
            of("float*", "x"), of("long long", "n"), of("const double*", "partials"),
            of("int", "numPartials"), of("float", "maxNorm"), of("float*", "normOut"));

    private final LaunchTarget target;
    private final LongFunction<? extends DeviceMemory> scratchAllocator;
    private DeviceMemory ownedScratch;
    private boolean closed;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public ClipKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()),
                bytes -> DeviceBuffer.allocate(stream.context(), bytes));
    }

    ClipKernels(LaunchTarget target, LongFunction<? extends DeviceMemory> scratchAllocator) {
        this.target = target;
        this.scratchAllocator = scratchAllocator;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(SUMSQ, SCALE);
    }

    /** Blocks of pass 1, hence partials written: min(ceil(n/256), 1024), at least 1. */
    public static int partialsCount(long n) {
        LaunchChecks.count("n", n);
        return (int) Math.max(1, Math.min(LaunchChecks.blocksFor(n, BLOCK_THREADS), MAX_PARTIALS));
    }

    /** Scratch floats {@link #clipGlobalNorm} needs: the partials (two floats a double) plus the norm. */
    public static long scratchFloats(long n) {
        return 2L * partialsCount(n) + 1L;
    }

    /** Pass 1's launch: grid {@link #partialsCount(long)}, block 256. */
    public static LaunchGeometry sumsqGeometry(long n) {
        return LaunchGeometry.linear(partialsCount(n), BLOCK_THREADS);
    }

    /** Pass 2's launch: grid ceil(n/256) capped at 65535, at least 1; block 256. */
    public static LaunchGeometry scaleGeometry(long n) {
        LaunchChecks.count("n", n);
        return LaunchGeometry.linear(Math.max(1, Math.min(LaunchChecks.blocksFor(n, BLOCK_THREADS), MAX_GRID)),
                BLOCK_THREADS);
    }

    /**
     * Pass 1: {@code partials[b]} = block b's sum of squares over its grid-stride share.
     *
     * @param x [n] in
     * @param n element count, {@code 0 <= n <=} x's capacity
     * @param partials [partialsCount(n)] doubles, out
     */
    public void sumsq(DeviceMemory x, long n, DeviceMemory partials) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "x", x);
        LaunchChecks.holdsDoubles("partials", partials, partialsCount(n), "partialsCount(n)");
        target.launch(SUMSQ, sumsqGeometry(n), x, n, partials);
    }

    /**
     * Pass 1 on {@code blocks} blocks (the kernel strides over the grid, so any count covers x): several
     * buffers' partials then fit one {@link #scale} call's {@value #MAX_PARTIALS}, which clips them
     * together.
     *
     * @param blocks 1 .. {@value #MAX_PARTIALS}; {@code partials} holds that many doubles
     */
    public void sumsq(DeviceMemory x, long n, DeviceMemory partials, int blocks) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "x", x);
        LaunchChecks.between("blocks", blocks, 1, MAX_PARTIALS);
        LaunchChecks.holdsDoubles("partials", partials, blocks, "blocks");
        target.launch(SUMSQ, LaunchGeometry.linear(blocks, BLOCK_THREADS), x, n, partials);
    }

    /**
     * Pass 2: norm = sqrt(Σ partials); {@code x *= min(1, maxNorm / (norm + 1e-6))}; block 0
     * writes the norm.
     *
     * @param x [n] in-out
     * @param n element count, {@code 0 <= n <=} x's capacity
     * @param partials [numPartials] doubles in, from {@link #sumsq}
     * @param numPartials 1 .. {@value #MAX_PARTIALS}
     * @param maxNorm > 0
     * @param normOut [1] out: the norm before clipping
     */
    public void scale(DeviceMemory x, long n, DeviceMemory partials, int numPartials, float maxNorm,
                      DeviceMemory normOut) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "x", x);
        LaunchChecks.between("numPartials", numPartials, 1, MAX_PARTIALS);
        LaunchChecks.holdsDoubles("partials", partials, numPartials, "numPartials");
        LaunchChecks.positive("maxNorm", maxNorm);
        LaunchChecks.holds("normOut", normOut, 1, "one norm");
        target.launch(SCALE, scaleGeometry(n), x, n, partials, numPartials, maxNorm, normOut);
    }

    /**
     * Clips {@code x[0, n)} to global norm {@code maxNorm} with this object's scratch buffer and
     * returns the norm before clipping. Waits for the stream (it reads the norm back), so it cannot
     * be captured in a CUDA graph: capture {@link #sumsq} and {@link #scale} instead.
     */
    public float clipGlobalNorm(DeviceMemory x, long n, float maxNorm) {
        validateClip(x, n, maxNorm);
        if (closed) {
            throw new IllegalStateException("ClipKernels is closed");
        }
        if (ownedScratch == null) {
            ownedScratch = scratchAllocator.apply(MAX_PARTIALS * (long) Double.BYTES + Float.BYTES);
        }
        return clipGlobalNorm(x, n, maxNorm, ownedScratch);
    }

    /**
     * As {@link #clipGlobalNorm(DeviceMemory, long, float)} with the caller's {@code scratch} of at
     * least {@link #scratchFloats(long)} floats.
     */
    public float clipGlobalNorm(DeviceMemory x, long n, float maxNorm, DeviceMemory scratch) {
        validateClip(x, n, maxNorm);
        int partials = partialsCount(n);
        LaunchChecks.holds("scratch", scratch, scratchFloats(n), "2·partialsCount(n) + 1");
        DeviceMemory partialSums = scratch.sliceFloats(0, 2L * partials);
        DeviceMemory norm = scratch.sliceFloats(2L * partials, 1);
        sumsq(x, n, partialSums);
        scale(x, n, partialSums, partials, maxNorm, norm);
        return target.readFloat(norm);
    }

    /** Frees the scratch buffer this object allocated (idempotent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownedScratch instanceof AutoCloseable owned) {
            try {
                owned.close();
            } catch (Exception e) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        }
        ownedScratch = null;
    }

    private static void validateClip(DeviceMemory x, long n, float maxNorm) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "x", x);
        LaunchChecks.positive("maxNorm", maxNorm);
    }
}

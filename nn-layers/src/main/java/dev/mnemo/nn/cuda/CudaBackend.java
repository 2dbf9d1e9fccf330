package dev.mnemo.nn.cuda;

import static dev.mnemo.nn.BackendChecks.matrix;
import static dev.mnemo.nn.BackendChecks.overlap;
import static dev.mnemo.nn.BackendChecks.sameNumel;
import static dev.mnemo.nn.BackendChecks.sameStart;
import static dev.mnemo.nn.BackendChecks.shape;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaProbe;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.GemmPrecision;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.Side;
import dev.mnemo.cuda.Transpose;
import dev.mnemo.cuda.kernels.SumRowsPlan;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.BackendChecks;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CUDA backend: float32 tensors in device memory ({@link CudaStorage}), GEMMs through cuBLAS,
 * every cell, loss, optimizer and reduction step through Mnemo's kernels, all queued in order on one
 * stream of one device: {@link #float32()} is the default device ({@value #DEVICE_PROPERTY}, else 0),
 * {@link #float32(int)} any other.
 *
 * <h2>Precision</h2>
 * {@link #float32()} computes GEMMs in exact float32 ({@code cublasSgemm}); {@link #tf32()} is the
 * explicit switch to TF32 tensor cores ({@code cublasGemmEx} with {@code CUBLAS_COMPUTE_32F_FAST_TF32},
 * about 1e-3 relative error). Both views share one runtime, so their tensors mix freely.
 * {@link Backend#of(Device, DType)} returns the float32 view.
 *
 * <h2>Checks</h2>
 * Every tensor argument must be a CUDA tensor of this runtime ({@link IllegalArgumentException}
 * naming the argument and its device otherwise), and shapes are checked against the cell's
 * {@code [B, G·H]} layout before any launch, with messages naming the tensor and the expected shape.
 *
 * <h2>Threads and synchronisation</h2>
 * One thread at a time per device (the CUDA context's rule): the thread that first used the device,
 * or the one that called {@link #claimForCurrentThread()}. One thread may drive several devices:
 * each call makes its device's context current first. Calls return once their work is queued; the ones that
 * return a host value ({@link #sumOfSquares}, {@link #firstNonFinite}, the losses) and copies to the
 * host wait for the stream.
 *
 * <h2>Slow paths (kept simple, correct, and marked {@code // slow path:})</h2>
 * {@link #firstNonFinite} downloads the tensor only when the device sum of squares is
 * not finite; {@link #gatherRows} issues one copy per run of rows. {@link #dropout} draws the
 * mask of {@link CpuBackend#dropoutUniform} on the device, and {@link #scatterAddRows} uploads a
 * grouping of the row indices and runs one deterministic kernel (both equal the CPU backend bit for
 * bit in float32).
 */
public final class CudaBackend extends CudaOps implements Backend {

    /** The system property naming the device {@link #float32()} and {@link Backend#auto()} use: an ordinal, default 0. */
    public static final String DEVICE_PROPERTY = "mnemo.cuda.device";

    /** Each opened device's runtime and its two views, by ordinal; a device is opened on first use. */
    private static final Map<Integer, CudaRuntime> RUNTIMES = new HashMap<>();
    private static final Map<Integer, CudaBackend> FLOAT32 = new HashMap<>();
    private static final Map<Integer, CudaBackend> TF32 = new HashMap<>();
    /** Why CUDA cannot start, probed once per process (the driver and devices do not come and go). */
    private static Optional<String> reason;

    private final GemmPrecision precision;
    private final CudaCells cells;
    private final CudaRows rows;
    private final CudaReductions reductions;
    private final CudaLosses losses;
    private final CudaOptimizers optimizers;
    private final CudaSequences sequences;
    private final CudaNarrowInput narrowInput;
    private final CudaMemNetLoop memNetLoop;

    /** A view of {@code runtime}; tests of the argument checks pass null (they fail before any CUDA call). */
    CudaBackend(CudaRuntime runtime, GemmPrecision precision) {
        super(runtime, new CudaArgs(runtime));
        this.cells = new CudaCells(runtime, args);
        this.rows = new CudaRows(runtime, args);
        this.reductions = new CudaReductions(runtime, args);
        this.losses = new CudaLosses(runtime, args);
        this.optimizers = new CudaOptimizers(runtime, args);
        this.sequences = new CudaSequences(runtime, args);
        this.narrowInput = new CudaNarrowInput(runtime, args);
        this.memNetLoop = new CudaMemNetLoop(runtime, args);
        this.precision = precision;
    }

    /**
     * Why the CUDA backend cannot start here, or empty when it can: no driver or device (the
     * {@link CudaProbe}'s reason), no cuBLAS, or a jar without the kernels. Probed once per process.
     */
    public static synchronized Optional<String> unavailableReason() {
        if (reason == null) {
            reason = probeReason();
        }
        return reason;
    }

    private static Optional<String> probeReason() {
        CudaProbe probe = CudaProbe.probe();
        if (!probe.available()) {
            return Optional.of("no CUDA GPU: " + probe.unavailableReason());
        }
        if (!probe.cublas().available()) {
            return Optional.of("no cuBLAS: " + probe.cublas().detail());
        }
        if (!KernelModule.isBuilt()) {
            return Optional.of("kernels not built: the mnemo-cuda jar has no mnemo_kernels.fatbin (built without nvcc?)");
        }
        return Optional.empty();
    }

    /** Whether {@link #unavailableReason()} is empty. */
    public static boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /**
     * The shared float32 backend (exact float32 GEMMs) on the default device: {@value #DEVICE_PROPERTY}
     * when set, else device 0. Started on first use.
     *
     * @throws UnsupportedOperationException with {@link #unavailableReason()} when CUDA cannot start
     * @throws IllegalArgumentException when {@value #DEVICE_PROPERTY} is not a device ordinal, or names
     *         a device that does not exist
     */
    public static CudaBackend float32() {
        return float32(defaultDevice());
    }

    /**
     * The shared float32 backend on device {@code device} (PyTorch's {@code cuda:N}; ordinals as
     * {@code nvidia-smi} lists them, after {@code CUDA_VISIBLE_DEVICES}). Each device has its own
     * context, stream, kernels, cuBLAS handle and memory; tensors of one device are refused by
     * another's backend. Started on first use, on the calling thread (see "Threads" above).
     *
     * @throws UnsupportedOperationException with {@link #unavailableReason()} when CUDA cannot start
     * @throws IllegalArgumentException when no such device exists ("device 3 does not exist: 2 CUDA
     *         device(s) present")
     */
    public static synchronized CudaBackend float32(int device) {
        return FLOAT32.computeIfAbsent(device, d -> new CudaBackend(runtime(d), GemmPrecision.FP32));
    }

    /** The shared backend with TF32 GEMMs on the default device (same device, stream and tensors as {@link #float32()}). */
    public static CudaBackend tf32() {
        return tf32(defaultDevice());
    }

    /** The shared backend with TF32 GEMMs on device {@code device} (same stream and tensors as {@link #float32(int)}). */
    public static synchronized CudaBackend tf32(int device) {
        return TF32.computeIfAbsent(device, d -> new CudaBackend(runtime(d), GemmPrecision.TF32));
    }

    /**
     * The device {@link #float32()} uses: {@value #DEVICE_PROPERTY} (read at each call), else 0.
     *
     * @throws IllegalArgumentException when the property is set to anything but an ordinal ≥ 0
     */
    public static int defaultDevice() {
        return parseDevice(System.getProperty(DEVICE_PROPERTY));
    }

    /** {@value #DEVICE_PROPERTY}'s value as an ordinal: null or blank is 0. */
    static int parseDevice(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int device = Integer.parseInt(value.strip());
            if (device >= 0) {
                return device;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + " must be a CUDA device ordinal (0, 1, ...), got '"
                + value + "'");
    }

    /** How many CUDA devices the driver shows this process (0 without a driver). */
    public static int deviceCount() {
        return CudaProbe.probe().devices().size();
    }

    /** Device {@code device}'s runtime, opened on first use; nothing is kept when opening fails. */
    private static CudaRuntime runtime(int device) {
        CudaRuntime rt = RUNTIMES.get(device);
        if (rt == null) {
            Optional<String> reason = unavailableReason();
            if (reason.isPresent()) {
                throw new UnsupportedOperationException("the CUDA backend is unavailable: " + reason.get()
                        + "; use Device.CPU (Backend.cpu())");
            }
            rt = CudaRuntime.open(device);   // IllegalArgumentException for a device that does not exist
            RUNTIMES.put(device, rt);
        }
        return rt;
    }

    /**
     * Moves CUDA work to the calling thread, on every device opened so far; the previous thread must
     * have stopped using any CUDA tensor.
     */
    public static synchronized void claimForCurrentThread() {
        RUNTIMES.values().forEach(CudaRuntime::claimForCurrentThread);
    }

    /**
     * The float32 backend of the device {@code t} lives on ({@link Backend#of(Tensor)}).
     *
     * @throws IllegalArgumentException when {@code t} is not a CUDA tensor
     */
    public static CudaBackend of(Tensor t) {
        if (t == null || !(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("a CUDA tensor has a CUDA backend, got " + t);
        }
        return float32(s.runtime().ordinal());
    }

    /** The ordinal of the device this backend's memory and work live on. */
    public int deviceOrdinal() {
        return rt.ordinal();
    }

    /** This view's runtime (for the package's helpers, e.g. {@link CudaMemoryRead}). */
    CudaRuntime rt() {
        return rt;
    }

    /** How this backend computes GEMMs. */
    public GemmPrecision gemmPrecision() {
        return precision;
    }

    /** Waits until all work queued so far has finished. */
    public void synchronize() {
        rt.stream.synchronize();
    }

    // ───────────────────────────── interop: memory and streams of other libraries ─────────────────────────────

    /**
     * The context all of this backend's memory and work lives in: its device's primary context. Another
     * library sharing tensors with Mnemo (JCuda, a native library) must use this same context.
     */
    public CudaContext context() {
        return rt.context;
    }

    /**
     * The stream all of this backend's work is queued on, in order. It synchronizes with the legacy
     * default stream; to order it with another stream, record an event on one and wait for it on the
     * other.
     */
    public CudaStream stream() {
        return rt.stream;
    }

    /**
     * A float32 CUDA tensor of {@code shape} over the start of {@code memory}, without a copy: kernels
     * read and write {@code memory} itself. For memory another library allocated (see
     * {@link DeviceBuffer#wrap}); its owner keeps it alive while the tensor and its views are used. The
     * memory stays the caller's, also when {@code memory} owns it: releasing the tensor, or its becoming
     * unreachable, never frees it.
     *
     * @throws IllegalArgumentException when {@code memory} belongs to another context than
     *         {@link #context()}, is too small for {@code shape}, or is not 4-byte aligned
     */
    public Tensor wrap(DeviceBuffer memory, int... shape) {
        if (memory == null) {
            throw new IllegalArgumentException("memory must not be null");
        }
        if (memory.context() != rt.context) {
            throw new IllegalArgumentException(memory.describe() + " belongs to " + memory.context()
                    + ", not this backend's " + rt.context + "; wrap it with DeviceBuffer.wrap(backend.context(), ...)");
        }
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("sizes must be >= 0, got shape " + java.util.Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        if (memory.floatCapacity() < n) {
            throw new IllegalArgumentException("a tensor of shape " + Tensor.shapeString(shape) + " needs " + n
                    + " floats (" + Math.multiplyExact(n, Float.BYTES) + " bytes), " + memory.describe() + " holds "
                    + memory.floatCapacity());
        }
        if (n > 0 && memory.address() % Float.BYTES != 0) {
            throw new IllegalArgumentException("float32 tensors need 4-byte aligned memory, " + memory.describe()
                    + " starts at 0x" + Long.toHexString(memory.address()));
        }
        // the runtime closes a tensor's buffer once the tensor is gone: hand it a view of its own, which frees
        // nothing. Also for a borrowed buffer: given as it is, releasing one tensor closed the caller's object,
        // and with it every other tensor wrapped over it
        DeviceBuffer borrowed = DeviceBuffer.wrap(memory.context(), memory.address(), memory.byteSize());
        return Tensor.wrap(new CudaStorage(rt, borrowed, n, false), 0, shape);
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    @Override
    public String toString() {
        int device = rt == null ? 0 : rt.ordinal();   // null: the argument checks' tests
        return "cuda" + (device == 0 ? "" : ":" + device) + " float32" + (precision == GemmPrecision.TF32 ? " tf32" : "");
    }

    // ───────────────────────────── memory ─────────────────────────────

    /**
     * What the caching allocator holds now (see {@link CudaMemoryStats}; {@value AllocatorSetting#PROPERTY}).
     * A tensor's block counts as in use until the next allocation after the garbage collector has
     * found the tensor unreachable.
     */
    public CudaMemoryStats memoryStats() {
        return rt.memoryStats();
    }

    /**
     * Takes back now the device memory of tensors no longer reachable from Java (and of what only they
     * held: saved activations, graph recordings). Such memory otherwise returns when a garbage
     * collection happens to find it and the backend's next call drains what the cleaner queued, so a
     * measurement of {@link #memoryStats()} can see it fall at any point. This runs collections (two
     * to four, until one finds nothing more, each with a wait of 20–80 ms for the cleaner) and hands
     * what they found to the allocator's cache at once, as {@link #release} does ({@link #emptyCache}
     * then gives it to the driver). For memory measurements and before handing the device to other
     * code, not for a training loop: each call costs full collections and at least 60 ms. From the
     * thread that owns the context, as every call.
     *
     * @return {@link #memoryStats()} afterwards
     */
    public CudaMemoryStats reclaimUnreachable() {
        return rt.reclaimUnreachable();
    }

    /**
     * Frees the device memory the caching allocator keeps for reuse (after the work queued so far),
     * e.g. before another library needs it; memory of live tensors stays. Shared by every view of the
     * runtime ({@link #float32()}, {@link #tf32()}).
     */
    public void emptyCache() {
        rt.emptyCache();
    }

    @Override
    public Tensor zeros(int... shape) {
        Tensor t = empty(shape);
        storage("t", t).buffer().memsetD32Async(0, 0, t.numel(), rt.stream);
        return t;
    }

    /** A tensor from the caching allocator, not filled: its block holds what its last user left. */
    @Override
    public Tensor empty(int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("sizes must be >= 0, got shape " + java.util.Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return Tensor.wrap(new CudaStorage(rt, rt.allocate(n), n, true), 0, shape);
    }

    @Override
    public void release(Tensor t) {
        if (t != null && t.storage() instanceof CudaStorage s && s.released()) {
            return;
        }
        CudaStorage s = storage("t", t);
        Backend.super.release(t);   // the rules every backend checks: a whole tensor of this device
        // the owner thread only, as every other call: the block goes back for reuse, and another thread's
        // release could hand it on while the owner's call still reads it
        rt.context.use();
        s.release();
    }

    @Override
    public Tensor copyOf(Tensor src) {
        if (src == null) {
            throw new IllegalArgumentException("src must not be null");
        }
        Tensor t = empty(src.shape());
        copy(src, t);
        return t;
    }

    /**
     * {@code dst ← src}, same numel. Besides the contract's upload (host {@code src}, float32 or
     * float64, rounded to float32) and device copy, a CUDA {@code src} may be copied into a CPU
     * {@code dst} (the download behind {@code Tensor.to(Device.CPU)}), or come from another device
     * (a peer copy, {@code cuMemcpyPeerAsync}); both wait for the source's stream, and a peer copy also
     * for itself.
     */
    @Override
    public void copy(Tensor src, Tensor dst) {
        if (src == null || dst == null) {
            throw new IllegalArgumentException("copy needs src and dst, got " + src + " and " + dst);
        }
        sameNumel("src", src, "dst", dst);
        long n = src.numel();   // a device-to-device copy may exceed 2^31 elements; a host array may not
        if (dst.device() == Device.CPU) {
            CudaStorage s = storage("src", src);
            float[] host = new float[hostLength(n)];
            s.buffer().copyToHost(src.offset(), host, 0, host.length);
            dst.copyFrom(Tensor.of(host, host.length));
            return;
        }
        CudaStorage d = storage("dst", dst);
        if (src.device() == Device.CPU) {
            d.recordWrite();
            d.buffer().copyFromHost(src.toFloatArray(), 0, dst.offset(), hostLength(n));
            return;
        }
        if (src.storage() instanceof CudaStorage other && !other.released() && other.runtime() != rt) {
            // another device's tensor (PyTorch's t.to("cuda:1")): a peer copy on this device's stream once
            // that device's queued work is done, then waited for, so neither device's later work reaches
            // either side before it lands
            other.runtime().stream.synchronize();
            d.recordWrite();
            d.buffer().copyFromPeerAsync(other.buffer(), src.offset() * Float.BYTES, dst.offset() * Float.BYTES,
                    (long) n * Float.BYTES, rt.stream);
            rt.stream.synchronize();
            return;
        }
        CudaStorage s = storage("src", src);
        if (sameStart(src, dst)) {
            return;
        }
        if (overlap(src, dst)) {
            throw new IllegalArgumentException("dst must not overlap src, got " + dst + " at offset " + dst.offset()
                    + " and " + src + " at offset " + src.offset() + " of one storage");
        }
        d.recordWrite();   // after the checks: a refused copy, or one onto itself, changes nothing
        d.buffer().copyFromDeviceAsync(s.buffer(), src.offset() * Float.BYTES, dst.offset() * Float.BYTES,
                (long) n * Float.BYTES, rt.stream);
    }

    /** {@code n} as a host array's length; CPU tensors never exceed it, so this only guards the arithmetic. */
    private static int hostLength(long n) {
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a copy between host and device of " + n + " elements exceeds a Java "
                    + "array (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) n;
    }

    @Override
    public void fill(Tensor t, double value) {
        DeviceMemory x = mem("t", t);
        t.storage().recordWrite();
        rt.tensor.fill(x, t.numel(), (float) value);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        BackendChecks.copyColumns(src, srcCol, dst, dstCol, width);
        int rows = src.dim(0);
        if (rows == 0 || width == 0) {
            return;
        }
        CudaStorage s = storage("src", src);
        CudaStorage d = storage("dst", dst);
        DeviceMemory a = s.floats(src.offset() + srcCol, src.numel() - srcCol);
        DeviceMemory c = d.floats(dst.offset() + dstCol, dst.numel() - dstCol);
        rt.cublas.sgeam(Transpose.NONE, Transpose.NONE, rows, width, 1f, a, src.dim(1), 0f, a, src.dim(1), c,
                dst.dim(1));
    }

    @Override
    public void transpose01(Tensor src, Tensor dst) {
        BackendChecks.transpose01(src, dst);
        int n0 = src.dim(0);
        int n1 = src.dim(1);
        int w = src.dim(2);
        CudaStorage s = storage("src", src);
        CudaStorage d = storage("dst", dst);
        if (n0 == 0 || n1 == 0 || w == 0) {
            return;
        }
        // One strided matrix copy (geam) per index of the shorter of the two leading dimensions.
        if (n1 <= n0) {
            for (int j = 0; j < n1; j++) {
                // dst[j] = [n0, w] dense  ←  src[:, j, :] = n0 rows of w at stride n1·w
                DeviceMemory a = s.floats(src.offset() + (long) j * w, src.numel() - (long) j * w);
                DeviceMemory c = d.floats(dst.offset() + (long) j * n0 * w, (long) n0 * w);
                rt.cublas.sgeam(Transpose.NONE, Transpose.NONE, n0, w, 1f, a, n1 * w, 0f, a, n1 * w, c, w);
            }
        } else {
            for (int i = 0; i < n0; i++) {
                // dst[:, i, :] = n1 rows of w at stride n0·w  ←  src[i] = [n1, w] dense
                DeviceMemory a = s.floats(src.offset() + (long) i * n1 * w, (long) n1 * w);
                DeviceMemory c = d.floats(dst.offset() + (long) i * w, dst.numel() - (long) i * w);
                rt.cublas.sgeam(Transpose.NONE, Transpose.NONE, n1, w, 1f, a, w, 0f, a, w, c, n0 * w);
            }
        }
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        BackendChecks.multiply(a, b, out);
        long n = a.numel();
        DeviceMemory am = mem("a", a);
        DeviceMemory bm = mem("b", b);
        DeviceMemory om = mem("out", out);
        if (n == 0) {
            return;
        }
        if (sameStart(out, a) || sameStart(out, b)) {
            // cublasSdgmm is documented out of place: multiply a copy of the aliased operand.
            Tensor aliased = sameStart(out, a) ? a : b;
            DeviceMemory other = aliased == a ? bm : am;
            DeviceBuffer copy = rt.workspace(CudaRuntime.Workspace.COPY, n);
            copy.copyFromDeviceAsync(om, 0, 0, n * Float.BYTES, rt.stream);
            elementwiseProduct(copy, other, om, n);
            return;
        }
        elementwiseProduct(am, bm, om, n);
    }

    /** {@code c = a ⊙ x} over n elements: a 1 x n row times diag(x), in int-sized chunks. */
    private void elementwiseProduct(DeviceMemory a, DeviceMemory x, DeviceMemory c, long n) {
        inChunks(n, (start, len) -> rt.cublas.sdgmm(Side.RIGHT, 1, len, a.sliceFloats(start, len), len,
                x.sliceFloats(start, len), 1, c.sliceFloats(start, len), len));
    }

    /** One cuBLAS call over a flat range [start, start + len), the range an int can count. */
    private interface Chunk {
        void run(long start, int len);
    }

    /** {@code n} elements as 1 x len rows for cuBLAS, whose sizes are ints. */
    private static void inChunks(long n, Chunk chunk) {
        final int most = Integer.MAX_VALUE / 2;
        for (long start = 0; start < n; start += most) {
            chunk.run(start, (int) Math.min(most, n - start));
        }
    }

    @Override
    public long firstNonFinite(Tensor t) {
        return reductions.firstNonFinite(t);
    }

    @Override
    public double sumOfSquares(Tensor t) {
        return reductions.sumOfSquares(t);
    }

    /**
     * Clips {@code gradients} (CUDA tensors of this device) to global L2 norm {@code maxNorm}
     * together, as {@code torch.nn.utils.clip_grad_norm_} does: on the device, nothing read back, so
     * the call only queues work. Each is scaled by {@code min(1, maxNorm / (norm + 1e-6))}; a
     * non-finite norm (a NaN or infinite element) scales nothing. The sum of squares is accumulated in
     * double, as {@link #sumOfSquares}; the returned norm is float32, so a norm past 3.4e38 reads +∞
     * there although the gradients were scaled by its finite double value.
     *
     * @param maxNorm finite and > 0
     * @return the norm before clipping, a {@code [1]} tensor on this device
     * @throws IllegalArgumentException on a null list or element, a tensor of another device, more
     *                                  than 1024 buffers, or a bad {@code maxNorm}
     */
    public Tensor clipGlobalNorm(List<Tensor> gradients, double maxNorm) {
        if (gradients == null || !gradients.stream().allMatch(java.util.Objects::nonNull)) {
            throw new IllegalArgumentException("gradients must be a list of CUDA tensors without nulls, got "
                    + gradients);
        }
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm must be finite and > 0, got " + maxNorm);
        }
        Tensor norm = empty(1);
        reductions.clipGlobalNorm(gradients, maxNorm, norm);
        return norm;
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        BackendChecks.add(a, b, out);
        long n = a.numel();
        DeviceMemory am = mem("a", a);
        DeviceMemory bm = mem("b", b);
        DeviceMemory om = mem("out", out);
        out.storage().recordWrite();
        // 1·a + 1·b as 1 x n rows (cublasSgeam, which may write in place)
        inChunks(n, (start, len) -> rt.cublas.sgeam(Transpose.NONE, Transpose.NONE, 1, len, 1f,
                am.sliceFloats(start, len), len, 1f, bm.sliceFloats(start, len), len, om.sliceFloats(start, len), len));
    }

    @Override
    public void scale(Tensor t, double factor) {
        DeviceMemory x = mem("t", t);
        t.storage().recordWrite();
        rt.tensor.axpby(x, x, t.numel(), (float) factor, 0f);
    }

    // ───────────────────────────── linear algebra ─────────────────────────────

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        BackendChecks.gemm(transA, transB, a, b, c);
        int m = c.dim(0);
        int n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
        DeviceMemory am = mem("a", a);
        DeviceMemory bm = mem("b", b);
        DeviceMemory cm = mem("c", c);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            // op(a)·op(b) is empty: c = beta·c (beta = 0 overwrites, as BLAS).
            rt.tensor.axpby(cm, cm, c.numel(), 0f, (float) beta);
            if (beta == 0) {
                rt.tensor.fill(cm, c.numel(), 0f);
            }
            return;
        }
        Transpose ta = transA ? Transpose.TRANSPOSE : Transpose.NONE;
        Transpose tb = transB ? Transpose.TRANSPOSE : Transpose.NONE;
        int lda = a.dim(1);
        int ldb = b.dim(1);
        if (precision == GemmPrecision.FP32) {
            rt.cublas.sgemm(ta, tb, m, n, k, (float) alpha, am, lda, bm, ldb, (float) beta, cm, n);
        } else {
            rt.cublas.gemmEx(precision, ta, tb, m, n, k, (float) alpha, am, lda, bm, ldb, (float) beta, cm, n);
        }
    }

    @Override
    public Tensor recurrentProductBuffer(int batch, int width, int hidden) {
        int s = CudaRecurrentProduct.splits(rt.device.multiprocessors(), precision, batch, width, hidden);
        return s == 1 ? empty(batch, width) : empty(s, batch, width);   // every use writes it first (β = 0)
    }

    @Override
    public void recurrentProduct(Tensor hPrev, Tensor wHh, Tensor rh) {
        if (rh == null || rh.rank() != 3) {
            gemm(false, true, 1.0, hPrev, wHh, 0.0, rh);
            return;
        }
        matrix("hPrev", hPrev);
        int batch = rh.dim(1);
        int width = rh.dim(2);
        int hidden = hPrev.dim(1);
        shape("hPrev", hPrev, batch, hidden);
        shape("wHh", wHh, width, hidden);
        if (overlap(rh, hPrev) || overlap(rh, wHh)) {
            throw new IllegalArgumentException("rh must not overlap hPrev or wHh, got rh " + rh + " at offset " + rh.offset());
        }
        if (batch == 0 || width == 0) {
            return;
        }
        CudaRecurrentProduct.splitProduct(rt.cublas, precision, mem("hPrev", hPrev), mem("wHh", wHh), mem("rh", rh),
                rh.dim(0), batch, width, hidden);
    }

    @Override
    public Tensor depthSplitBuffer(int rows, int cols, int depth) {
        int s = DepthSplits.splits(DepthSplits.configured(), rows, cols, depth, rt.device.multiprocessors());
        return s == 1 ? null : empty(s, rows, cols);
    }

    @Override
    public void depthSplitProduct(Tensor a, Tensor b, boolean transB, Tensor c, Tensor partials) {
        if (partials == null) {
            gemm(false, transB, 1.0, a, b, 0.0, c);
            return;
        }
        BackendChecks.gemm(false, transB, a, b, c);
        int m = c.dim(0);
        int n = c.dim(1);
        int k = a.dim(1);
        if (partials.rank() != 3 || partials.dim(1) < m || partials.dim(2) != n || k % partials.dim(0) != 0) {
            throw new IllegalArgumentException("partials must be [S, >= " + m + ", " + n + "] with S dividing the depth "
                    + k + ", got " + Tensor.shapeString(partials.shape()));
        }
        if (overlap(partials, a) || overlap(partials, b) || overlap(partials, c)) {
            throw new IllegalArgumentException("partials must not overlap a, b or c, got partials " + partials
                    + " at offset " + partials.offset());
        }
        DeviceMemory cm = mem("c", c);
        DeviceMemory pm = mem("partials", partials);
        if (m == 0 || n == 0) {
            return;
        }
        CudaRecurrentProduct.depthSplit(rt.cublas, precision, mem("a", a), mem("b", b), transB, pm, partials.dim(0), m,
                n, k);
        rt.tensor.sumRows(cm, pm, partials.dim(0), (long) m * n, 0f);
    }

    @Override
    public void addColumnSums(Tensor m, Tensor out) {
        BackendChecks.addColumnSums(m, out);   // shared with the CPU, which once checked nothing
        int rows = m.dim(0);
        int cols = m.dim(1);
        DeviceMemory mm = mem("m", m);
        DeviceMemory om = mem("out", out);
        SumRowsPlan plan = SumRowsPlan.of(rows, cols);
        DeviceMemory scratch = plan.isSplit() ? rt.workspace(CudaRuntime.Workspace.PARTIALS, plan.partialsFloats()) : null;
        rt.tensor.columnSums(om, mm, rows, cols, 1f, scratch);
    }

    /** For few inputs one read of dWx ({@link CudaNarrowInput}); else the GEMMs and column sums. */
    @Override
    public void inputGradients(InputGradients g) {
        if (CudaNarrowInput.takes(g)) {
            narrowInput.run(g);
        } else {
            Backend.super.inputGradients(g);
        }
    }

    @Override
    public void addRowVector(Tensor m, Tensor v) {
        BackendChecks.addRowVector(m, v);
        int rows = m.dim(0);
        int cols = m.dim(1);
        DeviceMemory mm = mem("m", m);
        DeviceMemory vm = mem("v", v);
        if (rows == 0 || cols == 0) {
            return;
        }
        // m[rows, cols] += ones[rows, 1] · v[1, cols]
        rt.cublas.sgemm(Transpose.NONE, Transpose.NONE, rows, cols, 1, 1f, rt.ones(rows), 1, vm, cols, 1f, mm, cols);
    }

    @Override
    public void gatherRows(Tensor table, int[] rows, Tensor out) {
        this.rows.gather(table, rows, out);
    }

    @Override
    public void carryFinishedRows(Tensor dst, Tensor src, Tensor lengths, int t) {
        this.rows.carryFinished(dst, src, lengths, t);
    }

    @Override
    public void zeroEndedSteps(Tensor x, Tensor lengths, boolean batchFirst) {
        this.rows.zeroEndedSteps(x, lengths, batchFirst);
    }

    @Override
    public void scatterAddRows(Tensor src, int[] rows, Tensor table) {
        this.rows.scatterAdd(src, rows, table);
    }

    // ───────────────────────────── losses (CudaLosses) ─────────────────────────────

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] targets, double scale, Tensor dLogits) {
        return losses.softmaxCrossEntropy(logits, targets, scale, dLogits);
    }

    @Override
    public double squaredError(Tensor pred, Tensor target, double scale, Tensor grad) {
        return losses.squaredError(pred, target, scale, grad);
    }

    // ───────────────────────────── optimizers (CudaOptimizers) ─────────────────────────────

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams hp) {
        optimizers.sgd(param, grad, momentumBuffer, hp);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamParams hp) {
        optimizers.adam(param, grad, expAvg, expAvgSq, hp);
    }

    @Override
    public void rmsPropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg,
                              RmsPropParams hp) {
        optimizers.rmsProp(param, grad, squareAvg, momentumBuffer, gradAvg, hp);
    }

    // ───────────────────────────── key-value memory read (MemNet) ─────────────────────────────

    @Override
    public void memoryReadForward(MemoryRead read, Tensor c, Tensor lse) {
        CudaMemoryRead.forward(this, read, c, lse);
    }

    @Override
    public void memoryReadBackward(MemoryRead read, Tensor c, Tensor lse, Tensor dc,
                                   Strided dq, Strided dKeys, Strided dValues) {
        CudaMemoryRead.backward(this, read, c, lse, dc, dq, dKeys, dValues);
    }

    @Override
    public void ringWrite(Tensor src, int keyColumn, int valueColumn, Tensor keys, Tensor values, DevicePosition step) {
        BackendChecks.ringWrite(src, keyColumn, valueColumn, keys, values);
        CudaDevicePosition at = position(step);
        CudaStorage s = storage("src", src);
        DeviceMemory k = s.floats(src.offset() + keyColumn, src.numel() - keyColumn);
        DeviceMemory v = s.floats(src.offset() + valueColumn, src.numel() - valueColumn);
        keys.storage().recordWrite();
        values.storage().recordWrite();
        rt.memnet().ringWriteAt(mem("keys", keys), mem("values", values), k, src.dim(1), v, src.dim(1), src.dim(0),
                keys.dim(1), keys.dim(2), values.dim(2), at.memory());
    }

    /**
     * MemNet's whole forward in one launch where {@link MemNetLoopSetting} is on and the cell's weight fits a
     * block's shared memory (at most 256 slots); false (nothing done) otherwise.
     */
    @Override
    public boolean memNetForward(MemNetForward f) {
        return memNetLoop.forward(f);
    }

    /** As {@link #memNetForward}, for the backward. */
    @Override
    public boolean memNetBackward(MemNetBackward b) {
        return memNetLoop.backward(b);
    }

    /** MemNet's streaming steps (step, generate) in one launch, where {@link #memNetForward} would run. */
    @Override
    public boolean memNetStream(MemNetStream s) {
        return memNetLoop.stream(s);
    }

    // ───────────────────────────── dropout ─────────────────────────────

    @Override
    public void dropout(Tensor x, double p, long seed, long offset, Tensor mask, Tensor y) {
        DropoutOperands o = dropoutOperands(x, p, mask, y);
        // One pass on the device: the kernel draws the contract's counter hash itself.
        rt.dropout.apply(o.x(), o.mask(), o.y(), x.numel(), seed, offset, p);
    }

    @Override
    public DevicePosition devicePosition() {
        return new CudaDevicePosition(this);
    }

    @Override
    public void dropout(Tensor x, double p, long seed, DevicePosition position, long offset, Tensor mask, Tensor y) {
        DropoutOperands o = dropoutOperands(x, p, mask, y);
        rt.dropout.applyAt(o.x(), o.mask(), o.y(), x.numel(), seed, position(position).memory(), offset, p);
    }

    private CudaDevicePosition position(DevicePosition position) {
        if (!(position instanceof CudaDevicePosition at) || at.runtime() != rt) {
            throw new IllegalArgumentException("position must come from this device's devicePosition(), got "
                    + position);
        }
        return at;
    }

    private record DropoutOperands(DeviceMemory x, DeviceMemory mask, DeviceMemory y) {
    }

    private DropoutOperands dropoutOperands(Tensor x, double p, Tensor mask, Tensor y) {
        BackendChecks.dropout(x, p, mask, y);   // shared with the CPU
        return new DropoutOperands(mem("x", x), mem("mask", mask), mem("y", y));
    }

    // ───────────────────────────── recurrent cells (CudaCells) ─────────────────────────────

    @Override
    public void rnnCellForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h) {
        cells.rnnForward(f, wx, rh, bih, bhh, h);
    }

    @Override
    public void rnnCellBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre) {
        cells.rnnBackward(f, h, dhOut, dh, dPre);
    }

    @Override
    public void lstmCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                                Tensor gates, Tensor c, Tensor h) {
        cells.lstmForward(wx, rh, bih, bhh, cPrev, gates, c, h);
    }

    @Override
    public void lstmCellBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                                 Tensor dGates) {
        cells.lstmBackward(gates, cPrev, c, dhOut, dh, dc, dGates);
    }

    @Override
    public void gruCellForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                               Tensor gates, Tensor hn, Tensor h) {
        cells.gruForward(wx, rh, bih, bhh, hPrev, gates, hn, h);
    }

    @Override
    public void gruCellBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                                Tensor dWx, Tensor dRh) {
        cells.gruBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh);
    }

    // ───────────────────────────── whole-sequence forward and backward (CudaSequences) ─────────────────────────────

    /**
     * The path a recurrent forward of this shape takes here (persistent kernel or per-step loop) and
     * why, under the mode of {@link PersistentPolicy#PROPERTY} as now set.
     */
    public PersistentPolicy.Choice recurrentPath(RecurrentCell cell, long steps, long batch, long hidden) {
        return sequences.forwardPath(cell, steps, batch, hidden);
    }

    /** As {@link #recurrentPath}, for the backward. */
    public PersistentPolicy.Choice recurrentBackwardPath(RecurrentCell cell, long steps, long batch, long hidden) {
        return sequences.backwardPath(cell, steps, batch, hidden);
    }

    /** One line for {@code mnemo info}: the recurrent path mode and what it means on this device. */
    public String recurrentPathDescription() {
        return sequences.description();
    }

    /**
     * Runs the whole sequence in one persistent launch when {@link #recurrentPath} chooses it;
     * false (nothing done) otherwise. Shapes are checked first, whatever the path.
     */
    @Override
    public boolean sequenceForward(SequenceForward f) {
        return sequences.forward(f, () -> projectInput(f));
    }

    /** {@code gates = x·W_ihᵀ} over all steps: the GEMM the layer runs when no kernel projects its input. */
    private void projectInput(SequenceForward f) {
        int tb = f.gates().dim(0) * f.gates().dim(1);
        gemm(false, true, 1.0, f.x().reshape(tb, f.x().dim(2)), f.wIh(), 0.0,
                f.gates().reshape(tb, f.gates().dim(2)));
    }

    /**
     * Runs the whole-sequence backward in one persistent launch when the policy chooses it (under
     * {@link PersistentPolicy#PROPERTY}, with the backward's shared-memory limit); false otherwise.
     */
    @Override
    public boolean sequenceBackward(SequenceBackward f) {
        return sequences.backward(f);
    }

    // ───────────────────────────── recorded work (CUDA Graphs) ─────────────────────────────

    /**
     * Runs {@code region} eagerly (which also sizes the workspaces it uses), then captures what it
     * queues on the stream into a CUDA Graph; see {@link CudaRecording}.
     */
    @Override
    public Recording record(Runnable region) {
        return CudaRecording.record(rt, region);
    }

    /** The shared runtime; for tests in this package (workspaces, graphs). */
    CudaRuntime runtimeForTests() {
        return rt;
    }
}

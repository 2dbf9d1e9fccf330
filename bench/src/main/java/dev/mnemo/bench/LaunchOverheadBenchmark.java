package dev.mnemo.bench;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaFunction;
import dev.mnemo.cuda.CudaGraph;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaProbe;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The host cost of one kernel launch from Java: an empty kernel ({@link NoopKernel}, the fill
 * kernel's three arguments) launched through Mnemo's FFM path ({@link CudaFunction#launch}, with
 * its open / owner-thread checks), through JCuda's {@code cuLaunchKernel} (JNI), and replayed from
 * a CUDA Graph through Mnemo ({@link CudaGraph#launch}). Microseconds per kernel.
 *
 * <p>Each path runs two ways: {@code …Async} queues launches back to back on a non-blocking stream,
 * so the measured time is the launch cost (the GPU drains the queue concurrently; once the queue is
 * full, a launch waits for a free slot, which bounds the time below by the GPU's per-kernel time);
 * {@code …Sync} adds a stream synchronization after every launch, the latency of a lone launch. The
 * graph of {@value #GRAPH_KERNELS} kernels ({@code graph32…}) gives the per-kernel cost inside a
 * graph. The C harness's {@code mnemo_harness launch} (cudaLaunchKernel back to back, one sync) is
 * the native baseline of the {@code …Async} rows; scripts/gpu-bench-all.sh reports it beside them.
 *
 * <h2>Running</h2>
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp "bench/target/mnemo-bench-*.jar:bench/target/lib/*" \
 *        dev.mnemo.bench.LaunchOverhead [JMH options, e.g. -rf json -rff launch.json]
 * </pre>
 * {@link LaunchOverhead} skips, with the reason, where there is no CUDA GPU or JCuda's native
 * library does not load; run directly by JMH, the setup fails with the same message instead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LaunchOverheadBenchmark {
    static final int GRAPH_KERNELS = 32;
    private static final LaunchGeometry GEOMETRY = new LaunchGeometry(1, 1, 1, NoopKernel.BLOCK, 1, 1, 0);

    // Mnemo (FFM)
    private CudaContext context;
    private CudaStream stream;
    private CudaModule module;
    private CudaFunction function;
    private DeviceBuffer target;
    private Arena arena;
    private MemorySegment params;
    private CudaGraph graph1;
    private CudaGraph graph32;

    // JCuda (JNI), in the same primary context
    private CUdevice device;
    private CUstream jStream;
    private CUmodule jModule;
    private CUfunction jFunction;
    private Pointer jParams;

    @Setup(Level.Trial)
    public void setUp() {
        String missing = LaunchOverhead.unavailableReason();
        if (missing != null) {
            throw new IllegalStateException("launch-overhead benchmark cannot run: " + missing);
        }
        context = CudaContext.open(0);
        stream = CudaStream.createNonBlocking(context);
        module = CudaModule.load(context, NoopKernel.ptx());
        function = module.function(NoopKernel.NAME);
        target = DeviceBuffer.allocateFloats(context, 1);
        arena = Arena.ofShared();
        params = packParams(arena, target.address(), 1L, 0f);
        graph1 = CudaGraph.capture(stream, () -> function.launch(GEOMETRY, stream, params));
        graph32 = CudaGraph.capture(stream, () -> {
            for (int i = 0; i < GRAPH_KERNELS; i++) {
                function.launch(GEOMETRY, stream, params);
            }
        });

        device = new CUdevice();
        check(cuInit(0), "cuInit");
        check(cuDeviceGet(device, 0), "cuDeviceGet");
        CUcontext primary = new CUcontext();
        check(cuDevicePrimaryCtxRetain(primary, device), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(primary), "cuCtxSetCurrent");
        jStream = new CUstream();
        check(cuStreamCreate(jStream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        jModule = new CUmodule();
        byte[] ptx = NoopKernel.ptx();
        check(cuModuleLoadData(jModule, Arrays.copyOf(ptx, ptx.length + 1)), "cuModuleLoadData");
        jFunction = new CUfunction();
        check(cuModuleGetFunction(jFunction, jModule, NoopKernel.NAME), "cuModuleGetFunction");
        CUdeviceptr jTarget = new CUdeviceptr().withByteOffset(target.address());
        jParams = Pointer.to(Pointer.to(jTarget), Pointer.to(new long[] {1L}), Pointer.to(new float[] {0f}));
    }

    /** {@code void* params[3]} pointing at the three argument values, as {@code cuLaunchKernel} takes them. */
    private static MemorySegment packParams(Arena arena, long dst, long n, float value) {
        MemorySegment values = arena.allocate(24, 8);
        values.set(ValueLayout.JAVA_LONG, 0, dst);
        values.set(ValueLayout.JAVA_LONG, 8, n);
        values.set(ValueLayout.JAVA_FLOAT, 16, value);
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, 3);
        array.setAtIndex(ValueLayout.ADDRESS, 0, values);
        array.setAtIndex(ValueLayout.ADDRESS, 1, values.asSlice(8));
        array.setAtIndex(ValueLayout.ADDRESS, 2, values.asSlice(16));
        return array;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (jStream != null) {
            cuStreamSynchronize(jStream);
            cuStreamDestroy(jStream);
            cuModuleUnload(jModule);
            cuDevicePrimaryCtxRelease(device);
        }
        if (context != null) {
            stream.synchronize();
            graph32.close();
            graph1.close();
            target.close();
            module.close();
            stream.close();
            context.close();
            arena.close();
        }
    }

    @Benchmark
    public void mnemoFfmAsync() {
        function.launch(GEOMETRY, stream, params);
    }

    @Benchmark
    public void mnemoFfmSync() {
        function.launch(GEOMETRY, stream, params);
        stream.synchronize();
    }

    @Benchmark
    public void jcudaAsync() {
        check(cuLaunchKernel(jFunction, 1, 1, 1, NoopKernel.BLOCK, 1, 1, 0, jStream, jParams, null), "cuLaunchKernel");
    }

    @Benchmark
    public void jcudaSync() {
        check(cuLaunchKernel(jFunction, 1, 1, 1, NoopKernel.BLOCK, 1, 1, 0, jStream, jParams, null), "cuLaunchKernel");
        check(cuStreamSynchronize(jStream), "cuStreamSynchronize");
    }

    @Benchmark
    public void graph1Async() {
        graph1.launch(stream);
    }

    @Benchmark
    public void graph1Sync() {
        graph1.launch(stream);
        stream.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(GRAPH_KERNELS)
    public void graph32Async() {
        graph32.launch(stream);
    }

    @Benchmark
    @OperationsPerInvocation(GRAPH_KERNELS)
    public void graph32Sync() {
        graph32.launch(stream);
        stream.synchronize();
    }

    private static void check(int status, String call) {
        if (status != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + CUresult.stringFor(status));
        }
    }

    /** Why the probe says there is no GPU, for {@link LaunchOverhead}; null when there is one. */
    static String probeReason() {
        CudaProbe probe = CudaProbe.probe();
        return probe.available() ? null : "no CUDA GPU: " + probe.unavailableReason();
    }
}

package dev.mnemo.jcuda;

import static jcuda.driver.JCudaDriver.cuCtxCreate;
import static jcuda.driver.JCudaDriver.cuCtxDestroy;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.SplittableRandom;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * JCuda memory and streams through the interop on a real GPU: an Lstm reading and writing JCuda
 * allocations against the CPU backend, views that really share memory, and the context rule.
 * Skipped, with the reason, where the CUDA backend cannot start.
 */
@Tag("gpu")
class JCudaInteropGpuTest {
    private CUdevice device;
    private CUcontext primary;
    private CUstream stream;
    private JCudaInterop interop;

    @BeforeEach
    void openBothSides() {
        var reason = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
        CudaBackend.float32(); // Mnemo first: it retains the primary context and makes it current
        device = new CUdevice();
        JCudaException.check(cuInit(0), "cuInit");
        JCudaException.check(cuDeviceGet(device, 0), "cuDeviceGet");
        primary = new CUcontext();
        JCudaException.check(cuDevicePrimaryCtxRetain(primary, device), "cuDevicePrimaryCtxRetain");
        JCudaException.check(cuCtxSetCurrent(primary), "cuCtxSetCurrent");
        stream = new CUstream();
        JCudaException.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        interop = JCudaInterop.open(CudaBackend.float32());
    }

    @AfterEach
    void close() {
        if (interop != null) {
            interop.close();
            cuStreamDestroy(stream);
            jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    @Test
    void lstmForwardIntoJCudaMemoryMatchesTheCpuBackend() {
        int steps = 7;
        int batch = 5;
        int input = 6;
        int hidden = 33;
        RecurrentOptions options = RecurrentOptions.builder(input, hidden).seed(11).build();
        Lstm gpu = new Lstm(options, CudaBackend.float32());
        Lstm cpu32 = new Lstm(options, CpuBackend.float32());
        Lstm cpu64 = new Lstm(options, CpuBackend.float64());
        CudaBackend.float32().copy(cpu32.flatParameters(), gpu.flatParameters());
        CpuBackend.float64().copy(cpu32.flatParameters(), cpu64.flatParameters());

        float[] hostX = uniform(steps * batch * input, 3);
        CUdeviceptr x = alloc(hostX.length);
        CUdeviceptr y = alloc(steps * batch * hidden);
        try {
            JCudaException.check(cuMemcpyHtoD(x, Pointer.to(hostX), bytes(hostX.length)), "cuMemcpyHtoD");
            // NaN in y, queued on the JCuda stream: ordered() must run the LSTM after it
            JCudaException.check(cuMemsetD32Async(y, Float.floatToRawIntBits(Float.NaN), steps * batch * hidden,
                    stream), "cuMemsetD32Async");
            JCudaLstmExample.forward(interop, gpu, x, y, steps, batch, stream);
            // Mnemo's stream first: with deferred emulated streams (MNEMO_EMU_STREAMS=deferred) its LSTM
            // runs now, and only the wait ordered() queued on it runs the memset before it
            CudaBackend.float32().synchronize();
            JCudaException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
            float[] got = new float[steps * batch * hidden];
            JCudaException.check(cuMemcpyDtoH(Pointer.to(got), y, bytes(got.length)), "cuMemcpyDtoH");

            Tensor tx = Tensor.of(hostX, steps, batch, input);
            float[] ref32 = cpu32.forward(tx, null).output().toFloatArray();
            double[] ref64 = cpu64.forward(Tensor.of(toDouble(hostX), steps, batch, input), null).output()
                    .toDoubleArray();
            double cpuErr = relError(ref32, ref64);
            double gpuErr = relError(got, ref64);
            double tol = Math.max(2 * cpuErr, 1e-5);
            assertTrue(gpuErr <= tol, "Lstm output in JCuda memory: error " + gpuErr + " > " + tol
                    + " (CPU float32 error " + cpuErr + ")");
        } finally {
            cuMemFree(x);
            cuMemFree(y);
        }
    }

    /**
     * The README's order: the interop closes (destroying the event its ordering recorded on Mnemo's
     * stream) before the caller synchronizes. A real driver allows that; the emulated one once freed
     * the event under the queued record, and the next allocation aborted the JVM.
     */
    @Test
    void closingTheInteropBeforeTheStreamIsSynchronizedKeepsTheResult() {
        int steps = 4;
        int batch = 3;
        int input = 2;
        int hidden = 5;
        RecurrentOptions options = RecurrentOptions.builder(input, hidden).seed(4).build();
        Lstm gpu = new Lstm(options, CudaBackend.float32());
        Lstm cpu = new Lstm(options, CpuBackend.float32());
        CudaBackend.float32().copy(cpu.flatParameters(), gpu.flatParameters());
        float[] hostX = uniform(steps * batch * input, 8);
        CUdeviceptr x = alloc(hostX.length);
        CUdeviceptr y = alloc(steps * batch * hidden);
        try {
            JCudaException.check(cuMemcpyHtoD(x, Pointer.to(hostX), bytes(hostX.length)), "cuMemcpyHtoD");
            try (JCudaInterop own = JCudaInterop.open(CudaBackend.float32())) {
                own.ordered(stream, () -> own.backend().copy(gpu.forward(own.tensor(x, steps, batch, input), null)
                        .output(), own.tensor(y, steps, batch, hidden)));
            }
            JCudaException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
            float[] got = new float[steps * batch * hidden];
            JCudaException.check(cuMemcpyDtoH(Pointer.to(got), y, bytes(got.length)), "cuMemcpyDtoH");
            CudaBackend.float32().copy(Tensor.zeros(1), CudaBackend.float32().zeros(1));   // allocates after the close
            float[] want = cpu.forward(Tensor.of(hostX, steps, batch, input), null).output().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "element " + i);
            }
        } finally {
            cuMemFree(x);
            cuMemFree(y);
        }
    }

    @Test
    void aTensorViewSharesTheJCudaMemory() {
        CUdeviceptr p = alloc(64);
        try {
            Tensor t = interop.tensor(p.withByteOffset(16 * Float.BYTES), 4, 8); // floats 16..47
            CudaBackend.float32().fill(t, 2.5);
            CudaBackend.float32().synchronize();
            float[] all = new float[64];
            JCudaException.check(cuMemcpyDtoH(Pointer.to(all), p, bytes(64)), "cuMemcpyDtoH");
            for (int i = 16; i < 48; i++) {
                assertEquals(2.5f, all[i], "float " + i + " written through the Mnemo view");
            }
        } finally {
            cuMemFree(p);
        }
    }

    @Test
    void rangesPastTheAllocationAreRejected() {
        CUdeviceptr p = alloc(256);
        try {
            var e = assertThrows(IllegalArgumentException.class, () -> interop.wrap(p, bytes(257)));
            assertTrue(e.getMessage().contains("runs past the end of its allocation"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> interop.tensor(p.withByteOffset(bytes(200)), 8, 8));
            try (DeviceBuffer b = interop.wrap(p.withByteOffset(bytes(128)), bytes(128))) {
                assertFalse(b.isOwned());
                assertEquals(bytes(128), b.byteSize());
            }
            // closing the view freed nothing: JCuda can still use the memory
            float[] back = new float[256];
            JCudaException.check(cuMemcpyDtoH(Pointer.to(back), p, bytes(256)), "cuMemcpyDtoH");
        } finally {
            cuMemFree(p);
        }
    }

    /**
     * An empty view is checked too (it skipped every check, so a freed or made-up pointer passed); it may start
     * one past its allocation's end, as a slice at the end does.
     */
    @Test
    void emptyViewsAreCheckedAndMayEndTheirAllocation() {
        CUdeviceptr p = alloc(16);
        try {
            try (DeviceBuffer end = interop.wrap(p.withByteOffset(bytes(16)), 0)) {
                assertEquals(0, end.byteSize());
            }
            assertEquals(0, interop.tensor(p.withByteOffset(bytes(16)), 0, 3).numel());
        } finally {
            cuMemFree(p);
        }
        CUdeviceptr madeUp = new CUdeviceptr().withByteOffset(0x1000);   // no device memory near it
        var unknown = assertThrows(IllegalArgumentException.class, () -> interop.wrap(madeUp, 0));
        assertTrue(unknown.getMessage().contains("not device memory the CUDA driver knows"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> interop.tensor(madeUp, 0, 3));
    }

    @Test
    void aWrappedStreamCarriesMnemoWorkAndIsNotDestroyed() {
        CUdeviceptr p = alloc(32);
        try {
            DeviceBuffer b = interop.wrap(p, bytes(32));
            try (CudaStream s = interop.wrap(stream)) {
                assertFalse(s.isOwned());
                b.memsetD32Async(0, Float.floatToRawIntBits(7f), 32, s);
            }
            JCudaException.check(cuStreamSynchronize(stream), "cuStreamSynchronize after closing the view");
            float[] back = new float[32];
            JCudaException.check(cuMemcpyDtoH(Pointer.to(back), p, bytes(32)), "cuMemcpyDtoH");
            float[] sevens = new float[32];
            java.util.Arrays.fill(sevens, 7f);
            assertArrayEquals(sevens, back);
            b.close();
        } finally {
            cuMemFree(p);
        }
    }

    @Test
    void aContextOfItsOwnIsRejected() {
        CUcontext own = new CUcontext();
        JCudaException.check(cuCtxCreate(own, 0, device), "cuCtxCreate"); // also makes it current
        try {
            CUdeviceptr p = new CUdeviceptr();
            JCudaException.check(cuMemAlloc(p, 64), "cuMemAlloc");
            // Mnemo makes the primary context current for its call; the pointer's own context is refused
            var memory = assertThrows(IllegalArgumentException.class, () -> interop.wrap(p, 64));
            assertTrue(memory.getMessage().contains("was allocated in context"), memory.getMessage());
            assertTrue(memory.getMessage().contains("cuDevicePrimaryCtxRetain"), memory.getMessage());
            JCudaException.check(cuCtxSetCurrent(own), "cuCtxSetCurrent");
            cuMemFree(p);
        } finally {
            cuCtxDestroy(own);
            JCudaException.check(cuCtxSetCurrent(primary), "cuCtxSetCurrent");
        }
    }

    /** {@code n} values drawn from U(−1, 1) with {@code seed}. */
    private static float[] uniform(int n, long seed) {
        float[] a = new float[n];
        var rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        return a;
    }

    private static CUdeviceptr alloc(int floats) {
        CUdeviceptr p = new CUdeviceptr();
        JCudaException.check(cuMemAlloc(p, bytes(floats)), "cuMemAlloc");
        return p;
    }

    private static long bytes(long floats) {
        return floats * Float.BYTES;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static double relError(float[] got, double[] ref) {
        double max = 0;
        double err = 0;
        for (int i = 0; i < ref.length; i++) {
            max = Math.max(max, Math.abs(ref[i]));
            err = Math.max(err, Double.isNaN(got[i]) ? Double.POSITIVE_INFINITY : Math.abs(got[i] - ref[i]));
        }
        return err / Math.max(max, Double.MIN_NORMAL);
    }
}

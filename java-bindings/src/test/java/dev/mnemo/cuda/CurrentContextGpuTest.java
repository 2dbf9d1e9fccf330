package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Which context work lands in when other code on the thread changes the current one, and what guards a
 * graph capture keeps: a context is made current whenever the driver says it is not (a cache of what this
 * library last set once sent device 0's work to device 1 after JCuda switched devices), a nested capture
 * leaves the outer one's guard in place, and cuBLAS and cuSOLVER handles refuse a closed stream.
 */
@Tag("gpu")
class CurrentContextGpuTest {

    @BeforeEach
    void assumeGpu() {
        Gpu.assume(Gpu.Need.DEVICE);
    }

    @Test
    void aContextOtherCodeMadeNotCurrentIsMadeCurrentAgain() {
        try (CudaContext context = CudaContext.open(0); DeviceBuffer buffer = DeviceBuffer.allocateFloats(context, 4)) {
            CudaDriver.ctxSetCurrent(MemorySegment.NULL);   // as JCuda, or any other code, may
            buffer.fill(3f);
            assertArrayEquals(new float[] {3, 3, 3, 3}, buffer.toFloatArray(4));
            assertEquals(context.handle().address(), CudaDriver.ctxGetCurrent());
        }
    }

    @Test
    void workForOneDeviceLandsThereAfterOtherCodeSwitchedToAnother() {
        int devices = CudaDriver.deviceGetCount();
        org.junit.jupiter.api.Assumptions.assumeTrue(devices >= 2, "needs two CUDA devices, " + devices + " present");
        try (CudaContext first = CudaContext.open(0); CudaContext second = CudaContext.open(1)) {
            first.use();
            CudaDriver.ctxSetCurrent(second.handle());   // the other code's switch
            try (DeviceBuffer buffer = DeviceBuffer.allocateFloats(first, 4)) {
                assertEquals(first.handle().address(), CudaDriver.ctxGetCurrent(), "allocated in the first context");
                buffer.fill(2f);
                assertArrayEquals(new float[] {2, 2, 2, 2}, buffer.toFloatArray(4));
            }
        }
    }

    @Test
    void eventsAndGraphsRefuseAnotherDevicesStream() {
        int devices = CudaDriver.deviceGetCount();
        org.junit.jupiter.api.Assumptions.assumeTrue(devices >= 2, "needs two CUDA devices, " + devices + " present");
        try (CudaContext first = CudaContext.open(0); CudaContext second = CudaContext.open(1);
             CudaStream mine = CudaStream.create(first); CudaStream theirs = CudaStream.create(second);
             CudaEvent event = CudaEvent.create(first);
             DeviceBuffer buffer = DeviceBuffer.allocateFloats(first, 4)) {
            var e = assertThrows(IllegalArgumentException.class, () -> event.record(theirs));
            assertTrue(e.getMessage().startsWith("record CudaEvent(device 0) on a stream of CudaContext(device 1)"),
                    e.getMessage());
            event.record(mine);   // its own context's stream
            try (CudaGraph graph = CudaGraph.capture(mine, () -> buffer.memsetD32Async(0, 5, 4, mine))) {
                var g = assertThrows(IllegalArgumentException.class, () -> graph.launch(theirs));
                assertTrue(g.getMessage().startsWith("launch CudaGraph(device 0) on a stream of"), g.getMessage());
                graph.launch(mine);
                mine.synchronize();
            }
        }
    }

    @Test
    void aNestedCaptureKeepsTheOuterCapturesGuard() {
        // a second CudaContext of device 0 is another context to the guard, on a machine with one GPU
        try (CudaContext context = CudaContext.open(0); CudaContext other = CudaContext.open(0);
             CudaStream outer = CudaStream.create(context); CudaStream inner = CudaStream.create(context);
             CudaStream otherStream = CudaStream.create(other);
             DeviceBuffer mine = DeviceBuffer.allocateFloats(context, 4);
             DeviceBuffer theirs = DeviceBuffer.allocateFloats(other, 4)) {
            var refused = assertThrows(IllegalStateException.class, () -> CudaGraph.capture(outer, () -> {
                CudaGraph.capture(inner, () -> mine.memsetD32Async(0, Float.floatToRawIntBits(1f), 4, inner)).close();
                theirs.memsetD32Async(0, Float.floatToRawIntBits(9f), 4, otherStream);
            }));
            assertTrue(refused.getMessage().contains("is capturing a CUDA Graph"), refused.getMessage());
        }
    }

    @Test
    void cublasRefusesAClosedStreamBeforeQueuingWork() {
        Gpu.assume(Gpu.Need.CUBLAS);
        try (CudaContext context = CudaContext.open(0);
             DeviceBuffer a = DeviceBuffer.of(context, new float[] {1, 2, 3, 4});
             DeviceBuffer c = DeviceBuffer.allocateFloats(context, 4)) {
            CudaStream stream = CudaStream.create(context);
            try (Cublas blas = Cublas.create(stream)) {
                stream.close();
                assertRefusedAsAClosedStream(() -> blas.sgemm(Transpose.NONE, Transpose.NONE, 2, 2, 2, 1f, a, a, 0f, c));
            }
        }
    }

    @Test
    void cusolverRefusesAClosedStreamBeforeQueuingWork() {
        Gpu.assume(Gpu.Need.CUSOLVER);
        try (CudaContext context = CudaContext.open(0);
             DeviceBuffer a = DeviceBuffer.of(context, new double[] {2, 1, 1, 2});
             DeviceBuffer w = DeviceBuffer.allocateDoubles(context, 2)) {
            CudaStream stream = CudaStream.create(context);
            try (Cusolver solver = Cusolver.create(stream)) {
                stream.close();
                // the device-level call: the host-array ones were refused by their copy to the device
                assertRefusedAsAClosedStream(() -> solver.syevd(CudaDataType.FLOAT64, 2, a, w, false));
            }
        }
    }

    private static void assertRefusedAsAClosedStream(org.junit.jupiter.api.function.Executable call) {
        var e = assertThrows(IllegalStateException.class, call);
        assertTrue(e.getMessage().startsWith("CudaStream(") && e.getMessage().endsWith("is closed"), e.getMessage());
    }
}

package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.RecurrentState;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import dev.mnemo.nn.optim.ParameterBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two CUDA devices in one process (PyTorch's {@code cuda:0} and {@code cuda:1}): each its own backend,
 * context, stream and memory; layers, optimizers and copies on the second; tensors refused across
 * devices. Needs two devices; the emulated CUDA plays two ({@code MNEMO_EMU_DEVICE_COUNT=2}, set by
 * {@code scripts/emu-gpu-tests.sh}), and refuses work queued on a stream while another device's context
 * is current, so a missing context switch fails here.
 */
@Tag("gpu")
class MultiDeviceGpuTest {
    CudaBackend first;
    CudaBackend second;

    @BeforeEach
    void assumeTwoDevices() {
        CudaAssume.available();
        int count = CudaBackend.deviceCount();
        org.junit.jupiter.api.Assumptions.assumeTrue(count >= 2, () -> "needs two CUDA devices, found " + count
                + " (the emulated CUDA plays two with MNEMO_EMU_DEVICE_COUNT=2, as scripts/emu-gpu-tests.sh sets)");
        first = CudaBackend.float32(0);
        second = CudaBackend.float32(1);
    }

    @Test
    void eachDeviceHasItsOwnSharedBackend() {
        assertEquals(0, first.deviceOrdinal());
        assertEquals(1, second.deviceOrdinal());
        assertSame(second, CudaBackend.float32(1));
        assertNotSame(first.context(), second.context());
        assertNotSame(first.stream(), second.stream());
        assertEquals(1, second.context().ordinal());
        CudaBackend tf32 = CudaBackend.tf32(1);
        assertEquals(1, tf32.deviceOrdinal());
        assertSame(second.context(), tf32.context(), "the TF32 view shares the device's runtime, so tensors mix");
        assertEquals("cuda float32", first.toString());
        assertEquals("cuda:1 float32", second.toString());
        assertEquals("cuda:1 float32 tf32", tf32.toString());
    }

    @Test
    void aTensorOfOneDeviceIsRefusedByTheOther() {
        Tensor onFirst = first.copyOf(Tensor.of(new float[] {1, 2, 3}, 3));
        Tensor onSecond = second.zeros(3);
        var e = assertThrows(IllegalArgumentException.class, () -> second.multiply(onFirst, onSecond, onSecond));
        assertTrue(e.getMessage().contains("lives on another CUDA context (device 0) than this backend's (device 1)"),
                e.getMessage());
    }

    @Test
    void copiesMoveTensorsBetweenDevicesAndStayOnTheirOwn() {
        float[] values = {0.5f, -1.25f, 3f, 7.75f, -0.125f, 2f};
        Tensor onFirst = first.copyOf(Tensor.of(values, 2, 3));
        Tensor onSecond = second.copyOf(onFirst);   // t.to("cuda:1")
        assertSame(second, Backend.of(onSecond));
        assertArrayEquals(values, onSecond.to(Device.CPU).toFloatArray(), "a download uses the tensor's own device");
        Tensor twin = onSecond.copy();
        assertSame(second, Backend.of(twin), "copy() stays on the tensor's device");
        Tensor back = first.zeros(2, 3);
        first.copy(onSecond.select(1), back.select(0));
        assertArrayEquals(new float[] {7.75f, -0.125f, 2f, 0, 0, 0}, back.to(Device.CPU).toFloatArray(),
                "views keep their offsets across devices");
    }

    /**
     * With deferred emulated streams ({@code MNEMO_EMU_STREAMS=deferred}) a copy that does not wait for
     * the source device's queued work, or for itself, reads the wrong values here.
     */
    @Test
    void aCopyBetweenDevicesIsOnePeerCopyNotARoundTripThroughTheHost() {
        var census = EmulatorCallCensus.open();
        org.junit.jupiter.api.Assumptions.assumeTrue(census.isPresent(),
                "the call census exists only in Mnemo's emulated driver");
        Tensor values = first.copyOf(Tensor.of(new float[] {1, 2, 3, 4}, 4));
        Tensor onFirst = first.empty(4);
        Tensor onSecond = second.zeros(4);
        census.get().reset();
        first.multiply(values, values, onFirst);   // queued on the first device: the copy must come after it
        second.copy(onFirst.slice(1, 4), onSecond.slice(0, 3));
        var counts = census.get().counts();
        assertEquals(1L, counts.getOrDefault("cuMemcpyPeerAsync", 0L), counts.toString());
        assertEquals(0L, counts.getOrDefault("cuMemcpyDtoH_v2", 0L) + counts.getOrDefault("cuMemcpyHtoD_v2", 0L),
                counts.toString());
        first.fill(onFirst, -1.0);   // and a later write there must not reach it
        assertArrayEquals(new float[] {-1, -1, -1, -1}, onFirst.to(Device.CPU).toFloatArray());
        assertArrayEquals(new float[] {4, 9, 16, 0}, onSecond.to(Device.CPU).toFloatArray());
    }

    /** An LSTM on the second device against the float64 CPU reference, forward and backward. */
    @ParameterizedTest(name = "{0} T={1} B={2} H={3}")
    @CsvSource({"LSTM, 7, 3, 16", "GRU, 5, 2, 12", "RNN_TANH, 6, 40, 24"})
    void layersOnTheSecondDeviceMatchTheCpu(RecurrentCudaGpuTest.Kind kind, int steps, int batch, int hidden) {
        RecurrentCudaGpuTest.compare(second, kind, steps, batch, 5, hidden, true, 2, true, false, true, 0.0, 1e-4,
                8.0);
    }

    @Test
    void anOptimizerStepAndClippingRunOnTheParametersDevice() {
        Lstm onSecond = new Lstm(RecurrentOptions.builder(3, 8).seed(11).build(), second);
        Lstm onCpu = new Lstm(RecurrentOptions.builder(3, 8).seed(11).build(), Backend.cpu());
        second.copy(onCpu.flatParameters(), onSecond.flatParameters());
        Tensor x = RecurrentCudaGpuTest.random(21, 4, 2, 3);
        Tensor dy = RecurrentCudaGpuTest.random(22, 4, 2, 8);
        for (var pair : new Object[][] {{onSecond, second}, {onCpu, Backend.cpu()}}) {
            Lstm layer = (Lstm) pair[0];
            Backend be = (Backend) pair[1];
            RecurrentOutput out = layer.forward(be.copyOf(x), (RecurrentState) null);
            layer.backward(out.saved(), be.copyOf(dy), null);
            Adam adam = new Adam(AdamOptions.of(1e-2), java.util.List.of(ParameterBuffer.of(layer)));
            GradientClipping.clipGlobalNorm(adam, 0.5);
            adam.step();
        }
        assertSame(second, Backend.of(onSecond.flatParameters()));
        double err = RecurrentCudaGpuTest.relError(RecurrentCudaGpuTest.host(onSecond.flatParameters()),
                RecurrentCudaGpuTest.host(onCpu.flatParameters()));
        assertTrue(err < 1e-5, "parameters after one clipped Adam step differ by " + err);
    }

    @Test
    void oneThreadInterleavesBothDevicesWithRecordedLoops() {
        var options = RecurrentOptions.builder(4, 8).seed(5).build();
        Lstm a = new Lstm(options, first);
        Lstm b = new Lstm(options, second);
        a.setStepGraphs(true);
        b.setStepGraphs(true);
        second.copy(a.flatParameters(), b.flatParameters());
        Tensor x = RecurrentCudaGpuTest.random(31, 6, 40, 4);   // B = 40: the per-step loop, recorded
        Tensor xa = first.copyOf(x);
        Tensor xb = second.copyOf(x);
        float[] expected = null;
        for (int call = 0; call < 3; call++) {   // eager, recorded, replayed; the devices alternate
            float[] ya = a.infer(xa, null).output().to(Device.CPU).toFloatArray();
            float[] yb = b.infer(xb, null).output().to(Device.CPU).toFloatArray();
            assertArrayEquals(ya, yb, "call " + call + ": the same layer on both devices");
            if (expected == null) {
                expected = ya;
            }
            assertArrayEquals(expected, yb, "call " + call + " against the first call");
        }
    }

    @Test
    void theDevicePropertyPicksTheDefault() {
        String before = System.getProperty(CudaBackend.DEVICE_PROPERTY);
        try {
            System.setProperty(CudaBackend.DEVICE_PROPERTY, "1");
            assertSame(second, CudaBackend.float32());
            assertSame(second, Backend.auto());
            assertSame(second, Backend.of(Device.CUDA));
            assertEquals(1, CudaBackend.tf32().deviceOrdinal());
            assertSame(second, Backend.of(Tensor.of(new float[] {1}, 1).to(Device.CUDA)));
        } finally {
            restore(before);
        }
        assertSame(first, CudaBackend.float32());
    }

    @Test
    void aDeviceThatDoesNotExistIsAClearError() {
        int count = CudaBackend.deviceCount();
        Executable open = () -> CudaBackend.float32(count);
        var e = assertThrows(IllegalArgumentException.class, open);
        assertEquals("device " + count + " does not exist: " + count + " CUDA device(s) present", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaBackend.tf32(-1));
        String before = System.getProperty(CudaBackend.DEVICE_PROPERTY);
        try {
            System.setProperty(CudaBackend.DEVICE_PROPERTY, String.valueOf(count));
            assertThrows(IllegalArgumentException.class, CudaBackend::float32);
        } finally {
            restore(before);
        }
        assertEquals(1, CudaBackend.float32(1).deviceOrdinal(), "a refused device leaves the others working");
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(CudaBackend.DEVICE_PROPERTY);
        } else {
            System.setProperty(CudaBackend.DEVICE_PROPERTY, before);
        }
    }
}

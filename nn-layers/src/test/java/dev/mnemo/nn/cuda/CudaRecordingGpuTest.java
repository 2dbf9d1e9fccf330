package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaGraph;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import java.lang.ref.WeakReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaBackend#record}: a captured region replays the eager result bit for bit, reads the
 * buffers' current contents, and is captured again when a workspace it uses moves.
 */
@Tag("gpu")
class CudaRecordingGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    Tensor random(long salt, int... shape) {
        var rnd = new SplittableRandom(salt);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return gpu.copyOf(t);
    }

    static float[] host(Tensor t) {
        return t.to(Device.CPU).toFloatArray();
    }

    @Test
    void replayMatchesTheEagerRunAndRecapturesWhenTheCopyWorkspaceMoves() {
        int b = 3;
        int h = 5;
        Tensor source = random(1, b, 4 * h);
        Tensor wx = gpu.zeros(b, 4 * h);
        Tensor rh = random(2, b, 4 * h);
        Tensor bias = random(3, 4 * h);
        Tensor cPrev = random(4, b, h);
        Tensor c = gpu.zeros(b, h);
        Tensor hOut = gpu.zeros(b, h);
        // gates = wx (in place), then h ⊙= c with the output aliasing an operand: the product reads a
        // copy in the runtime's COPY workspace, whose address the graph holds.
        Runnable region = () -> {
            gpu.copy(source, wx);
            gpu.lstmCellForward(wx, rh, bias, null, cPrev, wx, c, hOut);
            gpu.multiply(hOut, c, hOut);
        };
        CudaRecording rec = (CudaRecording) gpu.record(region);
        float[] eager = host(hOut);
        assertFalse(rec.isEager(), "capture failed");
        assertEquals(1, rec.captures());

        gpu.fill(hOut, 0);
        rec.replay();
        assertArrayEquals(eager, host(hOut), "replay");

        gpu.copy(random(5, b, 4 * h), source);   // new contents, same buffers
        region.run();
        float[] eagerNew = host(hOut);
        gpu.fill(hOut, 0);
        rec.replay();
        assertArrayEquals(eagerNew, host(hOut), "replay reads the current contents");

        // Growing the COPY workspace moves it: the graph holds the old address and is stale.
        CudaRuntime rt = gpu.runtimeForTests();
        long capacity = rt.workspace(CudaRuntime.Workspace.COPY, 0).floatCapacity();
        rt.workspace(CudaRuntime.Workspace.COPY, capacity + 1);
        gpu.fill(hOut, 0);
        rec.replay();
        assertEquals(2, rec.captures(), "captured again after the workspace moved");
        assertArrayEquals(eagerNew, host(hOut), "replay after recapture");

        rec.close();
        assertThrows(IllegalStateException.class, rec::replay);
    }

    @Test
    void aRegionThatAllocatesIsNotCapturedAndRerunsEagerly() {
        Tensor out = gpu.zeros(8);
        float[] value = {1f};
        // The temporary's block would stay in the graph after the allocator had handed it on.
        CudaRecording rec = (CudaRecording) gpu.record(() -> {
            Tensor tmp = gpu.zeros(8);
            gpu.fill(tmp, value[0]);
            gpu.copy(tmp, out);
        });
        assertTrue(rec.isEager(), "capture must fail on the allocation");
        assertEquals(0, rec.captures());
        value[0] = 3f;
        rec.replay();
        assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3, 3, 3}, host(out), "an eager replay runs the region anew");
        Tensor after = gpu.zeros(8);   // allocation works again once the capture is over
        assertArrayEquals(new float[8], host(after));
    }

    @Test
    void theGraphOfAnUnreachableRecordingIsDestroyedAtTheNextAllocation() throws InterruptedException {
        Tensor x = random(5, 64);
        CudaRecording rec = (CudaRecording) gpu.record(() -> gpu.scale(x, 0.5));
        CudaGraph graph = rec.graphForTests();
        assertFalse(graph == null || graph.isClosed(), "no live graph was captured");
        var gone = new WeakReference<>(rec);
        rec = null;
        for (int i = 0; i < 200 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(5);
        }
        assertTrue(gone.get() == null, "the recording was not collected");
        boolean closed = false;
        for (int i = 0; i < 200 && !closed; i++) {   // the cleaner thread queues the graph soon after
            gpu.zeros(1);                          // an allocation drains the runtime's release queue
            closed = graph.isClosed();
            Thread.sleep(5);
        }
        assertTrue(closed, "the unreachable recording's graph was not destroyed");
    }
}

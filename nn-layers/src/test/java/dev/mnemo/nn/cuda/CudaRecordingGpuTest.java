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

    /**
     * A gather reads its row indices from one of four reused workspace slots, rewritten in place when other
     * gathers need them: the graph holds the slot's address, so a replay after four other gathers read their
     * indices (other rows, silently). The rewrite is counted and the recording captures again.
     */
    @Test
    void aReplayAfterOtherGathersReadsItsOwnRows() {
        Tensor table = random(21, 10, 3);
        Tensor hostTable = table.to(Device.CPU);
        for (int k = 0; k < 4; k++) {   // every slot allocated and holding other orders
            gpu.gatherRows(table, new int[] {k + 3, 9, k + 1, 8, k + 2, 6, 4}, gpu.zeros(7, 3));
        }
        int[] rows = {5, 3, 1, 7, 2, 0, 9};
        Tensor out = gpu.zeros(7, 3);
        CudaRecording rec = (CudaRecording) gpu.record(() -> gpu.gatherRows(table, rows, out));
        assertFalse(rec.isEager(), "capture failed");
        Tensor expected = Tensor.zeros(7, 3);
        dev.mnemo.nn.Backend.cpu().gatherRows(hostTable, rows, expected);
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 4; k++) {
                gpu.gatherRows(table, new int[] {k, 9, k + 1, 8, k + 2, 6, 4}, gpu.zeros(7, 3));
            }
            gpu.fill(out, 0);
            rec.replay();
            assertArrayEquals(expected.toFloatArray(), host(out), "round " + round + ": the recorded gather's rows");
            gpu.fill(out, 0);
            rec.replay();   // nothing rewrote the slot since: the new graph replays
            assertArrayEquals(expected.toFloatArray(), host(out), "round " + round + ": again");
        }
        assertEquals(4, rec.captures(), "captured once, then once per round of other gathers");

        // a region gathering more orders than there are slots rewrites one it read before: it stays eager
        int[][] many = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}};
        Tensor[] outs = new Tensor[many.length];
        for (int k = 0; k < many.length; k++) {
            outs[k] = gpu.zeros(2, 3);
        }
        CudaRecording five = (CudaRecording) gpu.record(() -> {
            for (int k = 0; k < many.length; k++) {
                gpu.gatherRows(table, many[k], outs[k]);
            }
        });
        for (Tensor o : outs) {
            gpu.fill(o, 0);
        }
        five.replay();
        for (int k = 0; k < many.length; k++) {
            Tensor want = Tensor.zeros(2, 3);
            dev.mnemo.nn.Backend.cpu().gatherRows(hostTable, many[k], want);
            assertArrayEquals(want.toFloatArray(), host(outs[k]), "gather " + k + " of five in one region");
        }
    }

    /**
     * Work on another device inside a recorded region is not captured (capture is of this device's stream):
     * it ran at capture, so twice at record time, and never on replay. Now its use throws during capture,
     * before anything runs, and the recording replays the region eagerly.
     */
    @Test
    void anotherDeviceInsideARecordedRegionRunsOnceAndOnEveryReplay() {
        int count = CudaBackend.deviceCount();
        org.junit.jupiter.api.Assumptions.assumeTrue(count >= 2, () -> "needs two CUDA devices, found " + count
                + " (the emulated CUDA plays two with MNEMO_EMU_DEVICE_COUNT=2)");
        CudaBackend second = CudaBackend.float32(1);
        Tensor b = second.copyOf(Tensor.of(new float[] {1, 1, 1, 1}, 4));
        Tensor a = gpu.copyOf(Tensor.of(new float[] {1, 1}, 2));
        CudaRecording rec = (CudaRecording) gpu.record(() -> {
            gpu.scale(a, 3);
            second.scale(b, 2);
        });
        assertArrayEquals(new float[] {2, 2, 2, 2}, host(b), "the region ran once");
        assertArrayEquals(new float[] {3, 3}, host(a));
        assertTrue(rec.isEager(), "a region using two devices cannot be one graph");
        second.fill(b, 1);
        rec.replay();
        assertArrayEquals(new float[] {2, 2, 2, 2}, host(b), "and once per replay");
        assertArrayEquals(new float[] {9, 9}, host(a));
    }
}

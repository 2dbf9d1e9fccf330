package dev.mnemo.nn.io;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.optim.OptimizerState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Checkpoint} with CUDA tensors: a resumed CUDA run matches the uninterrupted one bit for bit
 * (same device, same kernels), and a checkpoint moves between the CPU and CUDA with every parameter
 * and state element unchanged. Skipped, with the reason, where the CUDA backend cannot start.
 */
@Tag("gpu")
class CheckpointGpuTest {

    @TempDir
    Path dir;

    @BeforeEach
    void assumeCuda() {
        Assumptions.assumeTrue(CudaBackend.isAvailable(), () -> CudaBackend.unavailableReason().orElse(""));
    }

    static java.util.stream.Stream<CheckpointTest.Recipe> recipes() {
        return CheckpointTest.recipes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void aResumedCudaRunMatchesTheUninterruptedOneBitForBit(CheckpointTest.Recipe recipe) throws IOException {
        CheckpointTest.Model[] ab = CheckpointTest.interruptedAndResumed(Backend.of(Device.CUDA), recipe,
                dir.resolve("ckpt.safetensors"));
        assertEquals(Device.CUDA, ab[1].lstm.flatParameters().device());
        assertArrayEquals(ab[0].flatParameters(), ab[1].flatParameters(), recipe.name());
        assertEquals(ab[0].optimizer.lr(), ab[1].optimizer.lr());
        assertStateEquals(ab[0].optimizer.stateDict(), ab[1].optimizer.stateDict());
    }

    /** CPU → file → CUDA → file → CPU: parameters, state, step, lr and epoch arrive unchanged. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void aCheckpointMovesBetweenTheCpuAndCuda(CheckpointTest.Recipe recipe) throws IOException {
        var cpu = new CheckpointTest.Model(Backend.cpu(), CheckpointTest.SEED, recipe);
        cpu.train(0, CheckpointTest.K);
        Path fromCpu = dir.resolve("cpu.safetensors");
        Checkpoint.write(fromCpu, cpu.parameters(), cpu.optimizer, cpu.scheduler);

        var gpu = new CheckpointTest.Model(Backend.of(Device.CUDA), CheckpointTest.SEED + 100, recipe);
        Checkpoint.load(fromCpu, gpu.parameters(), gpu.optimizer, gpu.scheduler);
        assertArrayEquals(cpu.flatParameters(), gpu.flatParameters());
        assertStateEquals(cpu.optimizer.stateDict(), gpu.optimizer.stateDict());
        Path fromGpu = dir.resolve("gpu.safetensors");
        Checkpoint.write(fromGpu, gpu.parameters(), gpu.optimizer, gpu.scheduler);

        var back = new CheckpointTest.Model(Backend.cpu(), CheckpointTest.SEED + 200, recipe);
        Checkpoint.load(fromGpu, back.parameters(), back.optimizer, back.scheduler);
        assertArrayEquals(cpu.flatParameters(), back.flatParameters());
        assertStateEquals(cpu.optimizer.stateDict(), back.optimizer.stateDict());
        if (cpu.scheduler != null) {
            assertEquals(cpu.scheduler.lastEpoch(), back.scheduler.lastEpoch());
        }
    }

    /** In memory, a CUDA optimizer's state loads into another CUDA optimizer, but not into a CPU one. */
    @Test
    void cudaStateLoadsOnCudaAndIsRefusedOnTheCpu() {
        CheckpointTest.Recipe adam = CheckpointTest.recipes().findFirst().orElseThrow();
        var gpu = new CheckpointTest.Model(Backend.of(Device.CUDA), CheckpointTest.SEED, adam);
        gpu.train(0, 2);
        var gpu2 = new CheckpointTest.Model(Backend.of(Device.CUDA), CheckpointTest.SEED, adam);
        gpu2.optimizer.loadStateDict(gpu.optimizer.stateDict());
        assertStateEquals(gpu.optimizer.stateDict(), gpu2.optimizer.stateDict());
        assertEquals(2, gpu2.optimizer.stepCount());

        var cpu = new CheckpointTest.Model(Backend.cpu(), CheckpointTest.SEED, adam);
        var e = assertThrows(IllegalArgumentException.class, () -> cpu.optimizer.loadStateDict(gpu.optimizer.stateDict()));
        assertTrue(e.getMessage().contains("0.exp_avg: on cuda:" + CudaBackend.of(gpu.lstm.flatParameters())
                .deviceOrdinal() + " in the state, cpu here (a state must be on the optimizer's device or on the "
                + "host)"), e.getMessage());

        // a NaN in a CUDA state tensor is found too (the check downloads it)
        SequencedMap<String, Tensor> t = new LinkedHashMap<>();
        gpu.optimizer.stateDict().tensors().forEach((k, v) -> t.put(k, v.copy()));
        Tensor host = t.get("1.exp_avg").to(Device.CPU);
        host.setFlat(1, Double.NaN);
        t.put("1.exp_avg", host.to(Device.CUDA));
        OptimizerState s = gpu.optimizer.stateDict();
        var nan = assertThrows(IllegalArgumentException.class, () -> gpu2.optimizer.loadStateDict(
                new OptimizerState(s.kind(), s.options(), s.buffers(), s.step(), s.lr(), t)));
        assertTrue(nan.getMessage().endsWith("1.exp_avg: element 1 is NaN: state must be finite"), nan.getMessage());
    }

    /** State on another GPU is refused before anything is copied (the backend's copy would refuse half-way). */
    @Test
    void stateOnAnotherGpuIsRefused() {
        Assumptions.assumeTrue(CudaBackend.deviceCount() >= 2, () -> CudaBackend.deviceCount()
                + " CUDA device(s): another GPU needs 2");
        CheckpointTest.Recipe adam = CheckpointTest.recipes().findFirst().orElseThrow();
        var first = new CheckpointTest.Model(CudaBackend.float32(0), CheckpointTest.SEED, adam);
        var second = new CheckpointTest.Model(CudaBackend.float32(1), CheckpointTest.SEED, adam);
        first.train(0, 2);
        var e = assertThrows(IllegalArgumentException.class,
                () -> second.optimizer.loadStateDict(first.optimizer.stateDict()));
        assertTrue(e.getMessage().endsWith("1.exp_avg_sq: on cuda:0 in the state, cuda:1 here (a state must be on "
                + "the optimizer's device or on the host)"), e.getMessage());
        assertEquals(0, second.optimizer.stepCount());
        // through a file it loads: the checkpoint's tensors are host tensors, uploaded to device 1
        OptimizerState want = first.optimizer.stateDict();
        second.optimizer.loadStateDict(new OptimizerState(want.kind(), want.options(), want.buffers(), want.step(),
                want.lr(), hostCopies(want)));
        assertStateEquals(want, second.optimizer.stateDict());
    }

    static SequencedMap<String, Tensor> hostCopies(OptimizerState s) {
        SequencedMap<String, Tensor> t = new LinkedHashMap<>();
        s.tensors().forEach((k, v) -> t.put(k, v.to(Device.CPU)));
        return t;
    }

    static void assertStateEquals(OptimizerState want, OptimizerState got) {
        assertEquals(want.step(), got.step());
        assertEquals(want.lr(), got.lr());
        assertEquals(want.tensors().keySet(), got.tensors().keySet());
        for (var e : want.tensors().entrySet()) {
            assertArrayEquals(e.getValue().to(Device.CPU).toFloatArray(),
                    got.tensors().get(e.getKey()).to(Device.CPU).toFloatArray(), e.getKey());
        }
    }
}

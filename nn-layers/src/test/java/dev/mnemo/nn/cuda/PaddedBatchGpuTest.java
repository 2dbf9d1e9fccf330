package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.PaddedBatch;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PaddedBatch on CUDA: the padded batch lands on the device as on the CPU, and unpad gives the sequences back. */
@Tag("gpu")
class PaddedBatchGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @ParameterizedTest(name = "batchFirst={0}")
    @ValueSource(booleans = {false, true})
    void padsAndSplitsOnTheDevice(boolean batchFirst) {
        List<Tensor> seqs = List.of(RecurrentCudaGpuTest.random(1, 3, 5), RecurrentCudaGpuTest.random(2, 7, 5),
                RecurrentCudaGpuTest.random(3, 1, 5));
        PaddedBatch cpu = PaddedBatch.of(seqs, batchFirst, CpuBackend.float32());
        PaddedBatch gpu = PaddedBatch.of(seqs, batchFirst, CudaBackend.float32());
        assertEquals(Device.CUDA, gpu.x().device());
        assertEquals(0.0, RecurrentCudaGpuTest.relError(RecurrentCudaGpuTest.host(gpu.x()), cpu.x()));
        List<Tensor> back = gpu.unpad(gpu.x());
        for (int b = 0; b < seqs.size(); b++) {
            assertEquals(Device.CUDA, back.get(b).device());
            assertEquals(0.0, RecurrentCudaGpuTest.relError(RecurrentCudaGpuTest.host(back.get(b)), seqs.get(b)),
                    "sequence " + b);
        }
    }

    /** Sequence classification on the padded batch: each sequence scored at its own last step, as on the CPU. */
    @ParameterizedTest(name = "batchFirst={0}")
    @ValueSource(booleans = {false, true})
    void lastStepLossOfAPaddedBatchMatchesTheCpu(boolean batchFirst) {
        List<Tensor> seqs = List.of(RecurrentCudaGpuTest.random(4, 3, 6), RecurrentCudaGpuTest.random(5, 7, 6),
                RecurrentCudaGpuTest.random(6, 1, 6));
        int[] targets = {5, 0, 2};
        PaddedBatch cpu = PaddedBatch.of(seqs, batchFirst, CpuBackend.float32());
        PaddedBatch gpu = PaddedBatch.of(seqs, batchFirst, CudaBackend.float32());
        Loss want = new SoftmaxCrossEntropy(CpuBackend.float32()).lastStep(cpu.x(), targets, cpu.lengths(), batchFirst);
        Loss got = new SoftmaxCrossEntropy(CudaBackend.float32()).lastStep(gpu.x(), targets, gpu.lengths(), batchFirst);
        assertEquals(want.value(), got.value(), 1e-6 * Math.abs(want.value()));
        assertEquals(0.0, RecurrentCudaGpuTest.relError(RecurrentCudaGpuTest.host(got.gradient()), want.gradient()),
                1e-6);
    }
}

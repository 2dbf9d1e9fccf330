package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.experiments.tasks.translation.SentencePair;
import dev.mnemo.experiments.tasks.translation.SyntheticParallelCorpus;
import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The translator on CUDA against the CPU: the same loss, gradients and translations (greedy and beam) from the
 * same initial weights, and every tensor a training pass or a translation makes goes back to the
 * allocator (the memory in use returns to what it was).
 */
@Tag("gpu")
class Seq2SeqModelGpuTest {

    private static final List<SentencePair> PAIRS = SyntheticParallelCorpus.generate(64, 3).stream()
            .filter(p -> p.source().size() == 7).toList();
    private static final TranslationVocabulary SOURCE = TranslationVocabulary.fit(
            SyntheticParallelCorpus.generate(400, 3).stream().map(SentencePair::source).toList(), 1);
    private static final TranslationVocabulary TARGET = TranslationVocabulary.fit(
            SyntheticParallelCorpus.generate(400, 3).stream().map(SentencePair::target).toList(), 1);

    private CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        var reason = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
        gpu = CudaBackend.float32();
    }

    @ParameterizedTest(name = "{0}, attention {1}")
    @CsvSource({"rnn, false", "lstm, false", "gru, false", "rnn, true", "lstm, true", "gru, true"})
    void cudaTrainsAndTranslatesAsTheCpuAndHandsEveryTensorBack(String cell, boolean attention) {
        var s = new RunSettings(cell, "xavier", Map.of(), 16, 2, 1, 8, 0.01, 1.0, 11, "cpu");
        Seq2SeqModel cpu = Seq2SeqModel.build(s, SOURCE.size(), TARGET.size(), 8, attention, Backend.cpu());
        Seq2SeqModel cuda = Seq2SeqModel.build(s, SOURCE.size(), TARGET.size(), 8, attention, gpu);
        TranslationBatch b = TranslationBatch.of(PAIRS, SOURCE, TARGET, true);
        List<ParameterBuffer> onCpu = cpu.parameterBuffers();
        List<ParameterBuffer> onGpu = cuda.parameterBuffers();
        for (int k = 0; k < onCpu.size(); k++) {
            assertArrayEquals(onCpu.get(k).parameters().toFloatArray(),
                    onGpu.get(k).parameters().to(Device.CPU).toFloatArray(), "initial weights, part " + k);
        }
        cpu.zeroGradients();
        cuda.zeroGradients();
        // graphs off: a recording keeps its buffers with the layer, by design
        cuda.recurrentLayers().values().forEach(layer -> layer.setStepGraphs(false));
        gpu.reclaimUnreachable();   // earlier tests' garbage, so it cannot drop mid-measurement
        long before = inUse();
        double lossCpu = cpu.lossAndGradients(b);
        double lossGpu = cuda.lossAndGradients(b);
        assertEquals(lossCpu, lossGpu, 1e-5 * Math.abs(lossCpu));
        for (int k = 0; k < onCpu.size(); k++) {
            float[] want = onCpu.get(k).gradients().toFloatArray();
            float[] got = onGpu.get(k).gradients().to(Device.CPU).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5 + 1e-3 * Math.abs(want[i]), "gradient part " + k + " [" + i + "]");
            }
        }
        for (int beam : new int[] {1, 3}) {
            int[][] wantWords = cpu.translate(b, 12, beam);
            int[][] gotWords = cuda.translate(b, 12, beam);
            for (int i = 0; i < wantWords.length; i++) {
                assertArrayEquals(wantWords[i], gotWords[i], "beam " + beam + ", sentence " + i);
            }
        }
        assertEquals(before, inUse(), "bytes still held after a pass and a translation");
    }

    /** Bytes in use once the blocks queued for release so far are freed (an allocation drains the queue). */
    private long inUse() {
        gpu.release(gpu.zeros(1));
        return gpu.memoryStats().inUseBytes();
    }
}

package dev.mnemo.nn.layers;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PaddedBatch (PyTorch's pad_sequence / unpad_sequence): the padded layout, zeros after each end, and
 * the round trip through a variable-length LSTM call, whose per-sequence outputs equal running each
 * sequence alone; bad input fails with the rule.
 */
class PaddedBatchTest {

    private static final CpuBackend BE = CpuBackend.float64();

    private static List<Tensor> sequences(int features, int... lengths) {
        List<Tensor> out = new ArrayList<>();
        for (int b = 0; b < lengths.length; b++) {
            out.add(TestData.uniform(BE, 70 + b, 1.0, lengths[b], features));
        }
        return out;
    }

    @ParameterizedTest(name = "batchFirst={0}")
    @ValueSource(booleans = {false, true})
    void padsWithZerosAndSplitsBack(boolean batchFirst) {
        List<Tensor> seqs = sequences(3, 2, 5, 1, 5);
        PaddedBatch p = PaddedBatch.of(seqs, batchFirst, BE);
        assertArrayEquals(new int[]{2, 5, 1, 5}, p.lengths());
        assertArrayEquals(batchFirst ? new int[]{4, 5, 3} : new int[]{5, 4, 3}, p.x().shape());
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < 5; t++) {
                for (int f = 0; f < 3; f++) {
                    double want = t < seqs.get(b).dim(0) ? seqs.get(b).get(t, f) : 0.0;
                    double got = batchFirst ? p.x().get(b, t, f) : p.x().get(t, b, f);
                    assertEquals(want, got, "b=" + b + " t=" + t + " f=" + f);
                }
            }
        }
        List<Tensor> back = p.unpad(p.x());
        for (int b = 0; b < 4; b++) {
            assertEquals(0.0, TestData.maxAbsDiff(seqs.get(b), back.get(b)), "sequence " + b);
        }
    }

    /** Through a bidirectional LSTM: each unpadded output is that sequence's own output. */
    @ParameterizedTest(name = "batchFirst={0}")
    @ValueSource(booleans = {false, true})
    void aVariableLengthCallGivesEachSequenceItsOwnOutput(boolean batchFirst) {
        Lstm lstm = new Lstm(RecurrentOptions.builder(3, 4).bidirectional(true).batchFirst(batchFirst).seed(5).build(),
                BE);
        List<Tensor> seqs = sequences(3, 4, 1, 6, 3);
        PaddedBatch p = PaddedBatch.of(seqs, batchFirst, BE);
        List<Tensor> outputs = p.unpad(lstm.forward(p.x(), null, p.lengths()).output());
        for (int b = 0; b < seqs.size(); b++) {
            Tensor alone = seqs.get(b).reshape(batchFirst ? new int[]{1, seqs.get(b).dim(0), 3}
                    : new int[]{seqs.get(b).dim(0), 1, 3});
            Tensor want = lstm.forward(alone, null).output();
            assertTrue(TestData.maxAbsDiff(want.reshape(seqs.get(b).dim(0), 8), outputs.get(b)) < 1e-12,
                    "sequence " + b);
        }
    }

    @Test
    void badInputSaysWhatIsWrong() {
        var e = assertThrows(IllegalArgumentException.class, () -> PaddedBatch.of(List.of(), false, BE));
        assertEquals("sequences must hold at least one sequence, got none", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PaddedBatch.of(Arrays.asList(Tensor.zeros(2, 3), null), false, BE));
        assertEquals("sequences[1] must be [len >= 1, F], got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PaddedBatch.of(List.of(Tensor.zeros(0, 3)), false, BE));
        assertEquals("sequences[0] must be [len >= 1, F], got [0, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PaddedBatch.of(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), false, BE));
        assertEquals("sequences[1] has 4 features, sequences[0] 3: every sequence needs the same F", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PaddedBatch(BE.zeros(4, 2, 3), new int[]{4}, false));
        assertEquals("lengths holds 1 lengths for a batch of 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PaddedBatch(BE.zeros(2, 4, 3), new int[]{4, 5}, true));
        assertEquals("lengths[1] is 5: each length must be in 1..4 (T)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PaddedBatch(BE.zeros(4, 2, 3), new int[]{0, 4}, false));
        assertEquals("lengths[0] is 0: each length must be in 1..4 (T)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PaddedBatch(BE.zeros(4, 2), new int[]{4, 4}, false));
        assertEquals("x must be [T, B, F], got [4, 2]", e.getMessage());
        PaddedBatch p = PaddedBatch.of(sequences(3, 2, 4), false, BE);
        e = assertThrows(IllegalArgumentException.class, () -> p.unpad(BE.zeros(4, 3, 5)));
        assertEquals("padded must be [T 4, B 2, F], like this batch, got [4, 3, 5]", e.getMessage());
    }
}

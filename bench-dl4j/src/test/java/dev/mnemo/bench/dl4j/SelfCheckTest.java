package dev.mnemo.bench.dl4j;

import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark compares like with like: at a tiny shape both models have the documented parameter
 * counts, produce finite {@code [B, 10]} outputs and learn; and with Mnemo's weights copied into
 * DL4J's network the two compute the same outputs and the same loss — so both sides do the same
 * arithmetic, and the input layouts ([T, B, I] and [B, I, T]) hold the same sequences.
 */
class SelfCheckTest {

    private static final BenchShape TINY = new BenchShape(5, 3, 4, 6);

    @BeforeAll
    static void oneThread() {
        Dl4jRuntime.setThreads(1);
    }

    @Test
    void parameterCountsAreTheFormulasAndDifferByOneBiasVector() {
        BenchData data = BenchData.random(TINY, 3);
        long i = TINY.input();
        long h = TINY.hidden();
        long head = 10 * h + 10;
        var mnemo = new MnemoClassifier(data, OptimizerKind.SGD, 3);
        var dl4j = new Dl4jClassifier(data, OptimizerKind.SGD, 3);
        assertEquals(4 * h * (i + h) + 8 * h + head, mnemo.parameterCount());
        assertEquals(4 * h * (i + h) + 4 * h + head, dl4j.parameterCount());
        assertEquals(4 * h, mnemo.parameterCount() - dl4j.parameterCount());
    }

    @Test
    void forwardGivesFiniteOutputsOfShapeBatchByClasses() {
        BenchData data = BenchData.random(TINY, 4);
        for (SequenceClassifier model : new SequenceClassifier[]{
                new MnemoClassifier(data, OptimizerKind.SGD, 4), new Dl4jClassifier(data, OptimizerKind.SGD, 4)}) {
            SideBySide.checkOutputs(model, TINY);   // throws on a wrong length or a non-finite value
            assertEquals(TINY.batch() * BenchShape.CLASSES, model.forward().length, model.name());
        }
        float[] probabilities = new Dl4jClassifier(data, OptimizerKind.SGD, 4).forward();
        for (int b = 0; b < TINY.batch(); b++) {
            double sum = 0;
            for (int c = 0; c < BenchShape.CLASSES; c++) {
                sum += probabilities[b * BenchShape.CLASSES + c];
            }
            assertEquals(1.0, sum, 1e-5, "DL4J's output is a softmax: row " + b);
        }
    }

    @Test
    void bothSidesLearnTheirBatchWithEitherOptimizer() {
        BenchData data = BenchData.random(TINY, 5);
        for (OptimizerKind kind : OptimizerKind.values()) {
            for (SequenceClassifier model : new SequenceClassifier[]{
                    new MnemoClassifier(data, kind, 5), new Dl4jClassifier(data, kind, 5)}) {
                double first = SideBySide.checkedLoss(model);
                double last = first;
                for (int step = 0; step < 60; step++) {
                    last = SideBySide.checkedLoss(model);
                }
                assertTrue(last < first - 0.05, model.name() + " " + kind + ": loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void withTheSameWeightsBothSidesComputeTheSameOutputsAndLoss() {
        BenchData data = BenchData.random(TINY, 6);
        var mnemo = new MnemoClassifier(data, OptimizerKind.SGD, 6);
        var dl4j = new Dl4jClassifier(data, OptimizerKind.SGD, 6);
        copyWeights(mnemo, dl4j);

        float[] logits = mnemo.forward();
        float[] probabilities = dl4j.forward();
        assertArrayEquals(softmaxRows(logits), probabilities, 2e-6f);
        // The first training step's loss comes from the forward before the update.
        assertEquals(mnemo.trainStep(), dl4j.trainStep(), 1e-5);
    }

    @Test
    void dl4jLayoutHoldsTheSameSequences() {
        BenchData data = BenchData.random(new BenchShape(3, 2, 4, 1), 7);
        float[] ncw = data.batchFeatureTime();
        // x[t, b, i] in [T, B, I] is ncw[b, i, t] in [B, I, T].
        for (int t = 0; t < 3; t++) {
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(data.x()[(t * 2 + b) * 4 + i], ncw[(b * 4 + i) * 3 + t]);
                }
            }
        }
        float[] oneHot = data.oneHotTargets();
        for (int b = 0; b < 2; b++) {
            assertEquals(1f, oneHot[b * BenchShape.CLASSES + data.targets()[b]]);
        }
    }

    @Test
    void shapeListsParseAndBadOnesAreNamed() {
        assertEquals(BenchShape.ANCHORS, BenchShape.parseList("anchors"));
        assertEquals(java.util.List.of(new BenchShape(10, 2, 3, 4), new BenchShape(1, 1, 1, 1)),
                BenchShape.parseList("10x2x3x4, 1x1x1x1"));
        var e = assertThrows(IllegalArgumentException.class, () -> BenchShape.parseList("10x2x3"));
        assertTrue(e.getMessage().contains("'10x2x3'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchShape.parse("0x1x1x1"));
    }

    /**
     * Mnemo's LSTM (gates i|f|g|o, weight_ih [4H, I], weight_hh [4H, H], two biases) into DL4J's
     * (W [I, 4H], RW [H, 4H], one bias b [1, 4H], gate blocks in the order g|f|o|i of its
     * LSTMHelpers: block input, forget, output, input gate); the head's [10, H] weight transposed.
     */
    private static void copyWeights(MnemoClassifier mnemo, Dl4jClassifier dl4j) {
        int h = TINY.hidden();
        int in = TINY.input();
        Map<String, Tensor> p = mnemo.lstm().parameters();
        float[] wih = p.get("weight_ih_l0").toFloatArray();
        float[] whh = p.get("weight_hh_l0").toFloatArray();
        float[] bih = p.get("bias_ih_l0").toFloatArray();
        float[] bhh = p.get("bias_hh_l0").toFloatArray();
        int[] mnemoGateOfDl4jBlock = {2, 1, 3, 0};
        float[] w = new float[in * 4 * h];
        float[] rw = new float[h * 4 * h];
        float[] b = new float[4 * h];
        for (int block = 0; block < 4; block++) {
            int gate = mnemoGateOfDl4jBlock[block];
            for (int j = 0; j < h; j++) {
                int col = block * h + j;
                int row = gate * h + j;
                for (int i = 0; i < in; i++) {
                    w[i * 4 * h + col] = wih[row * in + i];
                }
                for (int k = 0; k < h; k++) {
                    rw[k * 4 * h + col] = whh[row * h + k];
                }
                b[col] = bih[row] + bhh[row];
            }
        }
        var net = dl4j.network();
        net.setParam("0_W", Nd4j.create(w, new long[]{in, 4L * h}, 'c'));
        net.setParam("0_RW", Nd4j.create(rw, new long[]{h, 4L * h}, 'c'));
        net.setParam("0_b", Nd4j.create(b, new long[]{1, 4L * h}, 'c'));
        float[] hw = mnemo.head().parameters().get("weight").toFloatArray();   // [10, H]
        float[] hwT = new float[hw.length];
        for (int c = 0; c < 10; c++) {
            for (int k = 0; k < h; k++) {
                hwT[k * 10 + c] = hw[c * h + k];
            }
        }
        net.setParam("1_W", Nd4j.create(hwT, new long[]{h, 10}, 'c'));
        INDArray hb = Nd4j.create(mnemo.head().parameters().get("bias").toFloatArray(), new long[]{1, 10}, 'c');
        net.setParam("1_b", hb);
    }

    private static float[] softmaxRows(float[] logits) {
        float[] out = new float[logits.length];
        int classes = BenchShape.CLASSES;
        for (int r = 0; r < logits.length / classes; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[r * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[r * classes + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                out[r * classes + c] = (float) (Math.exp(logits[r * classes + c] - max) / sum);
            }
        }
        return out;
    }
}

package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.FiniteDifferences;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmbeddingTest {

    @Test
    void forwardGathersRowsAndBackwardAddsThemBack() {
        var emb = new Embedding(3, 2, 0);
        emb.parameters().get("weight").copyFrom(Tensor.of(new float[]{0, 1, 10, 11, 20, 21}, 3, 2));
        var out = emb.forward(new int[]{2, 0, 2, 1}, 2, 2);
        assertArrayEquals(new int[]{2, 2, 2}, out.output().shape());
        assertArrayEquals(new float[]{20, 21, 0, 1, 20, 21, 10, 11}, out.output().toFloatArray());
        emb.backward(out.saved(), Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
        // row 0 ← (3, 4); row 1 ← (7, 8); row 2 ← (1, 2) + (5, 6)
        assertArrayEquals(new float[]{3, 4, 7, 8, 6, 8}, emb.flatGradients().toFloatArray());
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Backend be = CpuBackend.float64();
        var emb = new Embedding(5, 3, 7, be);
        int[] idx = {4, 1, 1, 0, 3, 4};
        Tensor r = TestData.uniform(be, 3, 1.0, 3, 2, 3);
        emb.backward(emb.forward(idx, 3, 2).saved(), r);
        assertNull(FiniteDifferences.compare("weight", emb.parameters().get("weight"), emb.gradients().get("weight"),
                () -> TestData.dot(emb.forward(idx, 3, 2).output(), r)));
    }

    @Test
    void initialisationIsStandardNormal() {
        var emb = new Embedding(1000, 10, 3);
        double sum = 0;
        double sq = 0;
        for (long i = 0; i < emb.flatParameters().numel(); i++) {
            double v = emb.flatParameters().getFlat(i);
            sum += v;
            sq += v * v;
        }
        double n = emb.flatParameters().numel();
        assertEquals(0, sum / n, 0.03);
        assertEquals(1, sq / n, 0.05);
    }

    @Test
    void badIndicesAreNamed() {
        var emb = new Embedding(10, 4, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> emb.forward(new int[]{1, 12, 3}));
        assertEquals("indices[1] must be in [0, 10) (num_embeddings), got 12", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> emb.forward(new int[]{1, 2, 3}, 2, 2));
        assertEquals("indices must have 4 elements (shape [2, 2], at least one), got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 4, 0));
        assertEquals("numEmbeddings must be > 0, got 0", e.getMessage());
    }
}

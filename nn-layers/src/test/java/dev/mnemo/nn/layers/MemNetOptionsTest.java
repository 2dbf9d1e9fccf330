package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MemNet's defaults, parameter names, shapes and count, and its initialisation laws. */
class MemNetOptionsTest {

    @Test
    void defaultsFollowTheAuthorsCode() {
        var o = MemNetOptions.of(1, 1);
        assertEquals(32, o.keySize());
        assertEquals(32, o.valueSize());
        assertEquals(8, o.slots());
        assertEquals(1.0, o.scale());
        assertEquals(false, o.maskEmptySlots());
        assertEquals(0.1, o.dropout());
        assertEquals(0, o.maxSteps());
        assertEquals(96, o.stateSize());
        assertEquals(129, o.cellInputSize());
        assertEquals(o, o.toBuilder().build());
    }

    /** The paper's configuration: d_in = d_out = 1, d_k = d_v = 32 has 12,738 parameters, whatever M. */
    @Test
    void parameterCountIs12738AndDoesNotDependOnSlots() {
        for (int slots : new int[] {1, 8, 1000}) {
            var layer = new MemNet(MemNetOptions.builder(1, 1).slots(slots).build());
            assertEquals(12_738, layer.flatParameters().numel());
            assertEquals(12_738, layer.flatGradients().numel());
        }
    }

    @Test
    void parameterNamesAndShapesInBufferOrder() {
        var layer = new MemNet(MemNetOptions.builder(3, 2).keySize(4).valueSize(5).build());
        var p = layer.parameters();
        assertEquals(List.of("qkv.weight", "qkv.bias", "state_out.weight", "state_out.bias", "read_out.weight",
                "read_out.bias", "h0", "c0"), List.copyOf(p.keySet()));
        int s = 2 * 4 + 5;
        assertTrue(p.get("qkv.weight").hasShape(s, 3 + s + 5));
        assertTrue(p.get("qkv.bias").hasShape(s));
        assertTrue(p.get("state_out.weight").hasShape(2, s));
        assertTrue(p.get("state_out.bias").hasShape(2));
        assertTrue(p.get("read_out.weight").hasShape(2, 5));
        assertTrue(p.get("read_out.bias").hasShape(2));
        assertTrue(p.get("h0").hasShape(s));
        assertTrue(p.get("c0").hasShape(5));
        assertEquals(List.copyOf(p.keySet()), List.copyOf(layer.gradients().keySet()));
        assertTrue(p.get("qkv.weight").sharesStorageWith(layer.flatParameters()));
    }

    /** Linear layers U(±1/√fan_in) (PyTorch's bounds), h0 and c0 N(0, 0.1²), seeded. */
    @Test
    void initialisationLaws() {
        var layer = new MemNet(MemNetOptions.builder(1, 1).seed(5).build());
        var p = layer.parameters();
        assertBound(p.get("qkv.weight"), 1 / Math.sqrt(129));
        assertBound(p.get("qkv.bias"), 1 / Math.sqrt(129));
        assertBound(p.get("state_out.weight"), 1 / Math.sqrt(96));
        assertBound(p.get("read_out.weight"), 1 / Math.sqrt(32));
        double sq = TestData.dot(p.get("h0"), p.get("h0")) + TestData.dot(p.get("c0"), p.get("c0"));
        double std = Math.sqrt(sq / 128);
        assertTrue(std > 0.075 && std < 0.125, "h0, c0 standard deviation " + std + ", expected about 0.1");
        var same = new MemNet(MemNetOptions.builder(1, 1).seed(5).build());
        var other = new MemNet(MemNetOptions.builder(1, 1).seed(6).build());
        assertEquals(0.0, TestData.maxAbsDiff(layer.flatParameters(), same.flatParameters()));
        assertNotEquals(0.0, TestData.maxAbsDiff(layer.flatParameters(), other.flatParameters()));
    }

    /** Every element within the bound, and the extremes near it (a uniform law, not a narrower one). */
    private static void assertBound(Tensor t, double bound) {
        double max = 0;
        for (long i = 0; i < t.numel(); i++) {
            max = Math.max(max, Math.abs(t.getFlat(i)));
        }
        assertTrue(max <= bound, "max |w| " + max + " > " + bound);
        if (t.numel() > 50) {
            assertTrue(max > 0.9 * bound, "max |w| " + max + " far below the bound " + bound);
        }
    }

    @Test
    void toStringShowsSizesAndNonDefaults() {
        assertEquals("MemNet(1, 1, keySize=32, valueSize=32, slots=8)", new MemNet(MemNetOptions.of(1, 1)).toString());
        var o = MemNetOptions.builder(2, 3).slots(4).maskEmptySlots(true).dropout(0.0).scale(0.5).build();
        assertEquals("MemNet(2, 3, keySize=32, valueSize=32, slots=4, scale=0.5, maskEmptySlots=true, dropout=0.0, "
                + "backend=cpu float64)", new MemNet(o, CpuBackend.float64()).toString());
    }

    @Test
    void float64LayerHasFloat64Parameters() {
        Backend be = CpuBackend.float64();
        var layer = new MemNet(MemNetOptions.of(1, 1), be);
        assertEquals(be.dtype(), layer.flatParameters().dtype());
    }
}

package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import org.junit.jupiter.api.Test;

import static dev.mnemo.nn.layers.RecurrentBadInputTest.assertMessage;

/** Bad options and inputs fail fast with a message giving the rule, then the value. */
class MemNetBadInputTest {

    final Backend be = Backend.cpu();

    @Test
    void badOptions() {
        assertMessage("slots must be > 0, got 0", () -> MemNetOptions.builder(1, 1).slots(0).build());
        assertMessage("keySize must be > 0, got -1", () -> MemNetOptions.builder(1, 1).keySize(-1).build());
        assertMessage("valueSize must be > 0, got 0", () -> MemNetOptions.builder(1, 1).valueSize(0).build());
        assertMessage("inputSize must be > 0, got 0", () -> MemNetOptions.of(0, 1));
        assertMessage("outputSize must be > 0, got 0", () -> MemNetOptions.of(1, 0));
        assertMessage("scale must be finite and > 0, got 0.0", () -> MemNetOptions.builder(1, 1).scale(0).build());
        assertMessage("scale must be finite and > 0, got NaN",
                () -> MemNetOptions.builder(1, 1).scale(Double.NaN).build());
        assertMessage("dropout must be in [0, 1], got 1.5", () -> MemNetOptions.builder(1, 1).dropout(1.5).build());
        assertMessage("maxSteps must be >= 0 (0: no limit), got -3",
                () -> MemNetOptions.builder(1, 1).maxSteps(-3).build());
    }

    @Test
    void aReleasedSavedCannotBackPropagate() {
        var net = new MemNet(MemNetOptions.of(4, 2));
        MemNetOutput y = net.forward(be.zeros(3, 2, 4));
        net.backward(y.saved(), be.zeros(3, 2, 2));   // before the release: fine, and again
        y.saved().release();
        y.saved().release();                         // a second release does nothing
        org.junit.jupiter.api.Assertions.assertTrue(y.saved().released());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> net.backward(y.saved(), be.zeros(3, 2, 2)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("saved was released"), e.getMessage());
        // the final state reads the saved activations too: refused alike on every backend (CUDA failed on a copy)
        var state = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, y::finalState);
        org.junit.jupiter.api.Assertions.assertEquals("saved was released (MemNetSaved.release): the final state is built "
                + "from its activations; take finalState() before releasing", state.getMessage());
    }

    /** Sizes whose parameters overflow an int (S = 2·keySize + valueSize itself did) are refused by name. */
    @Test
    void keyAndValueSizesTooLargeForATensor() {
        for (int[] kv : new int[][] {{1_100_000_000, 32}, {40_000, 40_000}}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> MemNetOptions.builder(1, 1).keySize(kv[0]).valueSize(kv[1]).build());
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("keySize, valueSize and the sizes give ")
                    && e.getMessage().endsWith("; got keySize " + kv[0] + ", valueSize " + kv[1]), e.getMessage());
        }
        MemNetOptions.builder(1, 1).keySize(8000).valueSize(8000).build();   // 24000 × 40001: fits
    }

    @Test
    void wrongInputShapes() {
        var net = new MemNet(MemNetOptions.of(4, 2));
        assertMessage("x must have shape [T, B, 4] (inputSize 4), got [5, 3, 7]", () -> net.forward(be.zeros(5, 3, 7)));
        assertMessage("x must have shape [T, B, 4] (inputSize 4), got [5, 4]", () -> net.forward(be.zeros(5, 4)));
        assertMessage("x must have shape [T, B, 4] (inputSize 4), got null", () -> net.forward(null));
        assertMessage("x must have at least one step and one batch row, got [0, 3, 4]",
                () -> net.forward(be.zeros(0, 3, 4)));
        var bf = new MemNet(MemNetOptions.builder(4, 2).batchFirst(true).build());
        assertMessage("x must have shape [B, T, 4] (batchFirst, inputSize 4), got [5, 3, 2]",
                () -> bf.forward(be.zeros(5, 3, 2)));
    }

    @Test
    void wrongDeviceOrElementType() {
        var net = new MemNet(MemNetOptions.of(4, 2));
        assertMessage("x must be a cpu float32 tensor like the parameters of MemNet(4, 2, keySize=32, valueSize=32, "
                + "slots=8), got cpu float64", () -> net.forward(CpuBackend.float64().zeros(5, 3, 4)));
        var state = net.initialState(3);
        assertMessage("xT must be a cpu float32 tensor like the parameters of MemNet(4, 2, keySize=32, valueSize=32, "
                + "slots=8), got cpu float64", () -> net.step(CpuBackend.float64().zeros(3, 4), state));
    }

    @Test
    void sequenceLongerThanTheCap() {
        var net = new MemNet(MemNetOptions.builder(1, 1).maxSteps(10).build());
        net.forward(be.zeros(10, 2, 1));
        assertMessage("x has 11 steps, more than maxSteps 10 of MemNet(1, 1, keySize=32, valueSize=32, slots=8, "
                + "maxSteps=10)", () -> net.forward(be.zeros(11, 2, 1)));
    }

    @Test
    void wrongGradientOrSaved() {
        var net = new MemNet(MemNetOptions.of(4, 2));
        var other = new MemNet(MemNetOptions.of(4, 2));
        var out = net.forward(be.zeros(5, 3, 4));
        assertMessage("dOutput must have shape [5, 3, 2] (the output's), got [5, 3, 4]",
                () -> net.backward(out.saved(), be.zeros(5, 3, 4)));
        assertMessage("dOutput must have shape [5, 3, 2] (the output's), got null", () -> net.backward(out.saved(), null));
        assertMessage("saved must come from a forward of this layer (MemNet(4, 2, keySize=32, valueSize=32, slots=8)), "
                + "it comes from another layer", () -> other.backward(out.saved(), be.zeros(5, 3, 2)));
    }

    @Test
    void nonFiniteInputWithCheckFinite() {
        var net = new MemNet(MemNetOptions.builder(2, 1).checkFinite(true).build());
        var x = be.zeros(3, 2, 2);
        x.set(Double.NaN, 1, 0, 1);
        assertMessage("x must be finite (checkFinite), got NaN at [1, 0, 1] of [3, 2, 2]", () -> net.forward(x));
    }

    @Test
    void badStreaming() {
        var net = new MemNet(MemNetOptions.of(4, 2));
        var other = new MemNet(MemNetOptions.of(4, 2));
        var state = net.initialState(3);
        assertMessage("xT must have shape [B, 4] (inputSize 4, B ≥ 1), got [3, 5]", () -> net.step(be.zeros(3, 5), state));
        assertMessage("state holds 3 streams, xT has 2 batch rows", () -> net.step(be.zeros(2, 4), state));
        assertMessage("state must come from initialState, finalState or step of this layer (MemNet(4, 2, keySize=32, "
                + "valueSize=32, slots=8)), it comes from another layer", () -> other.step(be.zeros(3, 4), state));
        assertMessage("batch must be > 0, got 0", () -> net.initialState(0));
    }

    @Test
    void badGenerate() {
        var net = new MemNet(MemNetOptions.of(4, 2));
        assertMessage("generate feeds y_t back as x_{t+1} and needs inputSize == outputSize, got 4 and 2",
                () -> net.generate(be.zeros(3, 1, 4), 5));
        var square = new MemNet(MemNetOptions.of(2, 2));
        assertMessage("n must be > 0, got 0", () -> square.generate(be.zeros(3, 1, 2), 0));
        assertMessage("prefix must have shape [T, B, 2] (inputSize 2), got [3, 1, 3]",
                () -> square.generate(be.zeros(3, 1, 3), 2));
    }
}

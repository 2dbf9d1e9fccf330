package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.ParameterBuffer;
import dev.mnemo.nn.optim.Sgd;
import dev.mnemo.nn.optim.SgdOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backward refuses once what its forward saved by reference was written since (PyTorch's "modified by
 * an inplace operation"): the weights by an optimizer step, a load or an edit, and the caller's input,
 * initial state or output where the saved reads them. Where the saved holds its own copy, an edit is
 * harmless and allowed.
 */
class SavedVersionsTest {

    private static final Backend CPU = Backend.cpu();

    private static Lstm lstm(RecurrentOptions.Builder b) {
        return new Lstm(b.seed(3).build(), CPU);
    }

    private static Tensor input(int... shape) {
        return TestData.uniform(CPU, 11, 1.0, shape);
    }

    private static void assertRefused(Runnable backward, String named) {
        IllegalStateException e = assertThrows(IllegalStateException.class, backward::run);
        assertTrue(e.getMessage().startsWith(named), e.getMessage());
        assertTrue(e.getMessage().contains("changed after the forward"), e.getMessage());
    }

    @Test
    void anOptimizerStepBetweenForwardAndBackwardIsRefused() {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4));
        Adam adam = new Adam(AdamOptions.of(0.01), List.of(ParameterBuffer.of(layer)));
        RecurrentOutput out = layer.forward(input(5, 2, 3), null);
        adam.step();
        assertRefused(() -> layer.backward(out.saved(), out.output(), null), "the layer's parameters");
    }

    @Test
    void aSavedBackPropagatesAgainUntilTheStepThenRefuses() {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4));
        Sgd sgd = new Sgd(SgdOptions.of(0.1), List.of(ParameterBuffer.of(layer)));
        RecurrentOutput out = layer.forward(input(5, 2, 3), null);
        Tensor dy = input(5, 2, 4);
        Tensor first = layer.backward(out.saved(), dy, null).dx();
        Tensor second = layer.backward(out.saved(), dy, null).dx();
        assertArrayEquals(first.toFloatArray(), second.toFloatArray());
        sgd.step();
        assertRefused(() -> layer.backward(out.saved(), dy, null), "the layer's parameters");
    }

    @Test
    void writingAParameterOrLoadingWeightsIsRefused(@TempDir Path dir) throws IOException {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4));
        RecurrentOutput out = layer.forward(input(5, 2, 3), null);
        layer.parameters().get("bias_hh_l0").set(0.5, 1);
        assertRefused(() -> layer.backward(out.saved(), null, null), "the layer's parameters");

        Path file = dir.resolve("w.safetensors");
        SafeTensors.write(file, layer.parameters());
        RecurrentOutput again = layer.forward(input(5, 2, 3), null);
        SafeTensors.load(file, layer.parameters());   // the same values: still a write the forward did not see
        assertRefused(() -> layer.backward(again.saved(), null, null), "the layer's parameters");
    }

    @Test
    void editingTheInputOrInitialStateTheSavedReadsIsRefused() {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4));
        Tensor x = input(5, 2, 3);
        RecurrentOutput out = layer.forward(x, null);
        x.set(7.0, 0, 0, 0);   // a reused batch buffer
        assertRefused(() -> layer.backward(out.saved(), null, null), "x given to forward");

        Tensor h0 = input(1, 2, 4);
        Tensor c0 = input(1, 2, 4);
        RecurrentOutput fromState = layer.forward(input(5, 2, 3), new RecurrentState(h0, c0));
        CPU.fill(c0, 0.0);
        assertRefused(() -> layer.backward(fromState.saved(), null, null), "the initial state's c");
    }

    @Test
    void scalingTheOutputThatIsTheSavedTraceIsRefused() {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4));
        RecurrentOutput out = layer.forward(input(5, 2, 3), null);
        CPU.scale(out.output(), 2.0);
        assertRefused(() -> layer.backward(out.saved(), null, null), "the output of forward");
    }

    /** batchFirst keeps a transposed copy of x and returns a fresh output: editing either changes nothing. */
    @Test
    void editsOfTensorsTheSavedCopiedAreAllowedAndHarmless() {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4).batchFirst(true));
        Tensor x = input(2, 5, 3);
        Tensor dy = input(2, 5, 4);
        RecurrentOutput out = layer.forward(x, null);
        Tensor expected = layer.backward(out.saved(), dy, null).dx();
        x.fill(0.0);
        CPU.scale(out.output(), 3.0);
        assertArrayEquals(expected.toFloatArray(), layer.backward(out.saved(), dy, null).dx().toFloatArray());

        Lstm bidirectional = lstm(RecurrentOptions.builder(3, 4).bidirectional(true));
        RecurrentOutput both = bidirectional.forward(input(5, 2, 3), null);
        both.output().fill(1.0);   // built from the two traces, which the saved keeps
        bidirectional.backward(both.saved(), input(5, 2, 8), null);
    }

    @Test
    void stepChainsRefuseAStepOfTheWeightsInBetween() {
        Lstm layer = lstm(RecurrentOptions.builder(3, 4));
        Sgd sgd = new Sgd(SgdOptions.of(0.1), List.of(ParameterBuffer.of(layer)));
        RecurrentOutput first = layer.step(input(2, 3), null);
        RecurrentOutput second = layer.step(input(2, 3), first.state());
        layer.backward(second.saved(), input(2, 4), null);
        sgd.step();
        assertRefused(() -> layer.backward(first.saved(), input(2, 4), null), "the layer's parameters");
    }

    @Test
    void linearRefusesAChangedWeightOrInput() {
        Linear linear = new Linear(LinearOptions.of(3, 2), CPU);
        Tensor x = input(4, 3);
        Linear.Output out = linear.forward(x);
        x.setFlat(0, 1.0);
        assertRefused(() -> linear.backward(out.saved(), input(4, 2)), "x given to forward");

        Linear.Output again = linear.forward(input(4, 3));
        new Sgd(SgdOptions.of(0.1), List.of(ParameterBuffer.of(linear))).step();
        assertRefused(() -> linear.backward(again.saved(), input(4, 2)), "the layer's parameters");
    }

    @Test
    void memNetRefusesAStepOfItsWeights() {
        MemNet memnet = new MemNet(MemNetOptions.of(3, 2), CPU);
        MemNetOutput out = memnet.forward(input(6, 2, 3));
        new Adam(AdamOptions.of(0.01), List.of(ParameterBuffer.of(memnet))).step();
        assertRefused(() -> memnet.backward(out.saved(), input(6, 2, 2)), "the layer's parameters");
    }
}

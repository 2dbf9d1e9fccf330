package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code checkFinite} on a variable-length pass looks at each row's own steps only, as PyTorch's
 * packing drops the padding: NaN or ∞ at a padded step of x or of ∂L/∂output is accepted (and gives the
 * results of a zero there), one at a real step is rejected with the element named in the caller's
 * layout, forward and backward alike.
 */
class PackedCheckFiniteTest {
    static final Backend BE = Backend.cpu();
    static final int STEPS = 5;
    static final int INPUT = 3;
    static final int HIDDEN = 4;
    /** Row 1 has 2 steps; row 2 all 5; row 0 one. */
    static final int[] LENGTHS = {1, 2, 5};

    static Lstm layer(boolean batchFirst) {
        return new Lstm(RecurrentOptions.builder(INPUT, HIDDEN).bidirectional(true).batchFirst(batchFirst)
                .checkFinite(true).seed(3).build(), BE);
    }

    static Tensor tensor(boolean batchFirst, int features, long seed) {
        Tensor t = batchFirst ? Tensor.zeros(LENGTHS.length, STEPS, features) : Tensor.zeros(STEPS, LENGTHS.length, features);
        var rnd = new java.util.SplittableRandom(seed);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return t;
    }

    static void set(Tensor t, boolean batchFirst, int step, int row, int feature, double v) {
        if (batchFirst) {
            t.set(v, row, step, feature);
        } else {
            t.set(v, step, row, feature);
        }
    }

    @ParameterizedTest(name = "batchFirst={0}")
    @ValueSource(booleans = {false, true})
    void nonFiniteValuesAtPaddedStepsAreAcceptedAndIgnored(boolean batchFirst) {
        Tensor x = tensor(batchFirst, INPUT, 1);
        Tensor dy = tensor(batchFirst, 2 * HIDDEN, 2);
        Tensor xZero = x.copy();
        Tensor dyZero = dy.copy();
        for (int b = 0; b < LENGTHS.length; b++) {
            for (int t = LENGTHS[b]; t < STEPS; t++) {
                for (int f = 0; f < INPUT; f++) {
                    set(x, batchFirst, t, b, f, f == 0 ? Double.NaN : Double.POSITIVE_INFINITY);
                    set(xZero, batchFirst, t, b, f, 0);
                }
                for (int f = 0; f < 2 * HIDDEN; f++) {
                    set(dy, batchFirst, t, b, f, Double.NEGATIVE_INFINITY);
                    set(dyZero, batchFirst, t, b, f, 0);
                }
            }
        }
        Lstm l = layer(batchFirst);
        RecurrentOutput out = l.forward(x, null, LENGTHS);
        RecurrentGradients g = l.backward(out.saved(), dy, null);
        Tensor grads = l.flatGradients().copy();
        l.zeroGradients();
        RecurrentOutput ref = l.forward(xZero, null, LENGTHS);
        RecurrentGradients gRef = l.backward(ref.saved(), dyZero, null);
        assertArrayEquals(ref.output().toFloatArray(), out.output().toFloatArray());
        assertArrayEquals(gRef.dx().toFloatArray(), g.dx().toFloatArray());
        assertArrayEquals(l.flatGradients().toFloatArray(), grads.toFloatArray());
    }

    @ParameterizedTest(name = "batchFirst={0}")
    @ValueSource(booleans = {false, true})
    void aNonFiniteValueAtARealStepIsRejectedWhereItIs(boolean batchFirst) {
        Lstm l = layer(batchFirst);
        String shapeX = batchFirst ? "[3, 5, 3]" : "[5, 3, 3]";
        Tensor x = tensor(batchFirst, INPUT, 1);
        set(x, batchFirst, 1, 1, 2, Double.NaN);   // row 1's second and last step
        var e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, null, LENGTHS));
        String at = batchFirst ? "[1, 1, 2]" : "[1, 1, 2]";
        assertEquals("x must be finite at each row's steps (checkFinite), got NaN at " + at + " of " + shapeX
                + " (row 1 has 2 steps)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> l.infer(x, null, LENGTHS));

        Tensor fine = tensor(batchFirst, INPUT, 1);
        RecurrentOutput out = l.forward(fine, null, LENGTHS);
        Tensor dy = tensor(batchFirst, 2 * HIDDEN, 2);
        set(dy, batchFirst, 4, 2, 7, Double.POSITIVE_INFINITY);   // row 2's last step
        Tensor before = l.flatGradients().copy();
        var d = assertThrows(IllegalArgumentException.class, () -> l.backward(out.saved(), dy, null));
        String dAt = batchFirst ? "[2, 4, 7]" : "[4, 2, 7]";
        String shapeDy = batchFirst ? "[3, 5, 8]" : "[5, 3, 8]";
        assertEquals("dOutput must be finite at each row's steps (checkFinite), got Infinity at " + dAt + " of "
                + shapeDy + " (row 2 has 5 steps)", d.getMessage());
        assertArrayEquals(before.toFloatArray(), l.flatGradients().toFloatArray(), "no gradient moved");
    }

    /** Without lengths (or with every row full) the whole tensor is checked, as before. */
    @ParameterizedTest(name = "lengths given={0}")
    @ValueSource(booleans = {false, true})
    void unpackedCallsStillCheckEveryElement(boolean fullLengths) {
        Lstm l = layer(false);
        Tensor x = tensor(false, INPUT, 1);
        set(x, false, 4, 0, 0, Double.NaN);
        int[] lengths = fullLengths ? new int[] {STEPS, STEPS, STEPS} : null;
        var e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, null, lengths));
        assertEquals("x must be finite (checkFinite), got NaN at [4, 0, 0] of [5, 3, 3]", e.getMessage());
    }
}

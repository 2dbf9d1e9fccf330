package dev.mnemo.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The float32 activations against {@link Math#tanh} and the exact sigmoid, over a dense sweep. */
class Fp32ActivationsTest {

    /** Every float from −30 to 30 one step of 2^−12 apart, then magnitudes from 1e-30 up by 0.5 %. */
    static float[] sweep() {
        int dense = 60 * 4096 + 1;
        int tiny = 0;
        for (double v = 1e-30; v < 1; v *= 1.005) {
            tiny++;
        }
        float[] xs = new float[dense + 2 * tiny];
        for (int i = 0; i < dense; i++) {
            xs[i] = (float) (-30.0 + i / 4096.0);
        }
        int k = dense;
        for (double v = 1e-30; v < 1; v *= 1.005) {
            xs[k++] = (float) v;
            xs[k++] = (float) -v;
        }
        return xs;
    }

    @Test
    void tanhRoundsToWithinOneUlpOfTheExactValue() {
        for (float x : sweep()) {
            float exact = (float) Math.tanh(x);
            float fast = (float) Fp32Activations.tanh(x);
            assertTrue(Math.abs(fast - exact) <= Math.ulp(exact), () -> "tanh(" + x + ") = " + fast + ", exact " + exact);
        }
    }

    @Test
    void sigmoidIsWithinThreeTenBillionthsAbsolute() {
        double worst = 0;
        for (float x : sweep()) {
            double exact = 1.0 / (1.0 + Math.exp(-(double) x));
            worst = Math.max(worst, Math.abs(Fp32Activations.sigmoid(x) - exact));
        }
        assertTrue(worst < 3e-10, "max |sigmoid error| " + worst);
        assertTrue(worst > 0, "a rational approximation is not exact: the sweep did not reach it");
    }

    @Test
    void tanhIsOddBoundedAndMonotoneInFloat() {
        float previous = -1.0f;
        for (int i = 0; i <= 60 * 4096; i++) {
            float x = (float) (-30.0 + i / 4096.0);
            float y = (float) Fp32Activations.tanh(x);
            assertEquals(-y, (float) Fp32Activations.tanh(-x), "tanh(−x) = −tanh(x) at " + x);
            assertTrue(y >= -1.0f && y <= 1.0f, "tanh(" + x + ") = " + y);
            assertTrue(y >= previous, "tanh decreases at " + x);
            previous = y;
        }
    }

    @Test
    void sigmoidStaysInsideTheOpenUnitIntervalBeforeRounding() {
        for (float x : sweep()) {
            double y = Fp32Activations.sigmoid(x);
            assertTrue(y > 0.0 && y < 1.0, "sigmoid(" + x + ") = " + y);
        }
    }

    @Test
    void specialValues() {
        assertEquals(0.0, Fp32Activations.tanh(0.0));
        assertEquals(0.5, Fp32Activations.sigmoid(0.0));
        assertEquals(1.0f, (float) Fp32Activations.tanh(Double.POSITIVE_INFINITY));
        assertEquals(-1.0f, (float) Fp32Activations.tanh(Double.NEGATIVE_INFINITY));
        assertEquals(1.0f, (float) Fp32Activations.sigmoid(Double.POSITIVE_INFINITY));
        assertTrue(Fp32Activations.sigmoid(Double.NEGATIVE_INFINITY) < 1e-9);
        assertTrue(Double.isNaN(Fp32Activations.tanh(Double.NaN)), "NaN propagates (the NaN check relies on it)");
        assertTrue(Double.isNaN(Fp32Activations.sigmoid(Double.NaN)));
    }
}

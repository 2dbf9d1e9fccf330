package dev.mnemo.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;

/**
 * MemNet reads whose scores pass float32's 3.4e38 (q = 1e20 against keys 1e20 and 1e18: scores 1e40 and 1e38;
 * or scale 1e38 on dots 10 and −1). The softmax is one-hot on the first slot, so c = its value, 1, and
 * ∂L/∂values = [dc, 0], ∂L/∂q = ∂L/∂keys = 0 (ds = a·(⟨v, dc⟩ − ⟨c, dc⟩) = 0 for both). On CUDA the score
 * became +∞ and every weight exp(∞ − ∞) = NaN; on the CPU in float32 the forward was right but its lse, stored
 * as a float, was ∞, so every backward weight exp(s − ∞) was 0: ∂L/∂values = [0, 0], silently.
 */
public final class ScoresPastFloatCheck {

    private ScoresPastFloatCheck() {
    }

    /** Both cases, with no empty slot and with one, on {@code be}. */
    public static void run(Backend be) {
        for (int empty : new int[] {0, 1}) {
            check(be, 1e20, new double[] {1e20, 1e18}, 1.0, empty);
            check(be, 10, new double[] {10, -1}, 1e38, empty);
        }
    }

    private static void check(Backend be, double q, double[] k, double scale, int empty) {
        String what = "q " + q + ", keys " + k[0] + ", " + k[1] + ", scale " + scale + ", " + empty + " empty";
        Tensor qs = be.copyOf(Tensor.of(new double[] {q}, 1, 1));
        Tensor keys = be.copyOf(Tensor.of(k, 1, 2, 1));
        Tensor values = be.copyOf(Tensor.of(new double[] {1, 2}, 1, 2, 1));
        MemoryRead read = new MemoryRead(1, 2, empty, 1, 1, scale, new Strided(qs, 0, 1, 0),
                new Strided(keys, 0, 2, 1), new Strided(values, 0, 2, 1));
        Tensor c = be.zeros(1, 1);
        Tensor lse = be.zeros(1);
        be.memoryReadForward(read, c, lse);
        assertEquals(1.0, host(c).getFlat(0), 0.0, what + ": c");
        Tensor dq = be.zeros(1, 1);
        Tensor dKeys = be.zeros(1, 2, 1);
        Tensor dValues = be.zeros(1, 2, 1);
        be.memoryReadBackward(read, c, lse, be.copyOf(Tensor.of(new double[] {1}, 1, 1)), new Strided(dq, 0, 1, 0),
                new Strided(dKeys, 0, 2, 1), new Strided(dValues, 0, 2, 1));
        assertEquals(1.0, host(dValues).getFlat(0), 0.0, what + ": dValues[0]");
        assertEquals(0.0, host(dValues).getFlat(1), 0.0, what + ": dValues[1]");
        assertEquals(0.0, host(dq).getFlat(0), 0.0, what + ": dq");
        assertEquals(0.0, host(dKeys).getFlat(0), 0.0, what + ": dKeys[0]");
        assertEquals(0.0, host(dKeys).getFlat(1), 0.0, what + ": dKeys[1]");
    }

    private static Tensor host(Tensor t) {
        return CpuBackend.float64().copyOf(t);
    }
}

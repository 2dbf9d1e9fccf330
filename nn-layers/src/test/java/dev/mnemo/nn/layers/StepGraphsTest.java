package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The graph path's bookkeeping on the CPU backend (whose recordings rerun the loop): the copies in
 * and out, one recording per (layer, direction) and shape, and results identical to the eager loop.
 */
class StepGraphsTest {
    final Backend cpu = CpuBackend.float32();

    @Test
    void lstmGraphPathEqualsTheEagerLoop() {
        StepGraphsCheck.run(cpu, o -> new Lstm(o, cpu));
    }

    @Test
    void gruGraphPathEqualsTheEagerLoop() {
        StepGraphsCheck.run(cpu, o -> new Gru(o, cpu));
    }

    @Test
    void rnnGraphPathEqualsTheEagerLoop() {
        StepGraphsCheck.run(cpu, o -> new Rnn(o, cpu));
    }
}

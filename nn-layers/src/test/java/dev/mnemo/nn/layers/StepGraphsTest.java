package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void projectedLstmGraphPathEqualsTheEagerLoop() {
        var projected = StepGraphsCheck.projectedOptions();
        StepGraphsCheck.run(cpu, o -> new Lstm(o, cpu), projected);
        StepGraphsCheck.runReleasing(cpu, o -> new Lstm(o, cpu), projected);
        StepGraphsCheck.runAuto(cpu, o -> new Lstm(o, cpu), projected);
    }

    @Test
    void aReleasingLoopRunsInLentTraces() {
        StepGraphsCheck.runReleasing(cpu, o -> new Lstm(o, cpu));
        StepGraphsCheck.runReleasing(cpu, o -> new Gru(o, cpu));
    }

    @Test
    void autoModeRecordsAShapeOnItsSecondCallInARow() {
        StepGraphsCheck.runAuto(cpu, o -> new Lstm(o, cpu));
        StepGraphsCheck.runAuto(cpu, o -> new Gru(o, cpu));
    }

    @Test
    void graphPropertyValues() {
        assertEquals(2, RecurrentLayer.graphSightings("auto"));
        assertEquals(1, RecurrentLayer.graphSightings(" TRUE"));
        assertEquals(0, RecurrentLayer.graphSightings("false"));
        assertEquals(2, RecurrentLayer.graphSightings(" "), "blank is the default, as for every knob");
        var e = assertThrows(IllegalArgumentException.class, () -> RecurrentLayer.graphSightings("sometimes"));
        assertTrue(e.getMessage().contains("mnemo.cuda.graphs") && e.getMessage().contains("sometimes"), e.getMessage());
    }

    @Test
    void cpuLayersStartWithoutGraphs() {
        assertFalse(new Lstm(StepGraphsCheck.options(), cpu).usesStepGraphs());
    }
}

package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentWeights;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.cuda.PersistentPolicy.Mode;
import dev.mnemo.nn.cuda.PersistentPolicy.Path;
import org.junit.jupiter.api.Test;

/** {@code mnemo.persistent.weights}: parsing, what the policy picks with it, and how it is described. */
class PersistentWeightsSettingTest {
    static final DeviceLimits H100_CC = PersistentPolicyTest.H100_CC;
    static final DeviceLimits A100 = PersistentPolicyTest.A100;
    static final String NOTE = PersistentWeightsSetting.PROPERTY + "=bf16 applies to the cluster kernels only, "
            + "W_hh stays fp32 on the grid kernels";

    static PersistentPolicy policy(Mode mode, PersistentVariant variant, PersistentWeights weights, DeviceLimits d) {
        return new PersistentPolicy(mode, variant, weights, d);
    }

    @Test
    void parsesFp32AndBf16AndNamesTheBadValue() {
        assertEquals(PersistentWeights.FP32, PersistentWeightsSetting.parse("fp32"));
        assertEquals(PersistentWeights.BF16, PersistentWeightsSetting.parse(" BF16 "));
        var e = assertThrows(IllegalArgumentException.class, () -> PersistentWeightsSetting.parse("fp16"));
        assertEquals("mnemo.persistent.weights must be fp32 or bf16, got 'fp16'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PersistentWeightsSetting.parse(""));
    }

    @Test
    void configuredReadsTheProperty() {
        SystemProperty.run(PersistentWeightsSetting.PROPERTY, null, () -> {
            assertEquals(PersistentWeights.FP32, PersistentWeightsSetting.configured(), "default fp32");
            System.setProperty(PersistentWeightsSetting.PROPERTY, " ");
            assertEquals(PersistentWeights.FP32, PersistentWeightsSetting.configured());
            System.setProperty(PersistentWeightsSetting.PROPERTY, "bf16");
            assertEquals(PersistentWeights.BF16, PersistentWeightsSetting.configured());
            System.setProperty(PersistentWeightsSetting.PROPERTY, "half");
            var e = assertThrows(IllegalArgumentException.class, PersistentWeightsSetting::configured);
            assertTrue(e.getMessage().contains(PersistentWeightsSetting.PROPERTY) && e.getMessage().contains("'half'"),
                    e.getMessage());
        });
    }

    @Test
    void bf16LetsTheClusterVariantHoldAWiderLayer() {
        // LSTM H = 600, B = 1: 370208 bytes a block in fp32 (> 227 KiB), 187808 in bf16
        var fp32 = new PersistentPolicy(Mode.AUTO, H100_CC).choose(Cell.LSTM, 100, 1, 600);
        assertEquals(Path.GRID, fp32.path(), fp32.toString());
        assertEquals(PersistentWeights.FP32, fp32.weights());
        var bf16 = policy(Mode.AUTO, PersistentVariant.AUTO, PersistentWeights.BF16, H100_CC)
                .choose(Cell.LSTM, 100, 1, 600);
        assertEquals(Path.CLUSTER, bf16.path(), bf16.toString());
        assertEquals(PersistentWeights.BF16, bf16.weights());
        assertEquals(PersistentWeights.BF16, bf16.clusterPlan().weights());
        assertEquals(187808, bf16.clusterPlan().sharedMemoryBytes());
        assertTrue(bf16.reason().contains("bf16 W_hh") && !bf16.reason().contains("stays fp32"), bf16.reason());
        var backward = policy(Mode.PERSISTENT, PersistentVariant.CLUSTER, PersistentWeights.BF16, H100_CC)
                .chooseBackward(Cell.LSTM, 100, 1, 600);
        assertEquals(Path.CLUSTER, backward.path(), backward.toString());
        assertTrue(backward.clusterPlan().backward());
        assertEquals(202056, backward.clusterPlan().sharedMemoryBytes());
        // and fp32 forced onto the cluster variant says it does not fit
        var e = assertThrows(IllegalStateException.class, () -> new PersistentPolicy(Mode.PERSISTENT,
                PersistentVariant.CLUSTER, H100_CC).choose(Cell.LSTM, 100, 1, 600));
        assertTrue(e.getMessage().contains("370208"), e.getMessage());
    }

    @Test
    void theGridVariantKeepsFp32WeightsAndSaysSo() {
        var grid = policy(Mode.PERSISTENT, PersistentVariant.GRID, PersistentWeights.BF16, H100_CC)
                .choose(Cell.LSTM, 10, 1, 256);
        assertEquals(Path.GRID, grid.path(), grid.toString());
        assertEquals(PersistentWeights.FP32, grid.weights());
        assertTrue(grid.reason().contains(NOTE), grid.reason());
        var a100 = policy(Mode.AUTO, PersistentVariant.AUTO, PersistentWeights.BF16, A100).choose(Cell.GRU, 10, 1, 256);
        assertEquals(Path.GRID, a100.path(), a100.toString());
        assertTrue(a100.reason().contains(NOTE), a100.reason());
        // fp32 asks for nothing, so there is nothing to say
        var plain = new PersistentPolicy(Mode.PERSISTENT, PersistentVariant.GRID, H100_CC).choose(Cell.LSTM, 10, 1, 256);
        assertFalse(plain.reason().contains(PersistentWeightsSetting.PROPERTY), plain.reason());
        // the per-step path has no weights to round
        var perStep = policy(Mode.PER_STEP, PersistentVariant.AUTO, PersistentWeights.BF16, H100_CC)
                .choose(Cell.LSTM, 10, 1, 256);
        assertEquals(PersistentWeights.FP32, perStep.weights());
    }

    @Test
    void describeShowsTheWeightPrecision() {
        String fp32 = new PersistentPolicy(Mode.AUTO, PersistentVariant.AUTO, H100_CC).describe();
        assertTrue(fp32.contains("W_hh fp32 in the cluster kernels (mnemo.persistent.weights)"), fp32);
        String bf16 = policy(Mode.AUTO, PersistentVariant.AUTO, PersistentWeights.BF16, H100_CC).describe();
        assertTrue(bf16.contains("W_hh bf16 in the cluster kernels (mnemo.persistent.weights; opt-in: results of W_hh "
                + "rounded to bfloat16; the grid kernels stay fp32)"), bf16);
        assertTrue(bf16.contains("bf16 W_hh)"), "the example's cluster geometry names bf16: " + bf16);
        assertEquals(PersistentWeights.BF16, policy(Mode.AUTO, PersistentVariant.AUTO, PersistentWeights.BF16, A100)
                .weights());
    }
}

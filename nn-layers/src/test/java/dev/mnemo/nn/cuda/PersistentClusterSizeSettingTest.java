package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.kernels.PersistentClusterPlan;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentWeights;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.cuda.PersistentPolicy.Mode;
import dev.mnemo.nn.cuda.PersistentPolicy.Path;
import org.junit.jupiter.api.Test;

/** {@code mnemo.persistent.clusterSize}: parsing, what the policy picks with it, and how it is described. */
class PersistentClusterSizeSettingTest {
    static final DeviceLimits H100_CC = PersistentPolicyTest.H100_CC;

    static PersistentPolicy policy(Mode mode, int clusterSize) {
        return new PersistentPolicy(mode, PersistentVariant.AUTO, PersistentWeights.FP32, clusterSize, H100_CC);
    }

    @Test
    void parsesAutoAndOneToSixteenAndNamesTheBadValue() {
        assertEquals(PersistentClusterPlan.AUTO_SIZE, PersistentClusterSizeSetting.parse(" AUTO "));
        assertEquals(1, PersistentClusterSizeSetting.parse("1"));
        assertEquals(16, PersistentClusterSizeSetting.parse(" 16"));
        for (String bad : new String[] {"0", "17", "-2", "eight", "", "2.0"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> PersistentClusterSizeSetting.parse(bad));
            assertEquals("mnemo.persistent.clusterSize must be auto or 1..16, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void configuredReadsTheProperty() {
        SystemProperty.run(PersistentClusterSizeSetting.PROPERTY, null, () -> {
            assertEquals(PersistentClusterPlan.AUTO_SIZE, PersistentClusterSizeSetting.configured(), "default auto");
            System.setProperty(PersistentClusterSizeSetting.PROPERTY, " ");
            assertEquals(PersistentClusterPlan.AUTO_SIZE, PersistentClusterSizeSetting.configured());
            System.setProperty(PersistentClusterSizeSetting.PROPERTY, "4");
            assertEquals(4, PersistentClusterSizeSetting.configured());
            System.setProperty(PersistentClusterSizeSetting.PROPERTY, "32");
            var e = assertThrows(IllegalArgumentException.class, PersistentClusterSizeSetting::configured);
            assertTrue(e.getMessage().contains("'32'"), e.getMessage());
        });
    }

    @Test
    void aFixedSizeShapesTheClusterPlanAndTheChoiceSaysSo() {
        // pixel MNIST's LSTM: the rule's two-block clusters (the row slice wholly in registers), or
        // four-block ones when asked
        var rule = policy(Mode.AUTO, PersistentClusterPlan.AUTO_SIZE).choose(Cell.LSTM, 784, 128, 128);
        assertEquals(Path.CLUSTER, rule.path(), rule.toString());
        assertEquals(2, rule.clusterPlan().clusterSize());
        assertFalse(rule.reason().contains(PersistentClusterSizeSetting.PROPERTY), rule.reason());
        var four = policy(Mode.AUTO, 4).choose(Cell.LSTM, 784, 128, 128);
        assertEquals(Path.CLUSTER, four.path(), four.toString());
        assertEquals(4, four.clusterPlan().clusterSize());
        assertTrue(four.reason().contains("mnemo.persistent.clusterSize=4; "), four.reason());
        var backward = policy(Mode.AUTO, 4).chooseBackward(Cell.LSTM, 784, 128, 128);
        assertEquals(4, backward.clusterPlan().clusterSize());
        assertTrue(backward.clusterPlan().backward());
    }

    @Test
    void aSizeThatCannotRunAShapeLeavesItToTheGridWithTheReason() {
        // LSTM H = 512 B = 1 on one block: 1 MiB of W_hh does not fit, so the cooperative kernel runs it
        var one = policy(Mode.AUTO, 1).choose(Cell.LSTM, 100, 1, 512);
        assertEquals(Path.GRID, one.path(), one.toString());
        var forced = assertThrows(IllegalStateException.class, () -> new PersistentPolicy(Mode.PERSISTENT,
                PersistentVariant.CLUSTER, PersistentWeights.FP32, 1, H100_CC).choose(Cell.LSTM, 100, 1, 512));
        assertTrue(forced.getMessage().contains("cluster: mnemo.persistent.clusterSize=1, ")
                && forced.getMessage().contains("shared memory"), forced.getMessage());
        assertThrows(IllegalArgumentException.class, () -> policy(Mode.AUTO, 17));
    }

    @Test
    void describeShowsTheClusterSize() {
        assertTrue(policy(Mode.AUTO, PersistentClusterPlan.AUTO_SIZE).describe()
                .contains("cluster size auto (mnemo.persistent.clusterSize)"));
        assertTrue(policy(Mode.AUTO, 8).describe().contains("cluster size 8 (mnemo.persistent.clusterSize)"));
    }
}

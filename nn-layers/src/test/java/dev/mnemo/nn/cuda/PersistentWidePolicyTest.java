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

/** {@code mnemo.persistent.wide}: where the policy puts a forward on the wide-block kernel, on an H100's numbers. */
class PersistentWidePolicyTest {
    static final DeviceLimits H100 = new DeviceLimits(132, 232448, true, 9, 0);
    static final DeviceLimits A100 = new DeviceLimits(108, 166912, true, 8, 0);

    static PersistentPolicy policy(boolean wide, PersistentWeights weights, DeviceLimits limits) {
        return new PersistentPolicy(Mode.AUTO, PersistentVariant.AUTO, weights, PersistentClusterPlan.AUTO_SIZE, wide,
                limits);
    }

    @Test
    void onItTakesPixelMnistsGruAndRnnForwardAndTheRnnsBackward() {
        var on = policy(true, PersistentWeights.FP32, H100);
        var forward = on.choose(Cell.GRU, 784, 128, 128);
        assertEquals(Path.WIDE, forward.path(), forward.toString());
        assertEquals(128, forward.unitsPerBlock(), "one block owns every unit");
        assertEquals(2, forward.clusterPlan().clusterSize(), "the replaced plan is kept: " + forward);
        assertTrue(forward.reason().contains("128 blocks × 384 threads") && forward.reason().contains("persistent-cluster"),
                forward.reason());
        assertFalse(forward.cluster());
        assertEquals(PersistentWeights.FP32, forward.weights());
        var rnn = on.choose(Cell.RNN_TANH, 784, 128, 128);
        assertEquals(Path.WIDE, rnn.path(), rnn.toString());
        assertTrue(rnn.reason().contains("128 blocks × 128 threads"), rnn.reason());
        var backward = on.chooseBackward(Cell.GRU, 784, 128, 128);
        assertEquals(Path.CLUSTER, backward.path(), "LSTM's and GRU's backward keep their path: " + backward);
        var rnnBackward = on.chooseBackward(Cell.RNN_RELU, 784, 128, 128);
        assertEquals(Path.WIDE, rnnBackward.path(), rnnBackward.toString());
        assertEquals(128, rnnBackward.unitsPerBlock());
        assertEquals(Path.CLUSTER, policy(false, PersistentWeights.FP32, H100).chooseBackward(Cell.RNN_RELU, 784, 128,
                128).path());
        // on a device without clusters it replaces the cooperative grid kernel
        var a100 = policy(true, PersistentWeights.FP32, A100).choose(Cell.LSTM, 100, 8, 96);
        assertEquals(Path.WIDE, a100.path(), a100.toString());
        assertEquals(96, a100.unitsPerBlock());
    }

    @Test
    void offOrWhereItDoesNotFitThePolicysChoiceStands() {
        assertEquals(Path.CLUSTER, policy(false, PersistentWeights.FP32, H100).choose(Cell.GRU, 784, 128, 128).path());
        var on = policy(true, PersistentWeights.FP32, H100);
        assertEquals(Path.CLUSTER, on.choose(Cell.LSTM, 784, 128, 128).path(), "LSTM 512 rows: more than 384 threads");
        assertEquals(Path.CLUSTER, on.choose(Cell.GRU, 100, 8, 132).path(), "H past 128 columns");
        assertEquals(Path.CLUSTER, on.choose(Cell.GRU, 100, 8, 126).path(), "H not a multiple of 4");
        assertEquals(Path.CLUSTER, on.choose(Cell.RNN_TANH, 100, 8, 256).path(), "an RNN past 128 columns");
        assertEquals(Path.CLUSTER, policy(true, PersistentWeights.BF16, H100).choose(Cell.GRU, 784, 128, 128).path(),
                "bf16 weights stay on the cluster kernel");
        var perStep = new PersistentPolicy(Mode.PER_STEP, PersistentVariant.AUTO, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE, true, H100).choose(Cell.GRU, 784, 128, 128);
        assertEquals(Path.PER_STEP, perStep.path(), "the per-step mode wins");
    }

    /** auto: the forward at 128 batch rows and more, where the H200 ran it faster; never the RNN's backward. */
    @Test
    void autoTakesTheForwardOfLargeBatchesOnly() {
        var auto = new PersistentPolicy(Mode.AUTO, PersistentVariant.AUTO, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE, PersistentWideSetting.Mode.AUTO, H100);
        var gru = auto.choose(Cell.GRU, 784, 128, 128);
        assertEquals(Path.WIDE, gru.path(), gru.toString());
        assertTrue(gru.reason().startsWith("mnemo.persistent.wide=auto; persistent-wide"), gru.reason());
        assertEquals(Path.WIDE, auto.choose(Cell.RNN_TANH, 784, 300, 128).path());
        assertEquals(Path.CLUSTER, auto.choose(Cell.GRU, 784, 127, 128).path(), "below 128 rows: the cluster plan");
        assertEquals(Path.CLUSTER, auto.choose(Cell.GRU, 1000, 1, 128).path());
        assertEquals(Path.CLUSTER, auto.chooseBackward(Cell.RNN_TANH, 784, 128, 128).path(),
                "the RNN's wide backward ran slower: on only");
        assertTrue(auto.describe().contains("wide-block kernels auto: forwards of 128 batch rows and more"),
                auto.describe());
        var cluster = new PersistentPolicy(Mode.AUTO, PersistentVariant.CLUSTER, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE, PersistentWideSetting.Mode.AUTO, H100);
        assertEquals(Path.CLUSTER, cluster.choose(Cell.GRU, 784, 128, 128).path(), "a variant the user fixed stands");
        var sized = new PersistentPolicy(Mode.AUTO, PersistentVariant.AUTO, PersistentWeights.FP32, 1,
                PersistentWideSetting.Mode.AUTO, H100);
        assertEquals(Path.CLUSTER, sized.choose(Cell.GRU, 784, 128, 128).path(), "so does a cluster size");
    }

    @Test
    void theSettingParsesOnAndOffAndTheDescriptionSaysWhich() {
        assertEquals(PersistentWideSetting.Mode.AUTO, PersistentWideSetting.configured());
        SystemProperty.run(PersistentWideSetting.PROPERTY, " ON ",
                () -> assertEquals(PersistentWideSetting.Mode.ON, PersistentWideSetting.configured()));
        SystemProperty.run(PersistentWideSetting.PROPERTY, "off",
                () -> assertEquals(PersistentWideSetting.Mode.OFF, PersistentWideSetting.configured()));
        SystemProperty.run(PersistentWideSetting.PROPERTY, " ",
                () -> assertEquals(PersistentWideSetting.Mode.AUTO, PersistentWideSetting.configured()));
        var bad = assertThrows(IllegalArgumentException.class, () -> PersistentWideSetting.parse("yes"));
        assertTrue(bad.getMessage().contains("mnemo.persistent.wide must be auto, on or off"), bad.getMessage());
        assertTrue(policy(true, PersistentWeights.FP32, H100).describe().contains("wide-block kernels on"));
        assertTrue(policy(false, PersistentWeights.FP32, H100).describe().contains("wide-block kernels off"));
    }
}

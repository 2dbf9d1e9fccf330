package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import dev.mnemo.nn.optim.ParameterBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MemNet learns associative recall: {@value #PAIRS} (key, value) events with distinct keys out of
 * {@value #KEYS} and values out of {@value #VALUES}, one event per step, then a query step carrying one
 * of the keys; the answer, read at the last step, is that key's value. The memory (M = 8, the default)
 * holds every event, so a query that matches its key retrieves the value in one read.
 *
 * <p>Inputs per step: one-hot key, one-hot value, query flag ({@code d_in} = {@value #KEYS} +
 * {@value #VALUES} + 1); the MemNet output is the {@value #VALUES} logits (no extra head); last-step
 * softmax cross-entropy, Adam, global-norm clipping; default MemNet options otherwise (d_k = d_v = 32,
 * dropout 0.1). The accuracy is measured in evaluation mode on {@value #EVAL} fresh sequences, and
 * must reach 95 %. It gets there in about 150 steps (seeds 1, 2, 3 and the default: 99.2–99.7 %),
 * 5–11 s on the shared 2-core build machine. The seed is logged and overridable
 * ({@code -Dmnemo.test.args=-Dmnemo.test.seed=…}).
 */
class MemNetLearnsRecallTest {

    static final int KEYS = 8;
    static final int VALUES = 8;
    static final int PAIRS = 4;
    static final int BATCH = 32;
    static final int MAX_STEPS = 1500;
    static final int EVAL_EVERY = 25;
    static final int EVAL = 1000;
    static final long SEED = TestData.BASE_SEED;
    static final System.Logger LOG = System.getLogger(MemNetLearnsRecallTest.class.getName());

    /** A batch of recall sequences, time-major [PAIRS + 1, B, KEYS + VALUES + 1], and the answers. */
    record Batch(Tensor x, int[] answers) {
        static Batch draw(SplittableRandom rnd, int batch) {
            Tensor x = Tensor.zeros(PAIRS + 1, batch, KEYS + VALUES + 1);
            int[] answers = new int[batch];
            for (int b = 0; b < batch; b++) {
                int[] keys = rnd.ints(0, KEYS).distinct().limit(PAIRS).toArray();
                int[] values = rnd.ints(PAIRS, 0, VALUES).toArray();
                for (int t = 0; t < PAIRS; t++) {
                    x.set(1.0, t, b, keys[t]);
                    x.set(1.0, t, b, KEYS + values[t]);
                }
                int asked = rnd.nextInt(PAIRS);
                x.set(1.0, PAIRS, b, keys[asked]);
                x.set(1.0, PAIRS, b, KEYS + VALUES);
                answers[b] = values[asked];
            }
            return new Batch(x, answers);
        }
    }

    @Test
    void memNetLearnsAssociativeRecall() {
        LOG.log(System.Logger.Level.INFO, "associative recall, seed " + SEED);
        MemNet net = new MemNet(MemNetOptions.builder(KEYS + VALUES + 1, VALUES).seed(SEED).build());
        Adam adam = new Adam(AdamOptions.of(0.01), List.of(new ParameterBuffer(net.flatParameters(),
                net.flatGradients())));
        var ce = new SoftmaxCrossEntropy(Backend.cpu());
        var rnd = new SplittableRandom(SEED);
        Batch test = Batch.draw(new SplittableRandom(SEED + 1), EVAL);

        double accuracy = 0;
        double loss = Double.NaN;
        int step = 0;
        while (step < MAX_STEPS && accuracy < 0.95) {
            Batch train = Batch.draw(rnd, BATCH);
            adam.zeroGrad();
            MemNetOutput out = net.forward(train.x());
            Loss l = ce.lastStep(out.output(), train.answers(), false);
            net.backward(out.saved(), l.gradient());
            GradientClipping.clipGlobalNorm(adam, 1.0);
            adam.step();
            loss = l.value();
            if (++step % EVAL_EVERY == 0) {
                accuracy = accuracy(net, test);
            }
        }
        LOG.log(System.Logger.Level.INFO, "seed " + SEED + ": accuracy " + accuracy + " after " + step
                + " steps, last batch loss " + loss);
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy + " after " + step + " steps (seed " + SEED
                + ", last batch loss " + loss + ")");
    }

    /** Fraction of sequences whose last-step argmax is the answer (evaluation mode). */
    static double accuracy(MemNet net, Batch data) {
        net.setTraining(false);
        Tensor y = net.forward(data.x()).output().select(PAIRS);
        net.setTraining(true);
        int correct = 0;
        for (int b = 0; b < data.answers().length; b++) {
            int best = 0;
            for (int v = 1; v < VALUES; v++) {
                if (y.get(b, v) > y.get(b, best)) {
                    best = v;
                }
            }
            correct += best == data.answers()[b] ? 1 : 0;
        }
        return (double) correct / data.answers().length;
    }
}

package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.loss.MeanSquaredError;

/** Sixty training steps on one fixed regression batch (sin → cos, T 6, B 4) must halve the loss at least. */
final class FixedBatchFit {
    private FixedBatchFit() {
    }

    static void assertStepsLowerTheLoss(TrainingSetup setup) {
        float[] x = new float[6 * 4];
        float[] y = new float[6 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.7 * i);
            y[i] = (float) Math.cos(0.7 * i);
        }
        Tensor target = Tensor.of(y, 6, 4, 1);
        MeanSquaredError mse = new MeanSquaredError(setup.backend());
        double first = setup.step(Tensor.of(x, 6, 4, 1), out -> mse.compute(out, target));
        double last = first;
        for (int i = 0; i < 60; i++) {
            last = setup.step(Tensor.of(x, 6, 4, 1), out -> mse.compute(out, target));
        }
        assertTrue(last < 0.5 * first, first + " → " + last);
    }
}

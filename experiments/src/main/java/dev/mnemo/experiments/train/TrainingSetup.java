package dev.mnemo.experiments.train;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.init.SpectrumSource;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import java.util.function.Function;

/**
 * What every trainer sets up the same way: the backend, the initialised model and Adam over all of
 * its parameters; and one optimisation step (forward, loss, backward, global-norm clip, Adam).
 */
public final class TrainingSetup {

    private final RunSettings settings;
    private final Backend backend;
    private final SequenceModel model;
    private final Adam adam;

    private TrainingSetup(RunSettings settings, Backend backend, SequenceModel model) {
        this.settings = settings;
        this.backend = backend;
        this.model = model;
        this.adam = new Adam(AdamOptions.of(settings.lr()), model.parameterBuffers());
    }

    /** Backend, model ({@code in} inputs, {@code out} outputs per step) and optimizer for {@code s}. */
    public static TrainingSetup create(RunSettings s, int in, int out, SpectrumSource matched) {
        Backend be = SequenceModels.backend(s.device());
        return new TrainingSetup(s, be, SequenceModels.build(s, in, out, matched, be));
    }

    public Backend backend() {
        return backend;
    }

    public SequenceModel model() {
        return model;
    }

    /** Two lines for config.txt: {@code model: …} with its size, and {@code initializer: …} as applied. */
    public String describe() {
        return "model: " + model.describe() + " (" + model.parameterCount() + " parameters)\ninitializer: "
                + model.initDescription();
    }

    /** {@code x} on the backend's device (the data is built on the host). */
    public Tensor onDevice(Tensor x) {
        return backend.device() == Device.CPU ? x : backend.copyOf(x);   // the run's own device (cuda:N)
    }

    /** {@code t} on the host, for reading values. */
    public static Tensor onHost(Tensor t) {
        return t.device() == Device.CPU ? t : t.to(Device.CPU);
    }

    /**
     * One optimisation step on the batch {@code x}: the loss of the model's output, its gradient
     * back through the model, clipping (when the settings ask for it) and Adam.
     *
     * @return the batch loss
     */
    public double step(Tensor x, Function<Tensor, Loss> loss) {
        adam.zeroGrad();
        SequenceModel.Pass pass = model.forward(onDevice(x));
        Loss l = loss.apply(pass.output());
        model.backward(pass, l.gradient());
        if (settings.clip() > 0) {
            Tensor norm = GradientClipping.clipGlobalNormOnDevice(adam, settings.clip());
            Backend.of(norm).release(norm);   // never read, so nothing waits for the clip
        }
        adam.step();
        return l.value();
    }

    /** The model's output on {@code x} in evaluation mode, on the host. */
    public Tensor evaluate(Tensor x) {
        model.setTraining(false);
        try {
            return onHost(model.predict(onDevice(x)));
        } finally {
            model.setTraining(true);
        }
    }

    /**
     * The model's outputs {@code [B, O]} on the right-padded {@code x} {@code [T, B, I]} in evaluation
     * mode, on the host, each at its sequence's own last step {@code lengths[b] − 1}.
     */
    public Tensor evaluateLastSteps(Tensor x, int[] lengths) {
        Tensor y = evaluate(x);
        int steps = y.dim(0);
        int batch = y.dim(1);
        int width = y.dim(2);
        Tensor last = Tensor.zeros(batch, width);
        Backend.cpu().gatherRows(y.reshape(steps * batch, width),
                SoftmaxCrossEntropy.lastStepRows(steps, batch, lengths, false), last);
        return last;
    }
}

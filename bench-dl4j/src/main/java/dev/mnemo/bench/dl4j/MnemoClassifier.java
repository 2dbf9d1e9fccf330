package dev.mnemo.bench.dl4j;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.loss.Loss;
import dev.mnemo.nn.loss.SoftmaxCrossEntropy;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.Optimizer;
import dev.mnemo.nn.optim.ParameterBuffer;
import dev.mnemo.nn.optim.Sgd;
import dev.mnemo.nn.optim.SgdOptions;

import java.util.List;

/**
 * Mnemo's side, written as a user of the public API would: {@link Lstm} on {@link Backend#cpu()}
 * (float32, input {@code [T, B, I]}), {@link Linear} on the last step's hidden state, and
 * {@link SoftmaxCrossEntropy}; one optimizer over both layers' flat buffers.
 */
public final class MnemoClassifier implements SequenceClassifier {

    private final BenchShape shape;
    private final Backend backend = Backend.cpu();
    private final Lstm lstm;
    private final Linear head;
    private final SoftmaxCrossEntropy loss;
    private final Optimizer optimizer;
    private final Tensor x;
    private final int[] targets;

    public MnemoClassifier(BenchData data, OptimizerKind optimizerKind, long seed) {
        this.shape = data.shape();
        this.lstm = new Lstm(RecurrentOptions.builder(shape.input(), shape.hidden()).seed(seed).build(), backend);
        this.head = new Linear(LinearOptions.builder(shape.hidden(), BenchShape.CLASSES).seed(seed + 1).build(),
                backend);
        this.loss = new SoftmaxCrossEntropy(backend);
        var buffers = List.of(ParameterBuffer.of(lstm),
                ParameterBuffer.of(head));
        this.optimizer = optimizerKind == OptimizerKind.SGD
                ? new Sgd(SgdOptions.of(OptimizerKind.SGD_LR), buffers)
                : new Adam(AdamOptions.of(OptimizerKind.ADAM_LR), buffers);
        this.x = Tensor.of(data.x(), shape.steps(), shape.batch(), shape.input());
        this.targets = data.targets().clone();
    }

    /** The LSTM, for the self-check. */
    Lstm lstm() {
        return lstm;
    }

    /** The output layer, for the self-check. */
    Linear head() {
        return head;
    }

    @Override
    public String name() {
        return "Mnemo";
    }

    @Override
    public float[] forward() {
        lstm.setTraining(false);
        RecurrentOutput out = lstm.infer(x, null);         // nothing kept: DL4J's output() keeps nothing either
        Tensor last = out.output().select(shape.steps() - 1);     // [B, H], a view
        return head.forward(last).output().toFloatArray();
    }

    @Override
    public double trainStep() {
        lstm.setTraining(true);
        optimizer.zeroGrad();
        RecurrentOutput out = lstm.forward(x, null);
        Linear.Output logits = head.forward(out.output().select(shape.steps() - 1));
        Loss l = loss.perStep(logits.output(), targets);
        Tensor dLast = head.backward(logits.saved(), l.gradient());
        // Only the last step feeds the loss: ∂L/∂output is zero elsewhere.
        Tensor dOutput = backend.zeros(shape.steps(), shape.batch(), shape.hidden());
        dOutput.select(shape.steps() - 1).copyFrom(dLast);
        lstm.backward(out.saved(), dOutput, null);
        optimizer.step();
        return l.value();
    }

    @Override
    public long parameterCount() {
        return lstm.flatParameters().numel() + head.flatParameters().numel();
    }

    @Override
    public String parameterBreakdown() {
        long h = shape.hidden();
        long lstmCount = lstm.flatParameters().numel();
        return "LSTM " + lstmCount + " = 4H(I+H) + 8H (weight_ih, weight_hh, bias_ih and bias_hh: PyTorch's two bias"
                + " vectors, " + 4 * h + " more than one), head " + head.flatParameters().numel() + " = 10H + 10";
    }
}

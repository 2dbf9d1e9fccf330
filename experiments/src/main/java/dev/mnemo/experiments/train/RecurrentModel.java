package dev.mnemo.experiments.train;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/** A recurrent layer (RNN, LSTM or GRU, possibly stacked) followed by a Linear head on every step. */
public final class RecurrentModel implements SequenceModel {

    private final String cell;
    private final RecurrentLayer layer;
    private final Linear head;
    private final String initDescription;

    RecurrentModel(String cell, RecurrentLayer layer, Linear head, String initDescription) {
        this.cell = cell;
        this.layer = layer;
        this.head = head;
        this.initDescription = initDescription;
    }

    private record RecurrentPass(Tensor output, RecurrentOutput hidden, Linear.Output logits) implements Pass {
    }

    /** The recurrent layer. */
    public RecurrentLayer layer() {
        return layer;
    }

    /** The head. */
    public Linear head() {
        return head;
    }

    @Override
    public Pass forward(Tensor x) {
        RecurrentOutput h = layer.forward(x, null);
        Linear.Output y = head.forward(h.output());
        return new RecurrentPass(y.output(), h, y);
    }

    /** The layer's inference (no trace kept), then the head; the hidden states go back to the backend at once. */
    @Override
    public Tensor predict(Tensor x) {
        RecurrentOutput h = layer.infer(x, null);
        Tensor y = head.forward(h.output()).output();
        var backend = layer.backend();
        backend.release(h.output());   // queued work still reads it; the backend orders reuse after it
        backend.release(h.state().h());
        if (h.state().c() != null) {
            backend.release(h.state().c());
        }
        return y;
    }

    @Override
    public void backward(Pass pass, Tensor dOutput) {
        if (!(pass instanceof RecurrentPass p)) {
            throw new IllegalArgumentException("pass must come from this model's forward");
        }
        layer.backward(p.hidden().saved(), head.backward(p.logits().saved(), dOutput), null);
        p.hidden().saved().release();   // one backward per pass: its traces serve the next step's forward
    }

    @Override
    public List<ParameterBuffer> parameterBuffers() {
        return List.of(ParameterBuffer.of(layer),
                ParameterBuffer.of(head));
    }

    @Override
    public SequencedMap<String, Tensor> parameters() {
        SequencedMap<String, Tensor> all = new LinkedHashMap<>();
        all.putAll(SafeTensors.withPrefix("rnn.", layer.parameters()));
        all.putAll(SafeTensors.withPrefix("head.", head.parameters()));
        return all;
    }

    @Override
    public void setTraining(boolean training) {
        layer.setTraining(training);
    }

    @Override
    public String describe() {
        var o = layer.options();
        return cell + "(" + o.inputSize() + " → " + o.hiddenSize() + (o.numLayers() > 1 ? ", " + o.numLayers()
                + " layers" : "") + ") → Linear(" + o.hiddenSize() + ", " + head.options().outFeatures() + ") on every step";
    }

    @Override
    public String initDescription() {
        return initDescription;
    }

    @Override
    public SequencedMap<String, RecurrentLayer> recurrentLayers() {
        SequencedMap<String, RecurrentLayer> m = new LinkedHashMap<>();
        m.put("", layer);
        return m;
    }
}

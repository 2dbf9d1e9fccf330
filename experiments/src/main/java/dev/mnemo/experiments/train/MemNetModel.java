package dev.mnemo.experiments.train;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.MemNet;
import dev.mnemo.nn.layers.MemNetOptions;
import dev.mnemo.nn.layers.MemNetSaved;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.optim.ParameterBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * {@code --cell memnet}: the recurrent event memory ({@link MemNet}) as a {@link SequenceModel}.
 *
 * <p>No extra head: MemNet's own output layer ({@code y = W_s h + W_c c}) already maps to the task's
 * outputs (regression values or class logits), and a Linear after it would only compose with it into
 * another linear map: more parameters, no more capacity.
 *
 * <p>Sizes come through {@link RunSettings}: {@code hidden} is the default key and value width
 * (d_k = d_v = H, so the state is S = 3H wide), and the run's parameter map may hold {@link #SLOTS},
 * {@link #KEY_WIDTH} and {@link #VALUE_WIDTH} (the CLI's {@code --slots --key-width --value-width}).
 * It uses the same map as initializer parameters because that is the one channel every trainer
 * already passes through to {@link SequenceModels#build}.
 */
public final class MemNetModel implements SequenceModel {

    /** Parameter-map keys. */
    public static final String SLOTS = "slots";
    public static final String KEY_WIDTH = "key-width";
    public static final String VALUE_WIDTH = "value-width";
    private static final Set<String> KEYS = Set.of(SLOTS, KEY_WIDTH, VALUE_WIDTH);

    /** MemNet's only initialisation, PyTorch's law; {@code --init} must name it. */
    public static final String INIT = "pytorch";

    private final MemNet net;

    public MemNetModel(MemNetOptions options, Backend backend) {
        this.net = new MemNet(options, backend);
    }

    /** The model {@code s} describes, {@code in} inputs, {@code out} outputs per step. */
    public static MemNetModel build(RunSettings s, int in, int out, Backend be) {
        return new MemNetModel(options(s, in, out), be);
    }

    /** The layer options {@code s} describes (checked: one layer, the pytorch init, known keys). */
    public static MemNetOptions options(RunSettings s, int in, int out) {
        if (s.layers() != 1) {
            throw new IllegalArgumentException("memnet has one layer; --layers must be 1, got " + s.layers());
        }
        if (!s.init().equals(INIT)) {
            throw new IllegalArgumentException("memnet has one initialisation (Linear U(±1/√fan_in), h0 and c0 "
                    + "N(0, 0.1²)); use --init " + INIT + ", got '" + s.init() + "'");
        }
        for (String k : s.initParams().keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("memnet takes the parameters " + SLOTS + ", " + KEY_WIDTH + ", "
                        + VALUE_WIDTH + "; got '" + k + "'");
            }
        }
        return MemNetOptions.builder(in, out)
                .slots(size(s.initParams(), SLOTS, 8))
                .keySize(size(s.initParams(), KEY_WIDTH, s.hidden()))
                .valueSize(size(s.initParams(), VALUE_WIDTH, s.hidden()))
                .seed(s.seed())
                .build();
    }

    private static int size(Map<String, String> params, String key, int fallback) {
        String v = params.get(key);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--" + key + " must be >= 1, got " + n);
        }
        return n;
    }

    /**
     * Trainable scalars of a MemNet, from its sizes (independent of the slot count): with
     * S = 2·d_k + d_v, the q/k/v map {@code S × (in + S + d_v) + S}, the two output maps
     * {@code out × (S + d_v) + 2·out}, and h0, c0 ({@code S + d_v}).
     */
    public static long parameterCount(int in, int out, int keyWidth, int valueWidth) {
        long s = 2L * keyWidth + valueWidth;
        return s * (in + s + valueWidth) + s + out * (s + valueWidth) + 2L * out + s + valueWidth;
    }

    /** The wrapped layer. */
    public MemNet layer() {
        return net;
    }

    private record MemNetPass(Tensor output, MemNetSaved saved) implements Pass {
    }

    @Override
    public Pass forward(Tensor x) {
        var y = net.forward(x);
        return new MemNetPass(y.output(), y.saved());
    }

    /** The forward's output, its activations handed back at once (nothing is kept for a backward). */
    @Override
    public Tensor predict(Tensor x) {
        var y = net.forward(x);
        y.saved().release();   // the output was computed from them; queued work orders any reuse after it
        return y.output();
    }

    @Override
    public void backward(Pass pass, Tensor dOutput) {
        if (!(pass instanceof MemNetPass p)) {
            throw new IllegalArgumentException("pass must come from this model's forward");
        }
        net.backward(p.saved(), dOutput);
        p.saved().release();   // one backward per pass: its activations serve the next step's forward
    }

    @Override
    public List<ParameterBuffer> parameterBuffers() {
        return List.of(ParameterBuffer.of(net));
    }

    @Override
    public SequencedMap<String, Tensor> parameters() {
        return SafeTensors.withPrefix("memnet.", net.parameters());
    }

    @Override
    public void setTraining(boolean training) {
        net.setTraining(training);
    }

    @Override
    public String describe() {
        MemNetOptions o = net.options();
        return "memnet(" + o.inputSize() + " → S " + o.stateSize() + " = 2·d_k " + o.keySize() + " + d_v "
                + o.valueSize() + ", M " + o.slots() + " slots, dropout " + o.dropout() + ") → " + o.outputSize()
                + " on every step";
    }

    @Override
    public String initDescription() {
        return "memnet: Linear layers U(±1/√fan_in), h0 and c0 N(0, 0.1²), seed " + net.options().seed();
    }

    /** None: MemNet's state is not a {@link RecurrentLayer}, so no {@code weight_hh} spectra are tracked. */
    @Override
    public SequencedMap<String, RecurrentLayer> recurrentLayers() {
        return new LinkedHashMap<>();
    }
}

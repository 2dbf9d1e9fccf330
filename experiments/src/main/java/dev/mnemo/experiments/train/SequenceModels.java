package dev.mnemo.experiments.train;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.init.Initializers;
import dev.mnemo.nn.init.RecurrentInit;
import dev.mnemo.nn.init.SpectrumSource;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.Rnn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the model a run names with {@code --cell}. A new model kind is one more name in
 * {@link #CELLS} and one more case in {@link #build}.
 */
public final class SequenceModels {

    /** Model kinds by {@code --cell} name. */
    public static final List<String> CELLS = List.of("rnn", "lstm", "gru", "memnet");

    /** The recurrent cells (the ones every initializer applies to): the initializer × cell tables use these. */
    public static final List<String> RECURRENT_CELLS = List.of("rnn", "lstm", "gru");

    private SequenceModels() {
    }

    /** tanh, except ReLU with the identity initializer (Le et al.'s IRNN). */
    public static Nonlinearity rnnNonlinearity(String init) {
        return init.equals("irnn") ? Nonlinearity.RELU : Nonlinearity.TANH;
    }

    /** The backend for {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}. */
    public static Backend backend(String device) {
        int ordinal = RunSettings.cudaOrdinal(device);
        if (ordinal >= 0) {
            return CudaBackend.float32(ordinal);
        }
        return switch (device) {
            case "cpu" -> Backend.cpu();
            case "cuda" -> Backend.of(Device.CUDA);
            default -> Backend.auto();
        };
    }

    /**
     * A freshly initialised model: input size {@code in}, {@code out} outputs per step.
     *
     * @param matched when non-null, the {@code spectrum-matched} initializer takes its modes from here
     *                (instead of a {@code csv} initializer parameter)
     */
    public static SequenceModel build(RunSettings s, int in, int out, SpectrumSource matched, Backend be) {
        return switch (s.cell()) {
            case "rnn", "lstm", "gru" -> recurrent(s, in, out, matched, be);
            case "memnet" -> MemNetModel.build(s, in, out, be);
            default -> throw new IllegalArgumentException("unknown cell '" + s.cell() + "'; valid cells: "
                    + String.join(", ", CELLS));
        };
    }

    private static RecurrentModel recurrent(RunSettings s, int in, int out, SpectrumSource matched, Backend be) {
        Initialized r = recurrentLayer(s, in, 0, matched, be);
        Linear head = new Linear(LinearOptions.builder(s.hidden(), out).seed(s.seed() + 1).build(), be);
        return new RecurrentModel(s.cell(), r.layer(), head, r.initDescription());
    }

    /** A recurrent layer and its initializer as applied, in one line. */
    public record Initialized(RecurrentLayer layer, String initDescription) {
    }

    /**
     * A recurrent layer of {@code s}'s cell ({@code rnn}, {@code lstm} or {@code gru}), hidden size and
     * depth, {@code in} inputs, initialised by {@code s}'s initializer from the run's seed plus
     * {@code seedOffset}: the initializer's own {@code seed} parameter when given, else {@code s.seed()}.
     * A model of several layers gives each its own offset, so that they are drawn apart however the
     * seed was given.
     *
     * @param matched when non-null, the {@code spectrum-matched} initializer takes its modes from here
     */
    public static Initialized recurrentLayer(RunSettings s, int in, long seedOffset, SpectrumSource matched,
                                             Backend be) {
        if (!RECURRENT_CELLS.contains(s.cell())) {
            throw new IllegalArgumentException("this model needs a recurrent cell (" + String.join(", ",
                    RECURRENT_CELLS) + "), got '" + s.cell() + "'");
        }
        long seed = s.seed() + seedOffset;
        RecurrentOptions.Builder ob = RecurrentOptions.builder(in, s.hidden()).numLayers(s.layers()).seed(seed);
        if (s.cell().equals("rnn")) {
            ob.nonlinearity(rnnNonlinearity(s.init()));
        }
        RecurrentOptions opts = ob.build();
        RecurrentLayer layer = switch (s.cell()) {
            case "rnn" -> new Rnn(opts, be);
            case "lstm" -> new Lstm(opts, be);
            default -> new Gru(opts, be);
        };
        RecurrentInit init;
        if (s.init().equals("spectrum-matched") && matched != null) {
            init = Initializers.spectrumMatched(matched, seed).toBuilder().name("spectrum-matched").build();
        } else {
            Map<String, Object> params = new LinkedHashMap<>(s.initParams());
            Object given = params.get("seed");
            params.put("seed", given == null ? seed : offsetSeed(given, seedOffset));
            init = Initializers.byName(s.init(), params);
        }
        init.apply(layer);
        return new Initialized(layer, init.describe());
    }

    /** The initializer's {@code seed} parameter plus {@code offset}; one that is not a whole number as given, for the initializer to refuse. */
    private static Object offsetSeed(Object given, long offset) {
        try {
            return Math.addExact(Long.parseLong(given.toString()), offset);
        } catch (NumberFormatException | ArithmeticException e) {
            return given;
        }
    }
}

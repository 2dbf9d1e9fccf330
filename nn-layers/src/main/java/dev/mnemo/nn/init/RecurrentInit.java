package dev.mnemo.nn.init;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.GateBlock;
import dev.mnemo.nn.analysis.GateBlocks;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.Rnn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An initializer of a whole recurrent layer, block by block:
 * <ul>
 *   <li>each H×H gate block of every {@code weight_hh_l{k}[_reverse]} selected by the {@link GateMask}
 *       (default {@code all}) gets the recurrent recipe; the unselected blocks get the
 *       {@code others} recipe (default Xavier-uniform) or are kept;</li>
 *   <li>each H×I gate block of every {@code weight_ih} gets the input recipe (default Xavier-uniform,
 *       IRNN N(0, 0.001²)) or is kept;</li>
 *   <li>biases are set to zero (default), kept, or drawn from U(−1/√H, 1/√H);</li>
 *   <li>LSTM forget bias, a separate switch (default off): {@code bias_ih} f-block = v and
 *       {@code bias_hh} f-block = 0, so the forget gate's total bias is v (usually 1).</li>
 * </ul>
 * Every block draws from its own stream, seeded by (seed, parameter name, gate index), so results
 * are reproducible and independent of the mask and of other blocks. All blocks are drawn before any
 * is written: a failure leaves the layer untouched.
 *
 * <p>Immutable; {@link #apply} may be called on many layers.
 */
public final class RecurrentInit implements Initializer {

    private final String name;
    private final BlockInit recurrent;
    private final GateMask mask;
    private final BlockInit others;
    private final BlockInit input;
    private final Biases biases;
    private final double forgetBias;
    private final long seed;

    private RecurrentInit(Builder b) {
        this.name = b.name != null ? b.name : b.recurrent.name();
        this.recurrent = b.recurrent;
        this.mask = b.mask;
        this.others = b.others;
        this.input = b.input;
        this.biases = b.biases;
        this.forgetBias = b.forgetBias;
        this.seed = b.seed;
    }

    /** A builder with the defaults around {@code recurrent}. */
    public static Builder builder(BlockInit recurrent) {
        return new Builder(recurrent);
    }

    /** A builder starting from this initializer. */
    public Builder toBuilder() {
        Builder b = new Builder(recurrent).name(name).mask(mask).seed(seed);
        b.others = others;
        b.input = input;
        b.biases = biases;
        b.forgetBias = forgetBias;
        return b;
    }

    @Override
    public String name() {
        return name;
    }

    /** The recipe of the selected {@code weight_hh} blocks. */
    public BlockInit recurrent() {
        return recurrent;
    }

    /** The selected gate blocks. */
    public GateMask mask() {
        return mask;
    }

    /** The recipe of the unselected {@code weight_hh} blocks; empty when they are kept. */
    public Optional<BlockInit> others() {
        return Optional.ofNullable(others);
    }

    /** The recipe of the {@code weight_ih} blocks; empty when they are kept. */
    public Optional<BlockInit> input() {
        return Optional.ofNullable(input);
    }

    /** What happens to the biases. */
    public Biases biases() {
        return biases;
    }

    /** What an initializer does to the biases. */
    public enum Biases {
        /** Set to 0 (the default). */
        ZERO("0"),
        /** Left as they are. */
        KEEP("kept"),
        /** Drawn from U(−1/√H, 1/√H), PyTorch's default, each bias from its own stream. */
        PYTORCH("U(−1/√H, 1/√H)");

        private final String label;

        Biases(String label) {
            this.label = label;
        }

        /** {@code 0}, {@code kept}, {@code U(−1/√H, 1/√H)}. */
        public String label() {
            return label;
        }
    }

    /** The LSTM forget-gate bias, when the switch is on. */
    public OptionalDouble forgetBias() {
        return Double.isNaN(forgetBias) ? OptionalDouble.empty() : OptionalDouble.of(forgetBias);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(": weight_hh blocks [").append(mask).append("] ")
                .append(recurrent.describe());
        if (!mask.spec().equals("all")) {
            sb.append("; other weight_hh blocks ").append(others == null ? "kept" : others.describe());
        }
        sb.append("; weight_ih ").append(input == null ? "kept" : input.describe() + " per gate block");
        sb.append("; biases ").append(biases.label());
        sb.append("; forget bias ").append(Double.isNaN(forgetBias) ? "off" : Sampling.num(forgetBias));
        sb.append("; seed ").append(seed);
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    private record Write(GateBlock block, BlockInit recipe, double[] data, int rows, int cols) {
    }

    @Override
    public InitRecord apply(RecurrentLayer layer) {
        Objects.requireNonNull(layer, "layer");
        Set<String> selected = mask.resolve(layer);
        String cell = GateBlocks.cellName(layer);
        Nonlinearity nl = GateBlocks.nonlinearity(layer);
        int h = layer.options().hiddenSize();
        List<Write> writes = new ArrayList<>();
        if (input != null) {
            for (GateBlock b : GateBlocks.input(layer)) {
                writes.add(draw(b, input, cell, nl, h, b.view().dim(1)));
            }
        }
        for (GateBlock b : GateBlocks.recurrent(layer)) {
            BlockInit recipe = selected.contains(b.gate()) ? recurrent : others;
            if (recipe != null) {
                writes.add(draw(b, recipe, cell, nl, h, h));
            }
        }
        List<String> notes = new ArrayList<>();
        if (recurrent instanceof ScaledIdentity && !(layer instanceof Rnn && nl == Nonlinearity.RELU)) {
            notes.add("irnn is defined for a ReLU RNN; applied to " + layer + " as g·I per selected gate block");
        }
        boolean forget = !Double.isNaN(forgetBias);
        if (forget && !(layer instanceof Lstm)) {
            notes.add("forget bias " + Sampling.num(forgetBias) + " ignored: " + cell + " has no forget gate");
            forget = false;
        } else if (forget && !layer.options().bias()) {
            notes.add("forget bias " + Sampling.num(forgetBias) + " ignored: the layer has no biases (bias=false)");
            forget = false;
        }

        Backend be = layer.backend();
        requireRepresentable(layer, writes, forget);
        List<String> applied = new ArrayList<>();
        for (Write w : writes) {
            be.copy(Tensor.of(w.data(), w.rows(), w.cols()), w.block().view());
            applied.add(w.block().label() + " ← " + w.recipe().name());
        }
        if (biases != Biases.KEEP && layer.options().bias()) {
            for (Map.Entry<String, Tensor> e : layer.parameters().entrySet()) {
                if (!e.getKey().startsWith("bias_")) {
                    continue;
                }
                if (biases == Biases.ZERO) {
                    be.fill(e.getValue(), 0.0);
                } else {
                    int len = e.getValue().dim(0);
                    double[] u = Sampling.uniform(1, len, 1.0 / Math.sqrt(h),
                            new SplittableRandom(blockSeed(seed, e.getKey(), -1)));
                    be.copy(Tensor.of(u, len), e.getValue());
                }
                applied.add(e.getKey() + " ← " + biases.label());
            }
        }
        if (forget) {
            for (int k = 0; k < layer.options().numLayers(); k++) {
                for (int d = 0; d < layer.options().directions(); d++) {
                    String sfx = GateBlocks.suffix(k, d);
                    be.fill(layer.parameters().get("bias_ih" + sfx).slice(h, 2 * h), forgetBias);
                    be.fill(layer.parameters().get("bias_hh" + sfx).slice(h, 2 * h), 0.0);
                    applied.add("bias_ih" + sfx + "[f] ← " + Sampling.num(forgetBias) + ", bias_hh" + sfx + "[f] ← 0");
                }
            }
        }
        InitRecord record = new InitRecord(name, describe(), layer.toString(), applied, notes);
        Initializers.remember(layer, record);
        return record;
    }

    /**
     * Refuses, before anything is written, a value the layer's element type cannot hold: a gain of
     * 1e39 once wrote ±∞ into float32 weights without a word.
     */
    private void requireRepresentable(RecurrentLayer layer, List<Write> writes, boolean forget) {
        double max = layer.backend().dtype() == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        String type = layer.backend().dtype().label();
        for (Write w : writes) {
            for (double v : w.data()) {
                if (!(Math.abs(v) <= max)) {
                    throw new IllegalArgumentException(name + " gives " + w.block().label() + " of " + layer + " the value "
                            + v + ", which " + type + " cannot hold (" + w.recipe().name() + "); nothing was written");
                }
            }
        }
        if (forget && !(Math.abs(forgetBias) <= max)) {
            throw new IllegalArgumentException(name + ": forget-bias " + forgetBias + " does not fit " + type + " ("
                    + layer + "); nothing was written");
        }
    }

    private Write draw(GateBlock b, BlockInit recipe, String cell, Nonlinearity nl, int rows, int cols) {
        BlockContext ctx = new BlockContext(cell, nl, b.layer(), b.gate(), b.parameter(), rows, cols);
        if (recipe.squareOnly() && rows != cols) {
            throw new IllegalArgumentException(recipe.name() + " needs square blocks; " + b.label() + " is " + rows + "×"
                    + cols);
        }
        double[] data = recipe.sample(ctx, new SplittableRandom(blockSeed(seed, b.parameter(), b.gateIndex())));
        return new Write(b, recipe, data, rows, cols);
    }

    /** The seed of one block's stream: SplitMix64 of (seed, parameter name, gate index). */
    static long blockSeed(long seed, String parameter, int gate) {
        long z = seed ^ mix(parameter.hashCode() * 0x9E3779B97F4A7C15L + gate);
        return mix(z + 0x9E3779B97F4A7C15L * (gate + 1));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Mutable builder. */
    public static final class Builder {
        private final BlockInit recurrent;
        private String name;
        private GateMask mask = GateMask.all();
        private BlockInit others = Xavier.uniform();
        private BlockInit input = Xavier.uniform();
        private Biases biases = Biases.ZERO;
        private double forgetBias = Double.NaN;
        private long seed;

        private Builder(BlockInit recurrent) {
            this.recurrent = Objects.requireNonNull(recurrent, "recurrent");
        }

        /** The registry name shown in records; default the recurrent recipe's. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The gate blocks the recurrent recipe applies to; default all. */
        public Builder mask(GateMask mask) {
            this.mask = Objects.requireNonNull(mask, "mask");
            return this;
        }

        /** The recipe of the unselected {@code weight_hh} blocks; default Xavier-uniform. */
        public Builder others(BlockInit others) {
            this.others = Objects.requireNonNull(others, "others");
            return this;
        }

        /** Leaves the unselected {@code weight_hh} blocks as they are. */
        public Builder keepOthers() {
            this.others = null;
            return this;
        }

        /** The recipe of the {@code weight_ih} blocks; default Xavier-uniform. */
        public Builder input(BlockInit input) {
            if (Objects.requireNonNull(input, "input").squareOnly()) {
                throw new IllegalArgumentException("input weights need a recipe for rectangular blocks, "
                        + input.name() + " makes square ones only");
            }
            this.input = input;
            return this;
        }

        /** Leaves {@code weight_ih} as it is. */
        public Builder keepInput() {
            this.input = null;
            return this;
        }

        /** What happens to the biases; default {@link Biases#ZERO}. */
        public Builder biases(Biases biases) {
            this.biases = Objects.requireNonNull(biases, "biases");
            return this;
        }

        /** The LSTM forget-gate bias switch: {@code bias_ih} f-block = value, {@code bias_hh} f-block = 0. */
        public Builder forgetBias(double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("forgetBias must be finite, got " + value);
            }
            this.forgetBias = value;
            return this;
        }

        /** Turns the forget-bias switch off (the default). */
        public Builder noForgetBias() {
            this.forgetBias = Double.NaN;
            return this;
        }

        /** The seed of every block's stream; default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public RecurrentInit build() {
            return new RecurrentInit(this);
        }
    }
}

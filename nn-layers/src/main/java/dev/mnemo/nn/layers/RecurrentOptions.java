package dev.mnemo.nn.layers;

import dev.mnemo.nn.Nonlinearity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options of {@link Rnn}, {@link Lstm} and {@link Gru}, named as in PyTorch's {@code nn.RNNBase}.
 *
 * @param inputSize     I, the number of features of each input step; > 0
 * @param hiddenSize    H, the number of features of the hidden state; > 0
 * @param numLayers     stacked layers, layer k+1 reading layer k's output; default 1
 * @param bias          whether the layers have {@code bias_ih} and {@code bias_hh}; default true
 * @param batchFirst    input and output are {@code [B, T, ·]} instead of {@code [T, B, ·]}; states
 *                      stay {@code [layers·dirs, B, H]}; default false
 * @param dropout       probability of zeroing an element of each layer's output except the last,
 *                      in training mode only; in [0, 1], default 0 (1 zeroes every element, as
 *                      PyTorch's does)
 * @param bidirectional a second, time-reversed direction per layer; default false
 * @param nonlinearity  {@link Rnn} only: tanh (default) or relu
 * @param seed          seeds the weight initialisation and the dropout stream; default 0, so layers
 *                      with equal options start with equal weights
 * @param checkFinite   reject NaN and infinite values in inputs, states and incoming gradients (a
 *                      full pass over each); default false
 * @param projSize      {@link Lstm} only (PyTorch's {@code proj_size}): P in [1, H) projects each step's
 *                      output to P features with {@code weight_hr} {@code [P, H]}, so h, the output
 *                      and {@code weight_hh}'s columns have P features while c keeps H; default 0, no
 *                      projection
 */
public record RecurrentOptions(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                               double dropout, boolean bidirectional, Nonlinearity nonlinearity, long seed,
                               boolean checkFinite, int projSize) {

    /** Validates every option; messages give the rule, then the value. */
    public RecurrentOptions {
        if (inputSize <= 0) {
            throw new IllegalArgumentException("inputSize must be > 0, got " + inputSize);
        }
        if (hiddenSize <= 0) {
            throw new IllegalArgumentException("hiddenSize must be > 0, got " + hiddenSize);
        }
        if (numLayers <= 0) {
            throw new IllegalArgumentException("numLayers must be > 0, got " + numLayers);
        }
        if (!(dropout >= 0.0 && dropout <= 1.0)) {
            throw new IllegalArgumentException("dropout must be in [0, 1], got " + dropout);
        }
        Objects.requireNonNull(nonlinearity, "nonlinearity must not be null");
        if (projSize < 0 || projSize >= hiddenSize) {
            throw new IllegalArgumentException("projSize must be in [0, hiddenSize " + hiddenSize
                    + ") (0: no projection), got " + projSize);
        }
    }

    /** The defaults for the given sizes. */
    public static RecurrentOptions of(int inputSize, int hiddenSize) {
        return builder(inputSize, hiddenSize).build();
    }

    /** A builder holding the defaults for the given sizes. */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(inputSize, hiddenSize).numLayers(numLayers).bias(bias).batchFirst(batchFirst)
                .dropout(dropout).bidirectional(bidirectional).nonlinearity(nonlinearity).seed(seed)
                .checkFinite(checkFinite).projSize(projSize);
    }

    /** 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The features of h, of each direction's output and of {@code weight_hh}'s columns: P when projected, else H. */
    public int outputSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** The non-default options, PyTorch's repr style: {@code numLayers=2, bidirectional=true}. */
    String nonDefaults() {
        List<String> parts = new ArrayList<>();
        if (numLayers != 1) {
            parts.add("numLayers=" + numLayers);
        }
        if (!bias) {
            parts.add("bias=false");
        }
        if (batchFirst) {
            parts.add("batchFirst=true");
        }
        if (dropout != 0.0) {
            parts.add("dropout=" + dropout);
        }
        if (bidirectional) {
            parts.add("bidirectional=true");
        }
        if (nonlinearity != Nonlinearity.TANH) {
            parts.add("nonlinearity=" + nonlinearity.label());
        }
        if (seed != 0) {
            parts.add("seed=" + seed);
        }
        if (checkFinite) {
            parts.add("checkFinite=true");
        }
        if (projSize > 0) {
            parts.add("projSize=" + projSize);
        }
        return String.join(", ", parts);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final int inputSize;
        private final int hiddenSize;
        private int numLayers = 1;
        private boolean bias = true;
        private boolean batchFirst;
        private double dropout;
        private boolean bidirectional;
        private Nonlinearity nonlinearity = Nonlinearity.TANH;
        private long seed;
        private boolean checkFinite;
        private int projSize;

        private Builder(int inputSize, int hiddenSize) {
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        public Builder batchFirst(boolean batchFirst) {
            this.batchFirst = batchFirst;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder bidirectional(boolean bidirectional) {
            this.bidirectional = bidirectional;
            return this;
        }

        public Builder nonlinearity(Nonlinearity nonlinearity) {
            this.nonlinearity = nonlinearity;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder checkFinite(boolean checkFinite) {
            this.checkFinite = checkFinite;
            return this;
        }

        /** {@link Lstm} only: P in [1, H) projects the output to P features; 0 (default) for none. */
        public Builder projSize(int projSize) {
            this.projSize = projSize;
            return this;
        }

        public RecurrentOptions build() {
            return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout,
                    bidirectional, nonlinearity, seed, checkFinite, projSize);
        }
    }
}

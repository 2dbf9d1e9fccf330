package dev.mnemo.nn.layers;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link MemNet}. Defaults follow the authors' code (d_k = d_v = 32, M = 8, unscaled
 * scores, unmasked empty slots, dropout 0.1 on the fed-back state).
 *
 * @param inputSize      d_in, features of each input step; > 0
 * @param outputSize     d_out, features of each output step; > 0
 * @param keySize        d_k, width of queries and keys; > 0; default 32
 * @param valueSize      d_v, width of values and of the read {@code c_t}; > 0; default 32
 * @param slots          M, the number of past events the memory holds; > 0; default 8
 * @param scale          multiplies the query-key dot products; finite and > 0; default 1 (the code
 *                       has no 1/√d_k)
 * @param maskEmptySlots exclude empty slots from the softmax; default false: the memory starts as M
 *                       zero slots that take part with score 0 and value 0, as in the code
 * @param dropout        probability of zeroing an element of {@code relu(h_{t−1})} before it is fed
 *                       back, in training mode; in [0, 1], default 0.1 (1 feeds back zeros, and no
 *                       gradient flows through the fed-back state)
 * @param batchFirst     inputs and outputs of {@code forward} and {@code generate} are
 *                       {@code [B, T, ·]} instead of {@code [T, B, ·]}; default false
 * @param maxSteps       the longest sequence {@code forward} accepts (its saved activations grow
 *                       with T; {@code generate} keeps none and is not capped); 0 (the default) for
 *                       no limit; ≥ 0
 * @param seed           seeds the initialisation and the dropout stream; default 0
 * @param checkFinite    reject NaN and infinite values in inputs and incoming gradients; default false
 */
public record MemNetOptions(int inputSize, int outputSize, int keySize, int valueSize, int slots, double scale,
                            boolean maskEmptySlots, double dropout, boolean batchFirst, int maxSteps, long seed,
                            boolean checkFinite) {

    static final int DEFAULT_KEY_SIZE = 32;
    static final int DEFAULT_VALUE_SIZE = 32;
    static final int DEFAULT_SLOTS = 8;
    static final double DEFAULT_DROPOUT = 0.1;

    /** Validates every option; messages give the rule, then the value. */
    public MemNetOptions {
        positive("inputSize", inputSize);
        positive("outputSize", outputSize);
        positive("keySize", keySize);
        positive("valueSize", valueSize);
        positive("slots", slots);
        if (!(scale > 0.0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
        }
        if (!(dropout >= 0.0 && dropout <= 1.0)) {
            throw new IllegalArgumentException("dropout must be in [0, 1], got " + dropout);
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("maxSteps must be >= 0 (0: no limit), got " + maxSteps);
        }
        // the parameters share one flat buffer: S·(d_in + S + d_v) for qkv.weight, S = 2·d_k + d_v, and the
        // rest; its element count must fit a tensor (S itself overflowed int for d_k near 2^30)
        long state = 2L * keySize + valueSize;
        long parameters = state * (inputSize + state + valueSize) + 2 * state + (long) outputSize * (state + valueSize + 2)
                + valueSize;
        if (parameters > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("keySize, valueSize and the sizes give " + parameters + " parameters "
                    + "(qkv.weight alone S·(d_in + S + d_v), S = 2·keySize + valueSize), more than a tensor's "
                    + (Integer.MAX_VALUE - 8) + "; got keySize " + keySize + ", valueSize " + valueSize);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    /** The defaults for the given sizes. */
    public static MemNetOptions of(int inputSize, int outputSize) {
        return builder(inputSize, outputSize).build();
    }

    /** A builder holding the defaults for the given sizes. */
    public static Builder builder(int inputSize, int outputSize) {
        return new Builder(inputSize, outputSize);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(inputSize, outputSize).keySize(keySize).valueSize(valueSize).slots(slots).scale(scale)
                .maskEmptySlots(maskEmptySlots).dropout(dropout).batchFirst(batchFirst).maxSteps(maxSteps)
                .seed(seed).checkFinite(checkFinite);
    }

    /** S = 2·d_k + d_v: the width of {@code o_t = [q; k; v] = h_t}. */
    public int stateSize() {
        return 2 * keySize + valueSize;
    }

    /** d_in + S + d_v: the width of the cell input {@code u_t = [x_t, r_{t−1}, c_{t−1}]}. */
    public int cellInputSize() {
        return inputSize + stateSize() + valueSize;
    }

    /** The non-default options other than the sizes, PyTorch's repr style. */
    String nonDefaults() {
        List<String> parts = new ArrayList<>();
        if (scale != 1.0) {
            parts.add("scale=" + scale);
        }
        if (maskEmptySlots) {
            parts.add("maskEmptySlots=true");
        }
        if (dropout != DEFAULT_DROPOUT) {
            parts.add("dropout=" + dropout);
        }
        if (batchFirst) {
            parts.add("batchFirst=true");
        }
        if (maxSteps != 0) {
            parts.add("maxSteps=" + maxSteps);
        }
        if (seed != 0) {
            parts.add("seed=" + seed);
        }
        if (checkFinite) {
            parts.add("checkFinite=true");
        }
        return String.join(", ", parts);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final int inputSize;
        private final int outputSize;
        private int keySize = DEFAULT_KEY_SIZE;
        private int valueSize = DEFAULT_VALUE_SIZE;
        private int slots = DEFAULT_SLOTS;
        private double scale = 1.0;
        private boolean maskEmptySlots;
        private double dropout = DEFAULT_DROPOUT;
        private boolean batchFirst;
        private int maxSteps;
        private long seed;
        private boolean checkFinite;

        private Builder(int inputSize, int outputSize) {
            this.inputSize = inputSize;
            this.outputSize = outputSize;
        }

        public Builder keySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        public Builder valueSize(int valueSize) {
            this.valueSize = valueSize;
            return this;
        }

        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        public Builder maskEmptySlots(boolean maskEmptySlots) {
            this.maskEmptySlots = maskEmptySlots;
            return this;
        }

        public Builder dropout(double dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder batchFirst(boolean batchFirst) {
            this.batchFirst = batchFirst;
            return this;
        }

        public Builder maxSteps(int maxSteps) {
            this.maxSteps = maxSteps;
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

        public MemNetOptions build() {
            return new MemNetOptions(inputSize, outputSize, keySize, valueSize, slots, scale, maskEmptySlots,
                    dropout, batchFirst, maxSteps, seed, checkFinite);
        }
    }
}

package dev.mnemo.nn.layers;

/**
 * Options of {@link Linear}, named as in PyTorch's {@code nn.Linear}.
 *
 * @param inFeatures  width of each input row; > 0
 * @param outFeatures width of each output row; > 0
 * @param bias        whether there is an additive {@code bias}; default true
 * @param seed        seeds the initialisation; default 0
 * @param checkFinite reject NaN and infinite inputs and incoming gradients; default false
 */
public record LinearOptions(int inFeatures, int outFeatures, boolean bias, long seed, boolean checkFinite) {

    /** Validates every option; messages give the rule, then the value. */
    public LinearOptions {
        if (inFeatures <= 0) {
            throw new IllegalArgumentException("inFeatures must be > 0, got " + inFeatures);
        }
        if (outFeatures <= 0) {
            throw new IllegalArgumentException("outFeatures must be > 0, got " + outFeatures);
        }
    }

    /** The defaults for the given sizes. */
    public static LinearOptions of(int inFeatures, int outFeatures) {
        return builder(inFeatures, outFeatures).build();
    }

    public static Builder builder(int inFeatures, int outFeatures) {
        return new Builder(inFeatures, outFeatures);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final int inFeatures;
        private final int outFeatures;
        private boolean bias = true;
        private long seed;
        private boolean checkFinite;

        private Builder(int inFeatures, int outFeatures) {
            this.inFeatures = inFeatures;
            this.outFeatures = outFeatures;
        }

        public Builder bias(boolean bias) {
            this.bias = bias;
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

        public LinearOptions build() {
            return new LinearOptions(inFeatures, outFeatures, bias, seed, checkFinite);
        }
    }
}

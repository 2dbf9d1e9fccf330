package dev.mnemo.nn.layers;

import dev.mnemo.nn.Tensor;

import java.util.Objects;

/**
 * The parameter and gradient views of one direction of one layer of a {@link RecurrentLayer}, and the
 * flat layout they are views into. Biases are null when {@code bias=false}, the projection
 * {@code wHr} (and {@code dwHr}) null without {@code projSize}.
 */
record RecurrentWeights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, Tensor wHr,
                        Tensor dwIh, Tensor dwHh, Tensor dbIh, Tensor dbHh, Tensor dwHr) {

    /**
     * PyTorch's parameter order: per layer, per direction, weight_ih, weight_hh, bias_ih, bias_hh, and
     * weight_hr when projected.
     */
    static FlatParameters.Layout layout(RecurrentOptions options, int gateCount) {
        Objects.requireNonNull(options, "options");
        int h = options.hiddenSize();
        int p = options.outputSize();
        int dirs = options.directions();
        // in int, 4·2^29 wrapped to a negative size and 4·(2^30 + 1) to 4 gate rows
        int gateRows = fits(gateCount + " gates × hiddenSize " + h, (long) gateCount * h);
        int above = fits(dirs + " directions × " + (options.projSize() > 0 ? "projSize " : "hiddenSize ") + p,
                (long) dirs * p);
        var layout = FlatParameters.layout();
        for (int k = 0; k < options.numLayers(); k++) {
            int in = k == 0 ? options.inputSize() : above;
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(k, d);
                layout.add("weight_ih" + sfx, gateRows, in);
                layout.add("weight_hh" + sfx, gateRows, p);
                if (options.bias()) {
                    layout.add("bias_ih" + sfx, gateRows);
                    layout.add("bias_hh" + sfx, gateRows);
                }
                if (options.projSize() > 0) {
                    layout.add("weight_hr" + sfx, p, h);
                }
            }
        }
        return layout;
    }

    /** {@code value} as an int when one flat parameter buffer could hold that many rows, else a clear error. */
    private static int fits(String what, long value) {
        if (value > FlatParameters.MAX_ELEMENTS) {
            throw new IllegalArgumentException(what + " = " + value + " rows, more than the " + FlatParameters.MAX_ELEMENTS
                    + " elements one flat parameter buffer holds: choose a smaller size");
        }
        return (int) value;
    }

    /** The views of every (layer k, direction d) into {@code params}, at {@code k·directions + d}. */
    static RecurrentWeights[] of(RecurrentOptions options, FlatParameters params) {
        int dirs = options.directions();
        var weights = new RecurrentWeights[options.numLayers() * dirs];
        for (int k = 0; k < options.numLayers(); k++) {
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(k, d);
                weights[k * dirs + d] = new RecurrentWeights(
                        params.value("weight_ih" + sfx), params.value("weight_hh" + sfx),
                        params.value("bias_ih" + sfx), params.value("bias_hh" + sfx), params.value("weight_hr" + sfx),
                        params.gradient("weight_ih" + sfx), params.gradient("weight_hh" + sfx),
                        params.gradient("bias_ih" + sfx), params.gradient("bias_hh" + sfx),
                        params.gradient("weight_hr" + sfx));
            }
        }
        return weights;
    }

    /** PyTorch's name suffix: {@code _l1}, {@code _l1_reverse}. */
    private static String suffix(int layer, int direction) {
        return "_l" + layer + (direction == 1 ? "_reverse" : "");
    }
}

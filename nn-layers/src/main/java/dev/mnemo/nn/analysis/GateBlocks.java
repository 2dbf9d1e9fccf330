package dev.mnemo.nn.analysis;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.Rnn;

import java.util.ArrayList;
import java.util.List;

/**
 * The gate structure of recurrent layers: gate names in weight order (LSTM {@code i, f, g, o}, GRU
 * {@code r, z, n} with the reset gate applied after the recurrent product, RNN one block named
 * {@code h}) and the per-gate blocks of every weight, as views.
 */
public final class GateBlocks {

    private GateBlocks() {
    }

    /** The gates of {@code layer}'s cell, in the order of the stacked weights. */
    public static List<String> gateNames(RecurrentLayer layer) {
        return switch (layer) {
            case Lstm l -> List.of("i", "f", "g", "o");
            case Gru g -> List.of("r", "z", "n");
            case Rnn r -> List.of("h");
        };
    }

    /** The candidate (cell-input) gate: LSTM {@code g}, GRU {@code n}, RNN {@code h}. */
    public static String candidateGate(RecurrentLayer layer) {
        return switch (layer) {
            case Lstm l -> "g";
            case Gru g -> "n";
            case Rnn r -> "h";
        };
    }

    /** {@code lstm}, {@code gru}, {@code rnn}. */
    public static String cellName(RecurrentLayer layer) {
        return switch (layer) {
            case Lstm l -> "lstm";
            case Gru g -> "gru";
            case Rnn r -> "rnn";
        };
    }

    /** The activation of the cell's candidate: the layer's option for RNN, tanh for LSTM and GRU. */
    public static Nonlinearity nonlinearity(RecurrentLayer layer) {
        return layer instanceof Rnn ? layer.options().nonlinearity() : Nonlinearity.TANH;
    }

    /**
     * Every H×H gate block of every {@code weight_hh}, by layer, then direction, then gate: views into
     * the layer's parameters (a CUDA layer's views are CUDA tensors).
     *
     * @throws IllegalArgumentException for a projected LSTM (projSize P): its blocks are H×P, not square,
     *                                  so they have no spectrum and no square-matrix initializer applies
     */
    public static List<GateBlock> recurrent(RecurrentLayer layer) {
        int p = layer.options().projSize();
        if (p > 0) {
            throw new IllegalArgumentException("the gate blocks of weight_hh are square only without projection: "
                    + layer + " has projSize " + p + ", so each block is " + layer.options().hiddenSize() + "×" + p
                    + " (spectra and the recurrent initializers need projSize 0)");
        }
        return blocks(layer, "weight_hh");
    }

    /**
     * Whether every {@code weight_hh} of the layer is finite: a layer whose training diverged holds NaN
     * or ±∞ there, which has no spectrum (the eigensolvers refuse it). Reads a CUDA layer's weights back.
     */
    public static boolean recurrentFinite(RecurrentLayer layer) {
        RecurrentOptions o = layer.options();
        for (int k = 0; k < o.numLayers(); k++) {
            for (int d = 0; d < o.directions(); d++) {
                Tensor w = layer.parameters().get("weight_hh" + suffix(k, d));
                for (double v : w.to(Device.CPU).toDoubleArray()) {
                    if (!Double.isFinite(v)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Every H×I_k gate block of every {@code weight_ih}, same order as {@link #recurrent}. */
    public static List<GateBlock> input(RecurrentLayer layer) {
        return blocks(layer, "weight_ih");
    }

    /** {@code _l0}, {@code _l0_reverse}: the parameter-name suffix of layer k, direction d. */
    public static String suffix(int layerIndex, int direction) {
        return "_l" + layerIndex + (direction == 1 ? "_reverse" : "");
    }

    private static List<GateBlock> blocks(RecurrentLayer layer, String weight) {
        RecurrentOptions o = layer.options();
        int h = o.hiddenSize();
        List<String> gates = gateNames(layer);
        List<GateBlock> out = new ArrayList<>();
        for (int k = 0; k < o.numLayers(); k++) {
            for (int d = 0; d < o.directions(); d++) {
                String sfx = suffix(k, d);
                String name = weight + sfx;
                Tensor w = layer.parameters().get(name);
                for (int g = 0; g < gates.size(); g++) {
                    out.add(new GateBlock(sfx.substring(1), k, d, gates.get(g), g, name, w.slice(g * h, (g + 1) * h)));
                }
            }
        }
        return out;
    }
}

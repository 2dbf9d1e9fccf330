package dev.mnemo.nn.analysis;

import dev.mnemo.nn.Tensor;

/**
 * One gate's block of a recurrent layer's weight: rows {@code [gateIndex·H, (gateIndex+1)·H)} of
 * {@code weight_hh_l{k}[_reverse]} ({@code [H, H]}) or of {@code weight_ih_l{k}[_reverse]}
 * ({@code [H, I_k]}).
 *
 * @param layer      {@code l0}, {@code l0_reverse}, {@code l1}…: the parameter-name suffix without its
 *                   underscore, used as the layer column of spectrum files
 * @param layerIndex k
 * @param direction  0 forward, 1 reverse
 * @param gate       the gate's name: LSTM {@code i, f, g, o}; GRU {@code r, z, n}; RNN {@code h}
 * @param gateIndex  the gate's position in the stacked weight
 * @param parameter  the PyTorch parameter name, {@code weight_hh_l0}
 * @param view       the block: a view into the layer's flat parameter buffer (writing it changes the
 *                   layer)
 */
public record GateBlock(String layer, int layerIndex, int direction, String gate, int gateIndex, String parameter,
                        Tensor view) {

    /** {@code weight_hh_l0[g]}. */
    public String label() {
        return parameter + "[" + gate + "]";
    }
}

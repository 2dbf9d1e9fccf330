package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;

/**
 * A multi-layer Elman RNN with tanh or ReLU non-linearity (PyTorch's {@code nn.RNN}). For each element
 * of the input sequence, each layer computes
 * <pre>
 *   h_t = f(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)
 * </pre>
 * where {@code h_t} is the hidden state at time t, {@code x_t} the input at time t (the previous layer's
 * output, after dropout, for layers above the first), and {@code f} is {@code tanh} or {@code relu}
 * ({@link RecurrentOptions#nonlinearity()}).
 *
 * <p><b>Inputs</b> {@code forward(x, state)}: {@code x} {@code [T, B, I]} ({@code [B, T, I]} when
 * batchFirst); {@code state.h} {@code [numLayers·directions, B, H]}, zeros when null.
 * <br><b>Outputs</b>: {@code output} {@code [T, B, directions·H]}: {@code h_t} of the last layer for
 * every t (both directions concatenated, forward first); {@code state.h} the final hidden state of every
 * layer and direction (for the reverse direction, the state after it has consumed {@code x_0}).
 *
 * <p><b>Parameters</b> (views into one flat buffer, PyTorch state_dict names):
 * {@code weight_ih_l{k}[_reverse]} {@code [H, I]} for k = 0, {@code [H, directions·H]} above;
 * {@code weight_hh_l{k}[_reverse]} {@code [H, H]}; {@code bias_ih_l{k}[_reverse]},
 * {@code bias_hh_l{k}[_reverse]} {@code [H]} (absent when bias=false). All are initialised from
 * U(−1/√H, 1/√H), drawn in buffer order from {@link RecurrentOptions#seed()}.
 *
 * <p><b>Differs from PyTorch</b>: explicit {@code backward} (gradients accumulate into
 * {@link #flatGradients()}); initialisation seeded per layer rather than from a global generator;
 * dropout masks come from a counter-based stream ({@link #seedDropout}), not PyTorch's generator;
 * variable-length batches take their lengths directly ({@link #forward(dev.mnemo.nn.Tensor,
 * RecurrentState, int[])}) instead of a {@code PackedSequence}.
 */
public final class Rnn extends RecurrentLayer {

    /** A float32 CPU layer. */
    public Rnn(RecurrentOptions options) {
        this(options, Backend.cpu());
    }

    /** A layer whose parameters live on, and whose computation runs on, {@code backend}. */
    public Rnn(RecurrentOptions options, Backend backend) {
        super(Lstm.requireNoProjection(options, "Rnn"), backend, 1);
    }

    @Override
    void cellForward(Backend be, StepForward s) {
        be.rnnCellForward(options().nonlinearity(), s.wx(), s.rh(), s.bih(), s.bhh(), s.h());
    }

    @Override
    void cellBackward(Backend be, StepBackward s) {
        be.rnnCellBackward(options().nonlinearity(), s.h(), s.dhOut(), s.dh(), s.dWx());
    }

    @Override
    String kind() {
        return "Rnn";
    }

    /** The options' non-linearity. */
    public Nonlinearity nonlinearity() {
        return options().nonlinearity();
    }
}

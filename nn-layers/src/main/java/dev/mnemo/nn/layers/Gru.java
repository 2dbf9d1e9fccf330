package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;

/**
 * A multi-layer gated recurrent unit RNN (PyTorch's {@code nn.GRU}). For each element of the input
 * sequence, each layer computes
 * <pre>
 *   r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
 *   z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
 *   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
 *   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 * </pre>
 * Gate order in every weight and bias is <b>r | z | n</b>. The reset gate multiplies the recurrent
 * product <em>after</em> it is formed (with its bias {@code b_hn} inside), as in PyTorch and cuDNN,
 * not {@code W_hn (r_t ⊙ h_{t−1})} as in the original paper.
 *
 * <p><b>Inputs</b> {@code forward(x, state)}: {@code x} {@code [T, B, I]} ({@code [B, T, I]} when
 * batchFirst); {@code state.h} {@code [numLayers·directions, B, H]}, zeros when null.
 * <br><b>Outputs</b>: {@code output} {@code [T, B, directions·H]}; {@code state.h} = {@code h_n}.
 *
 * <p><b>Parameters</b> (views into one flat buffer, PyTorch state_dict names):
 * {@code weight_ih_l{k}[_reverse]} {@code [3H, I]} for k = 0, {@code [3H, directions·H]} above;
 * {@code weight_hh_l{k}[_reverse]} {@code [3H, H]}; {@code bias_ih_l{k}[_reverse]},
 * {@code bias_hh_l{k}[_reverse]} {@code [3H]} (absent when bias=false). All initialised from
 * U(−1/√H, 1/√H), drawn in buffer order from {@link RecurrentOptions#seed()}.
 *
 * <p><b>Differs from PyTorch</b>: explicit {@code backward} (gradients accumulate into
 * {@link #flatGradients()}); seeded per-layer initialisation; counter-based dropout masks
 * ({@link #seedDropout}); variable-length batches take their lengths directly
 * ({@link #forward(dev.mnemo.nn.Tensor, RecurrentState, int[])}) instead of a {@code PackedSequence}.
 */
public final class Gru extends RecurrentLayer {

    /** A float32 CPU layer. */
    public Gru(RecurrentOptions options) {
        this(options, Backend.cpu());
    }

    /**
     * A layer whose parameters live on, and whose computation runs on, {@code backend}.
     *
     * @throws IllegalArgumentException if the options set a non-linearity (an Rnn option)
     */
    public Gru(RecurrentOptions options, Backend backend) {
        super(Lstm.requireNoProjection(Lstm.requireTanh(options, "Gru"), "Gru"), backend, 3);
    }

    @Override
    void cellForward(Backend be, StepForward s) {
        be.gruCellForward(s.wx(), s.rh(), s.bih(), s.bhh(), s.hPrev(), s.gates(), s.hn(), s.h());
    }

    @Override
    void cellBackward(Backend be, StepBackward s) {
        be.gruCellBackward(s.gates(), s.hn(), s.hPrev(), s.dhOut(), s.dh(), s.dWx(), s.dRh());
    }

    @Override
    boolean savesHn() {
        return true;
    }

    @Override
    boolean splitsRecurrentGradient() {
        return true;
    }

    @Override
    String kind() {
        return "Gru";
    }
}

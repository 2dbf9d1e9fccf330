package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;

/**
 * A multi-layer long short-term memory RNN (PyTorch's {@code nn.LSTM}). For each element of the input
 * sequence, each layer computes
 * <pre>
 *   i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)
 *   f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)
 *   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
 *   o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)
 *   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
 *   h_t = o_t ⊙ tanh(c_t)
 * </pre>
 * where σ is the sigmoid and ⊙ the elementwise product. Gate order in every weight and bias is
 * <b>i | f | g | o</b>: {@code weight_ih_l0} is {@code [W_ii; W_if; W_ig; W_io]}.
 *
 * <p><b>Inputs</b> {@code forward(x, state)}: {@code x} {@code [T, B, I]} ({@code [B, T, I]} when
 * batchFirst); {@code state} = ({@code h_0}, {@code c_0}), each {@code [numLayers·directions, B, H]},
 * both given or the state null (zeros).
 * <br><b>Outputs</b>: {@code output} {@code [T, B, directions·H]} ({@code h_t} of the last layer, both
 * directions concatenated, forward first); {@code state} = ({@code h_n}, {@code c_n}).
 *
 * <p><b>Parameters</b> (views into one flat buffer, PyTorch state_dict names):
 * {@code weight_ih_l{k}[_reverse]} {@code [4H, I]} for k = 0, {@code [4H, directions·H]} above;
 * {@code weight_hh_l{k}[_reverse]} {@code [4H, H]}; {@code bias_ih_l{k}[_reverse]},
 * {@code bias_hh_l{k}[_reverse]} {@code [4H]} (absent when bias=false). All initialised from
 * U(−1/√H, 1/√H), drawn in buffer order from {@link RecurrentOptions#seed()}.
 *
 * <p><b>Differs from PyTorch</b>: explicit {@code backward} (gradients accumulate into
 * {@link #flatGradients()}); seeded per-layer initialisation; counter-based dropout masks
 * ({@link #seedDropout}); variable-length batches take their lengths directly
 * ({@link #forward(dev.mnemo.nn.Tensor, RecurrentState, int[])}) instead of a {@code PackedSequence}.
 *
 * <p><b>Projection</b> ({@link RecurrentOptions#projSize()}, PyTorch's {@code proj_size} P): each step's
 * output {@code o ⊙ tanh(c_t)} is multiplied by {@code weight_hr} {@code [P, H]}, so h, the output and
 * the columns of {@code weight_hh} have P features and c keeps H. A projected layer runs its time loops
 * step by step on every backend (no persistent kernel, no CUDA Graph recording).
 */
public final class Lstm extends RecurrentLayer {

    /** A float32 CPU layer. */
    public Lstm(RecurrentOptions options) {
        this(options, Backend.cpu());
    }

    /**
     * A layer whose parameters live on, and whose computation runs on, {@code backend}.
     *
     * @throws IllegalArgumentException if the options set a non-linearity (an Rnn option)
     */
    public Lstm(RecurrentOptions options, Backend backend) {
        super(requireTanh(options, "Lstm"), backend, 4);
    }

    static RecurrentOptions requireTanh(RecurrentOptions options, String kind) {
        java.util.Objects.requireNonNull(options, "options");
        if (options.nonlinearity() != Nonlinearity.TANH) {
            throw new IllegalArgumentException("nonlinearity is an Rnn option and must stay tanh for " + kind
                    + ", got " + options.nonlinearity().label());
        }
        return options;
    }

    /** Rnn and Gru: no projection (PyTorch has {@code proj_size} for the LSTM only). */
    static RecurrentOptions requireNoProjection(RecurrentOptions options, String kind) {
        java.util.Objects.requireNonNull(options, "options");
        if (options.projSize() != 0) {
            throw new IllegalArgumentException("projSize is an Lstm option and must stay 0 for " + kind + ", got "
                    + options.projSize());
        }
        return options;
    }

    @Override
    void cellForward(Backend be, StepForward s) {
        be.lstmCellForward(s.wx(), s.rh(), s.bih(), s.bhh(), s.cPrev(), s.gates(), s.c(), s.h());
    }

    @Override
    void cellBackward(Backend be, StepBackward s) {
        be.lstmCellBackward(s.gates(), s.cPrev(), s.c(), s.dhOut(), s.dh(), s.dc(), s.dWx());
    }

    @Override
    boolean hasCellState() {
        return true;
    }

    @Override
    String kind() {
        return "Lstm";
    }
}

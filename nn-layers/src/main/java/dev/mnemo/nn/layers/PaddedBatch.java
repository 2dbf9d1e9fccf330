package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sequences of different lengths as one zero-padded batch for the recurrent layers' variable-length
 * calls ({@link RecurrentLayer#forward(Tensor, RecurrentState, int[])}), and a padded output split back
 * into its sequences: PyTorch's {@code pad_sequence} and {@code unpad_sequence}.
 *
 * <pre>
 *   PaddedBatch batch = PaddedBatch.of(sequences, false, lstm.backend());   // each [len_b, I]
 *   RecurrentOutput out = lstm.forward(batch.x(), null, batch.lengths());
 *   List&lt;Tensor&gt; outputs = batch.unpad(out.output());                     // each [len_b, H]
 * </pre>
 *
 * @param x          {@code [T, B, F]} ({@code batchFirst}: {@code [B, T, F]}), T the longest length,
 *                   zero after each sequence's end
 * @param lengths    each sequence's length, in the order given
 * @param batchFirst the layout of {@code x}, as the layer's option of that name
 */
public record PaddedBatch(Tensor x, int[] lengths, boolean batchFirst) {

    /**
     * @throws IllegalArgumentException when {@code x} is not rank 3, {@code lengths} does not give one
     *                                  length per batch row, or a length is outside {@code 1..T}
     */
    public PaddedBatch {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(lengths, "lengths");
        if (x.rank() != 3) {
            throw new IllegalArgumentException("x must be " + (batchFirst ? "[B, T, F]" : "[T, B, F]") + ", got "
                    + InputCheck.describe(x));
        }
        int batch = x.dim(batchFirst ? 0 : 1);
        int steps = x.dim(batchFirst ? 1 : 0);
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths holds " + lengths.length + " lengths for a batch of " + batch);
        }
        lengths = lengths.clone();
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] is " + lengths[b] + ": each length must be in 1.."
                        + steps + " (T)");
            }
        }
    }

    /** The lengths, a copy. */
    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /**
     * Pads {@code sequences} (each {@code [len, F]}, len ≥ 1, one F for all, on any device) into one
     * batch on {@code backend}, in {@code backend}'s element type: one upload.
     *
     * @throws IllegalArgumentException on an empty list, a null sequence, a shape that is not
     *                                  {@code [len ≥ 1, F]}, or features that differ
     */
    public static PaddedBatch of(List<Tensor> sequences, boolean batchFirst, Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (sequences == null || sequences.isEmpty()) {
            throw new IllegalArgumentException("sequences must hold at least one sequence, got "
                    + (sequences == null ? "null" : "none"));
        }
        int batch = sequences.size();
        int[] lengths = new int[batch];
        int features = -1;
        for (int b = 0; b < batch; b++) {
            Tensor s = sequences.get(b);
            if (s == null || s.rank() != 2 || s.dim(0) < 1) {
                throw new IllegalArgumentException("sequences[" + b + "] must be [len >= 1, F], got "
                        + InputCheck.describe(s));
            }
            if (features >= 0 && s.dim(1) != features) {
                throw new IllegalArgumentException("sequences[" + b + "] has " + s.dim(1) + " features, sequences[0] "
                        + features + ": every sequence needs the same F");
            }
            features = s.dim(1);
            lengths[b] = s.dim(0);
        }
        int steps = java.util.Arrays.stream(lengths).max().orElseThrow();
        Tensor host = Tensor.zeros(backend.dtype(), batchFirst ? new int[]{batch, steps, features}
                : new int[]{steps, batch, features});
        for (int b = 0; b < batch; b++) {
            Tensor s = sequences.get(b).to(Device.CPU);
            for (int t = 0; t < lengths[b]; t++) {
                for (int f = 0; f < features; f++) {
                    double v = s.get(t, f);
                    if (batchFirst) {
                        host.set(v, b, t, f);
                    } else {
                        host.set(v, t, b, f);
                    }
                }
            }
        }
        return new PaddedBatch(backend.device() == Device.CPU ? host : backend.copyOf(host), lengths, batchFirst);
    }

    /**
     * Splits a padded output of this batch ({@code [T, B, F']} in this batch's layout, on {@code x}'s
     * backend) back into its sequences, each a copy {@code [len_b, F']}.
     *
     * @throws IllegalArgumentException when {@code padded} does not have this batch's T and B
     */
    public List<Tensor> unpad(Tensor padded) {
        int batch = lengths.length;
        int steps = batchFirst ? x.dim(1) : x.dim(0);
        if (padded == null || padded.rank() != 3 || padded.dim(batchFirst ? 0 : 1) != batch
                || padded.dim(batchFirst ? 1 : 0) != steps) {
            throw new IllegalArgumentException("padded must be " + (batchFirst ? "[B " + batch + ", T " + steps
                    : "[T " + steps + ", B " + batch) + ", F], like this batch, got " + InputCheck.describe(padded));
        }
        Backend backend = Backend.of(padded);
        int width = padded.dim(2);
        Tensor rows = padded.reshape(steps * batch, width);
        List<Tensor> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] index = new int[lengths[b]];
            for (int t = 0; t < lengths[b]; t++) {
                index[t] = batchFirst ? b * steps + t : t * batch + b;
            }
            Tensor seq = backend.empty(lengths[b], width);
            backend.gatherRows(rows, index, seq);
            out.add(seq);
        }
        return out;
    }
}

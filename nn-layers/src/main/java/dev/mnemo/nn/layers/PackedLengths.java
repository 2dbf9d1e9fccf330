package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The per-row lengths of a variable-length batch (PyTorch's {@code pack_padded_sequence} with
 * {@code enforce_sorted=False}) and the row order a packed pass runs in.
 *
 * <p>A packed pass sorts the batch rows by length, longest first (ties keep their order), so that the
 * rows still running at step t are always a prefix {@code [0, active(t))} of the batch: every cell and
 * GEMM of a step then works on a contiguous block of rows, as cuDNN's packed layout does. The index
 * arrays here feed {@link Backend#gatherRows} to move tensors between the caller's row order and the
 * sorted one.
 */
final class PackedLengths {

    private final int steps;
    private final int batch;
    private final int[] lengths;   // per caller row
    private final int[] order;     // sorted position → caller row
    private final int[] position;  // caller row → sorted position
    private final int[] active;    // per step t: rows with length > t
    private final int[] sortedLengths;   // per sorted position
    // the lengths as [B] tensors on the layer's backend, made at first use and kept for this packing's
    // life: a call's passes (and the next call with the same lengths) upload them once, not per use
    private Tensor sortedOnBackend;
    private Tensor callerOrderOnBackend;

    private PackedLengths(int[] lengths, int steps) {
        this.steps = steps;
        this.batch = lengths.length;
        this.lengths = lengths.clone();
        this.order = IntStream.range(0, batch).boxed()
                .sorted((a, b) -> Integer.compare(lengths[b], lengths[a]))   // stable: ties keep their order
                .mapToInt(Integer::intValue).toArray();
        this.position = new int[batch];
        for (int i = 0; i < batch; i++) {
            position[order[i]] = i;
        }
        this.sortedLengths = new int[batch];
        for (int i = 0; i < batch; i++) {
            sortedLengths[i] = lengths[order[i]];
        }
        this.active = new int[steps];
        for (int len : lengths) {
            for (int t = 0; t < len; t++) {
                active[t]++;
            }
        }
    }

    /**
     * The packing of a call with {@code steps} steps and {@code batch} rows; null when {@code lengths}
     * is null or every row runs all steps (the ordinary pass, bit for bit).
     *
     * @throws IllegalArgumentException when there is not one length per row, or a length is outside
     *                                  {@code [1, steps]}
     */
    static PackedLengths of(int[] lengths, int steps, int batch) {
        if (lengths == null) {
            return null;
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths must have one entry per batch row (" + batch + "), got "
                    + lengths.length);
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] must be in [1, " + steps + "] (the input's "
                        + "steps), got " + lengths[b]);
            }
        }
        return Arrays.stream(lengths).allMatch(l -> l == steps) ? null : new PackedLengths(lengths, steps);
    }

    /** Rows still running at step {@code t}: the sorted rows {@code [0, active(t))}. */
    int active(int t) {
        return active[t];
    }

    /**
     * The lengths in the sorted row order, longest first, as a whole-sequence kernel reads them
     * ({@link Backend.SequenceForward#lengths()}); the same array every call, not to be written.
     */
    int[] sortedLengths() {
        return sortedLengths;
    }

    /**
     * The sorted lengths as a {@code [B]} tensor on {@code backend}, whole numbers (exact in float32),
     * for {@link Backend#carryFinishedRows}: uploaded at the first call, then the same tensor until
     * {@link #releaseTensors}. Callers read it and must not release it. (Each upload from the Java heap
     * is a synchronous copy, which on CUDA waits for the device: a packed training call made five.)
     */
    Tensor sortedLengthsOn(Backend backend) {
        if (sortedOnBackend == null) {
            sortedOnBackend = on(backend, sortedLengths);
        }
        return sortedOnBackend;
    }

    /** As {@link #sortedLengthsOn}, in the caller's row order. */
    Tensor lengthsOn(Backend backend) {
        if (callerOrderOnBackend == null) {
            callerOrderOnBackend = on(backend, lengths);
        }
        return callerOrderOnBackend;
    }

    /** Releases the tensors of {@link #sortedLengthsOn} and {@link #lengthsOn}; a later use uploads again. */
    void releaseTensors(Backend backend) {
        Release.all(backend, sortedOnBackend, callerOrderOnBackend);
        sortedOnBackend = null;
        callerOrderOnBackend = null;
    }

    /**
     * Whether this is the packing of {@code lengths} over {@code steps} steps for an input of {@code batch}
     * rows: the same lengths given with another batch must meet {@link #of}'s count check, not be reused.
     */
    boolean packs(int[] lengths, int steps, int batch) {
        return this.batch == batch && this.steps == steps && Arrays.equals(this.lengths, lengths);
    }

    private Tensor on(Backend backend, int[] values) {
        float[] asFloats = new float[batch];
        for (int i = 0; i < batch; i++) {
            asFloats[i] = values[i];
        }
        Tensor onDevice = backend.empty(batch);
        backend.copy(Tensor.of(asFloats, batch), onDevice);
        return onDevice;
    }

    /** The caller's row at sorted position {@code i}. */
    int callerRow(int i) {
        return order[i];
    }

    /** The length of caller row {@code b}. */
    int length(int b) {
        return lengths[b];
    }

    int batch() {
        return batch;
    }

    int steps() {
        return steps;
    }

    /**
     * Gather indices that turn a caller tensor of rows {@code [T·B]} (time-major) or {@code [B·T]}
     * ({@code batchFirst}) into the sorted time-major {@code [T·B]}: row {@code t·B + i} takes caller
     * row {@code order[i]} at step t.
     */
    int[] toSorted(boolean batchFirst) {
        int[] idx = new int[steps * batch];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < batch; i++) {
                idx[t * batch + i] = batchFirst ? order[i] * steps + t : t * batch + order[i];
            }
        }
        return idx;
    }

    /**
     * Gather indices from the sorted time-major {@code [T·B]} into the caller's row order, time-major
     * or {@code batchFirst}: the inverse of {@link #toSorted}.
     */
    int[] fromSorted(boolean batchFirst) {
        int[] idx = new int[steps * batch];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                idx[batchFirst ? b * steps + t : t * batch + b] = t * batch + position[b];
            }
        }
        return idx;
    }

    /** Gather indices that sort the rows of a state {@code [slices·B]} (every layer and direction). */
    private int[] stateToSorted(int slices) {
        return stateIndex(slices, order);
    }

    /** Gather indices that bring a sorted state {@code [slices·B]} back to the caller's row order. */
    private int[] stateFromSorted(int slices) {
        return stateIndex(slices, position);
    }

    private int[] stateIndex(int slices, int[] rowMap) {
        int[] idx = new int[slices * batch];
        for (int s = 0; s < slices; s++) {
            for (int r = 0; r < batch; r++) {
                idx[s * batch + r] = s * batch + rowMap[r];
            }
        }
        return idx;
    }

    /**
     * Zeros the padded steps of a sorted time-major {@code [T, B, F]}: at step t, the rows from
     * {@link #active} on; one {@link Backend#zeroEndedSteps} instead of a fill per step.
     */
    void zeroPadding(Backend backend, Tensor sorted) {
        if (steps == 0 || active[steps - 1] == batch) {
            return;   // no row ends before the last step
        }
        backend.zeroEndedSteps(sorted, sortedLengthsOn(backend), false);
    }

    /** Zeros the padded steps of an unsorted batch-first {@code [B, T, F]} (the caller's rows). */
    void zeroPaddingBatchFirst(Backend backend, Tensor unsorted) {
        if (steps == 0 || active[steps - 1] == batch) {
            return;
        }
        backend.zeroEndedSteps(unsorted, lengthsOn(backend), true);
    }

    /** A new state {@code [L·D, B, F]} holding {@code state}'s rows in the sorted order; null stays null. */
    Tensor sortState(Backend backend, Tensor state) {
        if (state == null) {
            return null;
        }
        Tensor sorted = backend.empty(state.shape());
        sortState(backend, state, sorted);
        return sorted;
    }

    /** {@code sorted ← state}'s rows in the sorted order, both {@code [L·D, B, F]}. */
    void sortState(Backend backend, Tensor state, Tensor sorted) {
        int rows = state.dim(0) * state.dim(1);
        backend.gatherRows(state.reshape(rows, state.dim(2)), stateToSorted(state.dim(0)), sorted.reshape(rows,
                state.dim(2)));
    }

    /** A sorted state back in the caller's row order; the sorted one goes back to the backend. Null stays null. */
    Tensor unsortState(Backend backend, Tensor sorted) {
        if (sorted == null) {
            return null;
        }
        Tensor state = backend.empty(sorted.shape());
        int rows = sorted.dim(0) * sorted.dim(1);
        backend.gatherRows(sorted.reshape(rows, sorted.dim(2)), stateFromSorted(sorted.dim(0)),
                state.reshape(rows, sorted.dim(2)));
        backend.release(sorted);
        return state;
    }

    /**
     * The first {@code rows} rows of {@code t} (dimension 0), the rows still running at a step of a
     * sorted batch; {@code t} itself when that is all of them, null for null.
     */
    static Tensor firstRows(Tensor t, int rows) {
        return t == null || rows == t.dim(0) ? t : t.slice(0, rows);
    }
}

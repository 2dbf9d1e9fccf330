package dev.mnemo.nn.layers;

import static dev.mnemo.nn.layers.PackedLengths.firstRows;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * The backward pass of a {@link RecurrentLayer}: per layer, top down, and direction, the time loop in
 * reverse (a whole-sequence kernel, a recording or the eager loop, as the forward ran), then the
 * weight gradients over all steps at once and ∂L/∂(the layer's input). One per layer, with the
 * layer's thread rules.
 */
final class RecurrentBackwardPass {

    private final RecurrentLayer layer;
    private final Backend backend;
    private final RecurrentOptions options;
    private final int gateCount;

    RecurrentBackwardPass(RecurrentLayer layer, int gateCount) {
        this.layer = layer;
        this.backend = layer.backend;
        this.options = layer.options();
        this.gateCount = gateCount;
    }

    /** {@link RecurrentLayer#backward}, after its checks. */
    RecurrentGradients run(RecurrentSaved saved, Tensor dOutput, RecurrentState dState) {
        int steps = saved.steps;
        int batch = saved.batch;
        int h = options.hiddenSize();
        int p = options.outputSize();   // h's features: H, or P when projected
        boolean projected = options.projSize() > 0;
        int dirs = options.directions();
        int layers = options.numLayers();
        boolean bf = options.batchFirst() && !saved.fromStep;
        PackedLengths packed = saved.packed;
        boolean carried = layer.carriesPackedRows(packed);   // the ended rows' dh and dc carried
        boolean unrecorded = packed != null && !carried;   // as the forward's loops ran
        StepGraphs graphs = unrecorded ? null : layer.stepGraphs();
        Tensor lengths = carried ? packed.sortedLengthsOn(backend) : null;   // the packing's, not released here
        Tensor dhKept = carried ? backend.empty(batch, p) : null;
        Tensor dcKept = carried && layer.hasCellState() ? backend.empty(batch, h) : null;
        // ∂L/∂(output of the layer being processed), time-major [T, B, dirs·P], rows sorted when packed
        Tensor dLayerOut;
        boolean ownsDLayerOut = dOutput == null || bf || packed != null;   // made here: released once the layer below has it
        if (dOutput == null) {
            dLayerOut = backend.zeros(steps, batch, dirs * p);
        } else if (packed != null) {
            dLayerOut = backend.empty(steps, batch, dirs * p);
            backend.gatherRows(dOutput.reshape(steps * batch, dirs * p), packed.toSorted(bf),
                    dLayerOut.reshape(steps * batch, dirs * p));
            packed.zeroPadding(backend, dLayerOut);   // ignored, as PyTorch's packing drops it, even when not finite
            if (options.checkFinite()) {
                InputCheck.requireFiniteSorted("dOutput", dLayerOut, backend, packed, bf);
            }
        } else if (bf) {
            dLayerOut = backend.empty(steps, batch, dirs * p);
            backend.transpose01(dOutput, dLayerOut);
        } else {
            dLayerOut = dOutput.reshape(steps, batch, dirs * p);
        }
        // The running dh (and dc) of each (layer, direction) lives in its slice of dh0 (dc0):
        // it starts as ∂L/∂h_n and ends as ∂L/∂h_0.
        Tensor dh0 = backend.zeros(layers * dirs, batch, p);
        Tensor dc0 = layer.hasCellState() ? backend.zeros(layers * dirs, batch, h) : null;
        if (dState != null && dState.h() != null) {
            copyState(dState.h(), dh0, packed);
        }
        if (dc0 != null && dState != null && dState.c() != null) {
            copyState(dState.c(), dc0, packed);
        }

        int tb = steps * batch;
        int gh = gateCount * h;
        Tensor dx = null;
        for (int k = layers - 1; k >= 0; k--) {
            Tensor in = saved.layerInputs[k];
            int inWidth = in.dim(2);
            Tensor dIn = backend.empty(steps, batch, inWidth);   // the first direction's GEMM has β = 0
            for (int d = 0; d < dirs; d++) {
                int idx = k * dirs + d;
                RecurrentWeights w = layer.weights(idx);
                RecurrentSaved.Trace tr = saved.traces[idx];
                Tensor dOut = dLayerOut;
                if (dirs > 1) {
                    dOut = backend.empty(steps, batch, p);
                    backend.copyColumns(dLayerOut.reshape(tb, dirs * p), d * p, dOut.reshape(tb, p), 0, p);
                }
                // written at every step by the cell backward; a recorded shape's own when it has one
                StepGraphs.BackwardLoop recorded = graphs == null ? null : graphs.ownedLoop(idx, carried, steps, batch);
                Tensor dWx = recorded != null ? recorded.dWx() : backend.empty(steps, batch, gh);
                Tensor dRh = !layer.splitsRecurrentGradient() ? dWx
                        : recorded != null ? recorded.dRh() : backend.empty(steps, batch, gh);
                // projected: g_t (what reached h_t) and the loop's two scratches
                Tensor g = !projected ? null : recorded != null ? recorded.g() : backend.empty(steps, batch, p);
                Tensor dm = !projected ? null : recorded != null ? recorded.dm() : backend.empty(batch, h);
                Tensor noDh = !projected ? null : recorded != null ? recorded.noDh() : backend.zeros(batch, h);
                Tensor dhPartials = !projected ? null : recorded != null ? recorded.dhPartials()
                        : backend.depthSplitBuffer(batch, p, gh);
                Tensor dh = dh0.select(idx);
                Tensor dc = dc0 == null ? null : dc0.select(idx);
                Tensor h0 = saved.h0.select(idx);
                Tensor c0 = saved.c0 == null ? null : saved.c0.select(idx);
                // A backend with a whole-sequence path may run all steps' cell backwards and dh GEMMs at once.
                boolean whole = !projected && backend.sequenceBackward(new Backend.SequenceBackward(layer.sequenceCell(),
                        tr.gates(), w.wHh(), h0, c0, tr.h(), tr.c(), tr.hn(), dOut, dh, dc, dWx,
                        layer.splitsRecurrentGradient() ? dRh : null, d == 1, packed == null ? null : packed.sortedLengths()));
                int dir = d;
                var loop = new StepGraphs.BackwardLoop(tr, h0, c0, dOut, dh, dc, dWx, dRh, lengths, dhKept,
                        dc == null ? null : dcKept, g, dm, noDh, dhPartials);
                // whole: the backend ran every step at once; else a recording, else the eager loop
                ReverseLoop reverse = projected ? this::backwardProjectedSteps : this::backwardSteps;
                if (!whole && (graphs == null || !graphs.backward(idx, loop, l -> reverse.run(w, dir, l, null)))) {
                    reverse.run(w, dir, loop, carried ? null : packed);
                }
                if (projected) {   // dW_hr += Σ_t g_tᵀ·m_t, one GEMM over all steps (packed: a finished row's m or g is 0)
                    backend.gemm(true, false, 1.0, g.reshape(tb, p), tr.m().reshape(tb, h), 1.0, w.dwHr());
                }
                accumulateWeightGradients(w, d == 1, in, tr.h(), saved.zeroInitialState ? null : h0, dWx, dRh, dIn);
                // Queued work still reads these; the stream orders any reuse after it.
                if (recorded == null) {
                    Release.all(backend, dRh != dWx ? dRh : null, dWx, g, dm, noDh, dhPartials);
                }
                if (dOut != dLayerOut) {
                    backend.release(dOut);
                }
            }
            if (ownsDLayerOut) {
                backend.release(dLayerOut);
            }
            if (k > 0) {
                if (saved.dropoutMasks[k] != null) {
                    backend.multiply(dIn, saved.dropoutMasks[k], dIn);
                }
                dLayerOut = dIn;
                ownsDLayerOut = true;
            } else {
                dx = dIn;
            }
        }
        Release.all(backend, dhKept, dcKept);
        if (saved.fromStep) {
            dx = dx.reshape(batch, options.inputSize());
        } else if (packed != null) {   // dx is 0 at the padded steps, whose dWx rows are 0
            Tensor dxCaller = backend.empty(bf ? new int[]{batch, steps, options.inputSize()}
                    : new int[]{steps, batch, options.inputSize()});
            backend.gatherRows(dx.reshape(tb, options.inputSize()), packed.fromSorted(bf),
                    dxCaller.reshape(tb, options.inputSize()));
            backend.release(dx);
            dx = dxCaller;
            dh0 = packed.unsortState(backend, dh0);
            dc0 = packed.unsortState(backend, dc0);
        } else if (bf) {
            Tensor dxb = backend.empty(batch, steps, options.inputSize());
            backend.transpose01(dx, dxb);
            backend.release(dx);
            dx = dxb;
        }
        return new RecurrentGradients(dx, new RecurrentState(dh0, dc0));
    }

    /** A direction's reverse time loop: {@link #backwardSteps}, or {@link #backwardProjectedSteps}. */
    private interface ReverseLoop {
        void run(RecurrentWeights w, int d, StepGraphs.BackwardLoop l, PackedLengths packed);
    }

    /** {@code dst ← src}, a state {@code [L·D, B, H]}, its rows sorted when {@code packed}. */
    private void copyState(Tensor src, Tensor dst, PackedLengths packed) {
        if (packed == null) {
            backend.copy(src, dst);
        } else {
            packed.sortState(backend, src, dst);
        }
    }

    /**
     * The weight and bias gradients of one (layer, direction), over all steps at once, and ∂L/∂(its
     * input) into {@code dIn} (the second direction adds to the first's): dW_hh += dRHᵀ·H_prev (H_prev of
     * the first processed step is h0, of every other step the output of the step before it), db_hh +=
     * the column sums of dRH, and the input side ({@link Backend#inputGradients}: dW_ih, db_ih, dIn).
     * {@code h0} null: the forward started from zeros, whose GEMM adds nothing (a small cuBLAS GEMM of
     * 8 µs in the H200's Nsight trace of pixel MNIST's LSTM backward, run 5).
     */
    private void accumulateWeightGradients(RecurrentWeights w, boolean reverse, Tensor in, Tensor hOut, Tensor h0,
                                           Tensor dWx, Tensor dRh, Tensor dIn) {
        int steps = hOut.dim(0);
        int batch = hOut.dim(1);
        int h = hOut.dim(2);
        int tb = steps * batch;
        int gh = dWx.dim(2);
        if (h0 != null) {
            backend.gemm(true, false, 1.0, dRh.select(reverse ? steps - 1 : 0), h0, 1.0, w.dwHh());
        }
        if (steps > 1) {
            Tensor dRest = reverse ? dRh.slice(0, steps - 1) : dRh.slice(1, steps);
            Tensor hPrev = reverse ? hOut.slice(1, steps) : hOut.slice(0, steps - 1);
            backend.gemm(true, false, 1.0, dRest.reshape(tb - batch, gh), hPrev.reshape(tb - batch, h),
                    1.0, w.dwHh());
        }
        boolean shared = dRh == dWx;   // RNN, LSTM: db_hh is db_ih's sum, taken with it
        if (options.bias() && !shared) {
            backend.addColumnSums(dRh.reshape(tb, gh), w.dbHh());
        }
        backend.inputGradients(new Backend.InputGradients(dWx.reshape(tb, gh), in.reshape(tb, in.dim(2)), w.wIh(),
                w.dwIh(), options.bias() ? w.dbIh() : null, options.bias() && shared ? w.dbHh() : null,
                dIn.reshape(tb, in.dim(2)), reverse ? 1.0 : 0.0));
    }

    /**
     * The reverse time loop of one direction: per step, the cell backward and {@code dh += dRh_t·W_hh}.
     * {@code packed}: each step on the rows still running. A loop with {@code l.lengths()} (packed,
     * {@code packed} then null) runs every row, then gives the ended rows back the dh and dc they had
     * before the step, and zeroes their dWx and dRh at the end: the same gradients in a loop of one
     * shape for any lengths.
     */
    private void backwardSteps(RecurrentWeights w, int d, StepGraphs.BackwardLoop l, PackedLengths packed) {
        RecurrentSaved.Trace tr = l.trace();
        int steps = tr.h().dim(0);
        int batch = tr.h().dim(1);
        boolean carried = l.lengths() != null;
        for (int s = steps - 1; s >= 0; s--) {
            int t = d == 0 ? s : steps - 1 - s;
            boolean first = s == 0;
            int tPrev = d == 0 ? t - 1 : t + 1;
            if (carried) {   // what an ended row's dh (dc) must still be after the step
                backend.copy(l.dh(), l.dhKept());
                if (l.dc() != null) {
                    backend.copy(l.dc(), l.dcKept());
                }
            }
            // packed: the rows still running; a finished row's dh (dc) passes through the step untouched
            int rows = packed == null ? batch : packed.active(t);
            Tensor dRh = firstRows(l.dRh().select(t), rows);
            layer.cellBackward(backend, new RecurrentLayer.StepBackward(firstRows(tr.gates().select(t), rows),
                    firstRows(first ? l.h0() : tr.h().select(tPrev), rows),
                    l.c0() == null ? null : firstRows(first ? l.c0() : tr.c().select(tPrev), rows),
                    tr.c() == null ? null : firstRows(tr.c().select(t), rows),
                    tr.hn() == null ? null : firstRows(tr.hn().select(t), rows),
                    firstRows(tr.h().select(t), rows), firstRows(l.dOut().select(t), rows), firstRows(l.dh(), rows),
                    firstRows(l.dc(), rows), firstRows(l.dWx().select(t), rows), dRh));
            backend.gemm(false, false, 1.0, dRh, w.wHh(), 1.0, firstRows(l.dh(), rows));
            if (carried) {
                backend.carryFinishedRows(l.dh(), l.dhKept(), l.lengths(), t);
                if (l.dc() != null) {
                    backend.carryFinishedRows(l.dc(), l.dcKept(), l.lengths(), t);
                }
            }
            if (rows < batch) {   // no gradient at a finished row's step: the weight gradients sum over all rows
                backend.fill(l.dWx().select(t).slice(rows, batch), 0.0);
                if (l.dRh() != l.dWx()) {
                    backend.fill(l.dRh().select(t).slice(rows, batch), 0.0);
                }
            }
        }
        if (carried) {   // as above, in one launch each
            backend.zeroEndedSteps(l.dWx(), l.lengths(), false);
            if (l.dRh() != l.dWx()) {
                backend.zeroEndedSteps(l.dRh(), l.lengths(), false);
            }
        }
    }

    /**
     * The reverse time loop of a projected LSTM direction ({@code h_t = m_t·W_hrᵀ}, {@code m_t} the
     * cell's output): per step, {@code g_t = dOut_t + dh} (what reaches h_t) into {@code l.g()},
     * {@code ∂L/∂m_t = g_t·W_hr}, the cell backward from it, and {@code dh ← dGates_t·W_hh}, the running
     * ∂L/∂h of the step before (the cell passes nothing to h directly: its own dh is the all-zero
     * {@code l.noDh()}), in slices of 4H when the backend split it ({@code l.dhPartials()}, see
     * {@link Backend#depthSplitProduct}). The caller then forms {@code dW_hr += Σ_t g_tᵀ·m_t} in one GEMM over all
     * steps. Forming g_t is the one elementwise launch that copied dh per step before, where
     * {@code dOut_t·W_hr + dh·W_hr} cost a second GEMM per step, and a second one over all steps.
     * {@code packed}: each step on the rows still running; finished rows keep their dh and dc, and get
     * no ∂L/∂m (their m rows are 0). A loop with {@code l.lengths()} (packed, {@code packed} then null)
     * runs every row, gives the ended rows back their dh and dc after each step, and zeroes their dWx
     * and g at the end, as {@link #backwardSteps} does.
     */
    private void backwardProjectedSteps(RecurrentWeights w, int d, StepGraphs.BackwardLoop l, PackedLengths packed) {
        RecurrentSaved.Trace tr = l.trace();
        int steps = tr.h().dim(0);
        int batch = tr.h().dim(1);
        Tensor g = l.g();
        Tensor dm = l.dm();
        Tensor noDh = l.noDh();
        boolean carried = l.lengths() != null;
        for (int s = steps - 1; s >= 0; s--) {
            int t = d == 0 ? s : steps - 1 - s;
            boolean first = s == 0;
            int tPrev = d == 0 ? t - 1 : t + 1;
            if (carried) {   // what an ended row's dh and dc must still be after the step
                backend.copy(l.dh(), l.dhKept());
                backend.copy(l.dc(), l.dcKept());
            }
            int rows = packed == null ? batch : packed.active(t);
            Tensor gt = g.select(t);
            backend.add(l.dh(), l.dOut().select(t), gt);
            Tensor dmRows = firstRows(dm, rows);
            backend.gemm(false, false, 1.0, firstRows(gt, rows), w.wHr(), 0.0, dmRows);
            Tensor dGates = firstRows(l.dWx().select(t), rows);
            layer.cellBackward(backend, new RecurrentLayer.StepBackward(firstRows(tr.gates().select(t), rows), null,
                    firstRows(first ? l.c0() : tr.c().select(tPrev), rows), firstRows(tr.c().select(t), rows), null,
                    null, dmRows, firstRows(noDh, rows), firstRows(l.dc(), rows), dGates, dGates));
            backend.depthSplitProduct(dGates, w.wHh(), false, firstRows(l.dh(), rows), l.dhPartials());
            if (carried) {
                backend.carryFinishedRows(l.dh(), l.dhKept(), l.lengths(), t);
                backend.carryFinishedRows(l.dc(), l.dcKept(), l.lengths(), t);
            }
            if (rows < batch) {   // no gradient at a finished row's step: the weight gradients sum over all rows
                backend.fill(l.dWx().select(t).slice(rows, batch), 0.0);
            }
        }
        if (carried) {   // the ended rows' steps: no gate gradient, and nothing for dW_hr
            backend.zeroEndedSteps(l.dWx(), l.lengths(), false);
            backend.zeroEndedSteps(g, l.lengths(), false);
        }
    }
}

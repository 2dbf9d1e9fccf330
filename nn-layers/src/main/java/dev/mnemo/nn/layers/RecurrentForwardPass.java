package dev.mnemo.nn.layers;

import static dev.mnemo.nn.layers.PackedLengths.firstRows;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The forward pass of a {@link RecurrentLayer}, time-major: per layer and direction the input
 * projection, then the time loop in a whole-sequence kernel when the backend has one for the shape,
 * else replayed from a recording ({@link StepGraphs}), else eagerly step by step; dropout between
 * layers; the final state. One per layer, with the layer's thread rules.
 */
final class RecurrentForwardPass {

    private final RecurrentLayer layer;
    private final Backend backend;
    private final RecurrentOptions options;
    private final int gateCount;

    RecurrentForwardPass(RecurrentLayer layer, int gateCount) {
        this.layer = layer;
        this.backend = layer.backend;
        this.options = layer.options();
        this.gateCount = gateCount;
    }

    /**
     * The forward, time-major. Tensors made here that the caller never sees (traces, inner layers'
     * outputs, masks, zero initial states, and {@code x} when {@code ownsInput}) are listed in the
     * saved, so that {@link RecurrentSaved#release} can hand them back; a fully overwritten one is
     * made with {@link Backend#empty} (no fill). Without {@code keeps} (inference) the cells save
     * nothing for a backward, the LSTM's c is one running [B, H] (the final state's slice), each
     * direction's projection goes back to the backend as soon as its loop is queued, and the rest
     * before returning: the saved is empty. A {@code packed} pass (x and the state already in its
     * row order) runs each loop in a whole-sequence kernel given the lengths; else, where the backend
     * records loops ({@link StepGraphs}), each step on every row with the finished rows carried
     * ({@link Backend#carryFinishedRows}), a loop of one shape for any lengths that is recorded like an
     * unpacked one; else eagerly, each step on the rows still running. Projected loops are recorded
     * like the others.
     */
    RecurrentOutput run(Tensor x, RecurrentState state, boolean fromStep, boolean ownsInput, boolean keeps,
                        PackedLengths packed) {
        int steps = x.dim(0);
        int batch = x.dim(1);
        int h = options.hiddenSize();
        int p = options.outputSize();   // h's features: H, or P when projected
        boolean projected = options.projSize() > 0;
        int dirs = options.directions();
        int layers = options.numLayers();
        int tb = steps * batch;
        int gh = gateCount * h;
        List<Tensor> owned = new ArrayList<>();
        if (ownsInput) {
            owned.add(x);
        }
        Tensor h0 = state == null ? owned(owned, backend.zeros(layers * dirs, batch, p)) : state.h();
        Tensor c0 = !layer.hasCellState() ? null
                : state == null ? owned(owned, backend.zeros(layers * dirs, batch, h)) : state.c();
        Tensor hN = backend.empty(layers * dirs, batch, p);   // every slice gets its direction's last h
        Tensor cN = layer.hasCellState() ? backend.empty(layers * dirs, batch, h) : null;
        Tensor[] inputs = new Tensor[layers];
        Tensor[] masks = new Tensor[layers];
        RecurrentSaved.Trace[] traces = new RecurrentSaved.Trace[layers * dirs];
        Tensor rh = null;   // the eager loop's scratch, made when a loop runs eagerly
        Tensor cScratch = null;   // an eager packed LSTM loop's copy of the running c, made when one runs
        Tensor hPartials = null;  // an eager projected loop's split projection, made with rh (null: not split)
        boolean carried = layer.carriesPackedRows(packed);   // every row at every step, the ended ones carried
        Tensor lengths = carried ? packed.sortedLengthsOn(backend) : null;   // the packing's, not released here
        Tensor in = x;
        Tensor layerOut = null;
        int preamble = owned.size();     // the transposed x and zero initial states, read by every layer
        int handedBack = preamble;       // inference: owned[handedBack..] are the layers' buffers not yet released
        for (int k = 0; k < layers; k++) {
            if (k > 0 && layer.isTraining() && options.dropout() > 0) {
                masks[k] = owned(owned, backend.empty(in.shape()));
                Tensor dropped = owned(owned, backend.empty(in.shape()));
                DropoutStream dropout = layer.dropoutStream();
                backend.dropout(in, options.dropout(), dropout.seed(), dropout.offset(), masks[k], dropped);
                dropout.advance(in.numel());
                in = dropped;
            }
            inputs[k] = in;
            int layerOutputs = owned.size();   // from here: this layer's own outputs, which the next one reads
            int inWidth = in.dim(2);
            boolean lastLayer = k == layers - 1;
            layerOut = dirs == 1 ? null : backend.empty(steps, batch, dirs * p);
            if (layerOut != null && !lastLayer) {
                owned.add(layerOut);
            }
            for (int d = 0; d < dirs; d++) {
                int idx = k * dirs + d;
                RecurrentWeights w = layer.weights(idx);
                // packed loops are recorded when they carry their finished rows; projected ones never
                // take a whole-sequence kernel, packed ones may (the kernel carries a finished row's
                // state, as the loops do)
                boolean unrecorded = packed != null && !carried;
                StepGraphs graphs = unrecorded ? null : layer.stepGraphs();
                RecurrentSaved.Trace tr = keeps ? trainingTrace(graphs, idx, carried, steps, batch, unrecorded, owned)
                        : inferenceTrace(graphs, idx, carried, steps, batch, cN);
                traces[idx] = tr;
                if (dirs > 1 || !lastLayer) {
                    owned.add(tr.h());   // else it is the layer's output
                }
                Tensor hInit = h0.select(idx);
                Tensor cInit = c0 == null ? null : c0.select(idx);
                // A backend with a whole-sequence path (CUDA's persistent kernels) may run all steps at once,
                // forming the input projection x·W_ihᵀ itself; else it is one GEMM over all steps here.
                boolean whole = !projected && backend.sequenceForward(new Backend.SequenceForward(layer.sequenceCell(), tr.gates(),
                        w.wHh(), w.bIh(), w.bHh(), hInit, cInit, tr.h(), tr.c(), tr.hn(), d == 1, keeps,
                        packed == null ? null : packed.sortedLengths(), in, w.wIh()));
                if (!whole) {
                    backend.gemm(false, true, 1.0, in.reshape(tb, inWidth), w.wIh(), 0.0, tr.gates().reshape(tb, gh));
                }
                int dir = d;
                // whole: the backend ran every step at once; else a recording, else the eager loop
                PackedLengths loopPacked = carried ? null : packed;   // a carried loop runs every row
                if (!whole && (graphs == null || !graphs.forward(idx, keeps, tr, hInit, cInit, lengths,
                        (gTr, gH, gC, gRh, gLengths, gScratch, gPartials) -> forwardSteps(w, dir, gTr, gH, gC, gRh,
                                keeps, null, gLengths, gScratch, gPartials)))) {
                    if (rh == null) {   // packed steps run on fewer rows than a split product's buffer has
                        rh = unrecorded ? backend.empty(batch, gh) : backend.recurrentProductBuffer(batch, gh, p);
                        hPartials = projected ? backend.depthSplitBuffer(batch, p, h) : null;
                    }
                    if (carried && cInit != null && cScratch == null) {
                        cScratch = backend.empty(batch, h);
                    }
                    forwardSteps(w, dir, tr, hInit, cInit, rh, keeps, loopPacked, lengths, cScratch, hPartials);
                }
                int last = d == 0 ? steps - 1 : 0;
                backend.copy(tr.h().select(last), hN.select(idx));
                if (cN != null && keeps) {
                    backend.copy(tr.c().select(last), cN.select(idx));
                } else if (cN != null && !tr.c().sharesStorageWith(cN)) {   // a recording's own running c
                    backend.copy(tr.c(), cN.select(idx));
                }
                if (dirs == 1) {
                    layerOut = tr.h();
                } else {
                    backend.copyColumns(tr.h().reshape(tb, p), 0, layerOut.reshape(tb, dirs * p), d * p, p);
                }
                if (!keeps) {
                    releaseInferenceScratch(graphs, idx, carried, tr);
                }
            }
            in = layerOut;
            if (!keeps) {
                // The layer below's output and this layer's dropout buffers feed only this layer's
                // projections, now queued: as under no_grad, at most two layers' buffers are alive at
                // once, whatever the depth. The stream orders any reuse after the queued work.
                Release.all(backend, owned.subList(handedBack, layerOutputs));
                handedBack = layerOutputs;
            }
        }
        Release.all(backend, rh, cScratch, hPartials);
        if (!keeps) {
            Release.all(backend, owned.subList(handedBack, owned.size()));
            Release.all(backend, owned.subList(0, preamble));
            return new RecurrentOutput(layerOut, new RecurrentState(hN, cN), RecurrentSaved.inference(layer, steps,
                    batch, fromStep));
        }
        // what the backward reads but the caller may still write: the weights, x, the initial state, and
        // the output where it is the last layer's trace
        var versions = new SavedVersions().parameters(layer).input("x given to forward", inputs[0])
                .input("the initial state's h given to forward", h0).input("the initial state's c given to forward", c0);
        if (dirs == 1) {
            versions.input("the output of forward (the saved trace: copy it to change it)", layerOut);
        }
        var saved = new RecurrentSaved(layer, steps, batch, fromStep, inputs, masks, traces, h0, c0, state == null,
                packed, owned, versions);
        if (layer.stepGraphs() != null) {   // training: the recordings lend their traces to this saved
            layer.stepGraphs().lent(saved);
        }
        return new RecurrentOutput(layerOut, new RecurrentState(hN, cN), saved);
    }

    /**
     * The trace a training forward of (layer, direction) {@code idx} saves: fresh tensors listed in
     * {@code owned}, or a recorded shape's own gates, c, hn and m (lent: nothing to copy). Each is
     * written whole: gates by the projection GEMM (β = 0), the rest at every step, but for an eager
     * packed projected loop's m ({@code zeroM}), whose finished rows stay 0 (so they add nothing to
     * dW_hr; a loop that carries its finished rows zeroes their g instead).
     */
    private RecurrentSaved.Trace trainingTrace(StepGraphs graphs, int idx, boolean packed, int steps, int batch,
                                               boolean zeroM, List<Tensor> owned) {
        int h = options.hiddenSize();
        int p = options.outputSize();
        RecurrentSaved.Trace lent = graphs == null ? null : graphs.lend(idx, packed, steps, batch);
        if (lent != null) {
            return new RecurrentSaved.Trace(lent.gates(), backend.empty(steps, batch, p), lent.c(), lent.hn(), lent.m());
        }
        var tr = new RecurrentSaved.Trace(backend.empty(steps, batch, gateCount * h), backend.empty(steps, batch, p),
                layer.hasCellState() ? backend.empty(steps, batch, h) : null,
                layer.savesHn() ? backend.empty(steps, batch, h) : null,
                options.projSize() == 0 ? null : zeroM ? backend.zeros(steps, batch, h) : backend.empty(steps, batch, h));
        for (Tensor t : tr.lendable()) {
            if (t != null) {
                owned.add(t);
            }
        }
        return tr;
    }

    /**
     * The buffers an inference of (layer, direction) {@code idx} runs in: the projection (gates, kept
     * as it is), h, and for the LSTM only the running c {@code [B, H]}, updated in place step by step
     * (nothing needs c_t afterwards but the final state): the final state's own slice of {@code cN},
     * so the last step leaves it in place; projected, a running m {@code [B, H]}. No hn. A recorded
     * shape's own gates, running c and m when there is one (its h stays the call's own: it may be the
     * output).
     */
    private RecurrentSaved.Trace inferenceTrace(StepGraphs graphs, int idx, boolean packed, int steps, int batch,
                                                Tensor cN) {
        int h = options.hiddenSize();
        int p = options.outputSize();
        RecurrentSaved.Trace own = graphs == null ? null : graphs.inferenceTrace(idx, packed, steps, batch);
        if (own != null) {
            return new RecurrentSaved.Trace(own.gates(), backend.empty(steps, batch, p), own.c(), null, own.m());
        }
        return new RecurrentSaved.Trace(backend.empty(steps, batch, gateCount * h), backend.empty(steps, batch, p),
                cN == null ? null : cN.select(idx), null, options.projSize() == 0 ? null : backend.empty(batch, h));
    }

    /**
     * Hands back an inference direction's projection (and running m) once its loop is queued, unless a
     * recording owns them.
     */
    private void releaseInferenceScratch(StepGraphs graphs, int idx, boolean packed, RecurrentSaved.Trace tr) {
        RecurrentSaved.Trace own = graphs == null ? null
                : graphs.inferenceTrace(idx, packed, tr.h().dim(0), tr.h().dim(1));
        if (own != null && own.gates() == tr.gates()) {
            return;
        }
        Release.all(backend, tr.gates(), tr.m());
    }

    private static Tensor owned(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    /**
     * The time loop of one direction: per step, {@code rh = h_{t−1}·W_hhᵀ} and the cell forward,
     * which writes the activated gates (and hn) over the projection only when it {@code keeps} them.
     *
     * <p>{@code packed}: each step computes only the rows still running, a prefix of the sorted batch;
     * a finished row carries its state through the step ({@code h_t = h_{t−1}}, and c), so h and c at
     * every step hold each row's current state. The forward direction's last step then holds every
     * row's final state, and a row the reverse direction has not reached yet holds its initial state,
     * which its first step reads as {@code h_{t+1}}; the backward reads the same trace.
     *
     * <p>{@code lengths} (a packed loop that carries its finished rows, {@code packed} then null): every
     * step runs on every row, then the rows with {@code t ≥ length} take h (and c) from the step before,
     * the same trace as above in a loop of one shape; their gates and hn hold values no backward reads.
     * An inference's running c is overwritten in place by the cell, so its finished rows come from
     * {@code cScratch}, a copy made before the cell.
     *
     * <p>The trace's {@code m} (projSize only): the cell writes its output {@code o ⊙ tanh(c)} there
     * ({@code [T, B, H]} when it {@code keeps}, else one running {@code [B, H]}), and {@code h_t = m_t·W_hrᵀ},
     * in slices of H when the backend split it ({@code hPartials}, see {@link Backend#depthSplitProduct}).
     */
    private void forwardSteps(RecurrentWeights w, int d, RecurrentSaved.Trace tr, Tensor hInit, Tensor cInit, Tensor rh,
                              boolean keeps, PackedLengths packed, Tensor lengths, Tensor cScratch, Tensor hPartials) {
        Tensor m = tr.m();
        int steps = tr.h().dim(0);
        int batch = tr.h().dim(1);
        for (int s = 0; s < steps; s++) {
            int t = d == 0 ? s : steps - 1 - s;
            int tPrev = d == 0 ? t - 1 : t + 1;
            Tensor hPrev = s == 0 ? hInit : tr.h().select(tPrev);
            // inference: c is the running [B, H], read and overwritten in place by every step
            Tensor cPrev = cInit == null ? null : s == 0 ? cInit : keeps ? tr.c().select(tPrev) : tr.c();
            Tensor c = tr.c() == null ? null : keeps ? tr.c().select(t) : tr.c();
            if (lengths != null && c != null && c == cPrev) {
                backend.copy(cPrev, cScratch);   // the finished rows' c, which the cell overwrites
            }
            Tensor h = tr.h().select(t);
            int rows = packed == null ? batch : packed.active(t);
            if (rows < batch) {
                backend.copy(hPrev.slice(rows, batch), h.slice(rows, batch));
                if (c != null && c != cPrev) {   // a running c already holds it
                    backend.copy(cPrev.slice(rows, batch), c.slice(rows, batch));
                }
            }
            // unpacked: rh may be a split product's partials [S, B, G·H], whose first dimension is not the batch
            Tensor rhRows = packed == null ? rh : firstRows(rh, rows);
            if (packed == null) {
                backend.recurrentProduct(hPrev, w.wHh(), rh);
            } else {
                backend.gemm(false, true, 1.0, firstRows(hPrev, rows), w.wHh(), 0.0, rhRows);
            }
            Tensor gatesT = firstRows(tr.gates().select(t), rows);
            Tensor cellOut = m == null ? h : keeps ? m.select(t) : m;
            layer.cellForward(backend, new RecurrentLayer.StepForward(gatesT, rhRows, w.bIh(), w.bHh(),
                    firstRows(hPrev, rows), firstRows(cPrev, rows), keeps ? gatesT : null, firstRows(c, rows),
                    tr.hn() == null ? null : firstRows(tr.hn().select(t), rows), firstRows(cellOut, rows)));
            if (m != null) {
                backend.depthSplitProduct(firstRows(cellOut, rows), w.wHr(), true, firstRows(h, rows), hPartials);
            }
            if (lengths != null) {
                backend.carryFinishedRows(h, hPrev, lengths, t);
                if (c != null) {
                    backend.carryFinishedRows(c, c == cPrev ? cScratch : cPrev, lengths, t);
                }
            }
        }
    }
}

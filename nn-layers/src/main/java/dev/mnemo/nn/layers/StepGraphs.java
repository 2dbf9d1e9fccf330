package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The opt-in CUDA Graph path of {@link RecurrentLayer}'s time loops: per (layer, direction), the T
 * forward steps (one recurrent GEMM and one cell kernel each) and the T backward steps (one cell
 * kernel and one GEMM each) are recorded once with {@link Backend#record} and replayed on later calls
 * with the same (steps, batch).
 *
 * <p>A recording holds device addresses, so it runs on buffers this object owns: the inputs (the
 * input projection and initial state; for the backward the trace, ∂L/∂output and the running
 * gradients) are copied in, the recording is replayed, and the results are copied out into the
 * caller's fresh tensors. Outputs and saved activations therefore stay independent
 * between calls, exactly as on the eager path, and are bit for bit the same (same kernels and GEMMs,
 * same shapes, buffers at the same offsets). A different (steps, batch) records again and hands the
 * old buffers back ({@link Backend#release}) at once: a loop alternating shapes would otherwise ask
 * the driver for fresh memory at every switch until a garbage collection ran. Old trace buffers still
 * lent to a live saved become that saved's own, released with it. The forward and backward recordings of one shape share their trace buffers, and a
 * backward of the latest forward copies no trace in. Cost: per (layer, direction), device buffers for
 * one trace, ∂L/∂output and the pre-activation gradients, and a few device copies per call, which are cheap exactly where graphs
 * pay off (small steps, where launches dominate).
 *
 * <p><b>Lending.</b> Once a shape is recorded, a forward may run in the owned trace itself
 * ({@link #lend}): the projection GEMM writes the owned gates, the replay writes the owned c and hn,
 * and the saved keeps those buffers as its trace, so neither the projection (T·B·G·H floats) nor
 * those results are copied. Only h is copied out, since it may be the layer's output. A saved holds
 * its loan until it is released ({@link RecurrentSaved#release}) or unreachable; a call that needs
 * the owned trace while a live saved holds it first copies that saved's gates, c and hn out into
 * tensors of its own, so every saved keeps its values.
 *
 * <p><b>Inference.</b> {@link RecurrentLayer#infer}'s loops run the cells' inference kernels, so
 * they have recordings and buffers of their own (per (layer, direction) and shape, beside the
 * training ones). Nothing an inference returns refers to them, so its projection GEMM always
 * writes the owned gates and its loop the owned c ({@link #inferenceTrace}), with no loan to track.
 *
 * <p><b>Projected loops</b> (an LSTM with projSize): the forward step's third launch, {@code h_t =
 * m_t·W_hrᵀ}, is recorded with the rest, and the trace's m is lent and copied like its c. The
 * backward loop's g_t (what reached h_t) is its output; the one GEMM that forms dW_hr from all steps'
 * g and m runs after the replay, on the caller's trace. A packed projected loop that carries its finished
 * rows zeroes their g at the end, their m being computed from carried states.
 *
 * <p><b>Packed loops.</b> A packed forward that runs every row and carries the finished ones
 * ({@link Backend#carryFinishedRows}) has recordings and buffers of its own, apart from the
 * unpacked loops of its shape, and so has its backward. Each call copies its sorted lengths in, so
 * one recording serves every batch of its (steps, batch), whatever the lengths.
 *
 * <p>A shape is recorded on its {@code sightings}-th consecutive call (1: at once; 2, the CUDA
 * default: when a call repeats the previous call's shape), so a training loop whose batches change
 * shape every call (bucketed sequence lengths) stays on the eager loop instead of recording each
 * shape once and never replaying it. {@link #forward} and {@link #backward} return false when the
 * caller should run the eager loop itself. The automatic mode (sightings above 1) leaves loops shorter
 * than {@link #AUTO_MIN_STEPS} eager.
 *
 * <p>Not thread-safe, like the layer.
 */
final class StepGraphs implements AutoCloseable {

    /**
     * The time loop of one (layer, direction) on the given buffers: what gets recorded. A packed loop
     * also gets the sorted lengths {@code [B]} and, for the LSTM, a {@code [B, H]} scratch; a projected
     * one the partials of its projection ({@link Backend#depthSplitBuffer}, null when not split); null else.
     */
    interface Loop {
        void run(RecurrentSaved.Trace trace, Tensor hInit, Tensor cInit, Tensor rh, Tensor lengths, Tensor cScratch,
                 Tensor hPartials);
    }

    /**
     * The tensors of one (layer, direction)'s reverse loop: the forward's trace and initial state
     * ({@code h0}, {@code c0} selects of the {@code [L·D, B, H]} state), ∂L/∂output {@code dOut}
     * {@code [T, B, H]}, the running {@code dh}, {@code dc} (in-out, selects of {@code [L·D, B, H]}),
     * and the pre-activation gradients {@code dWx}, {@code dRh} {@code [T, B, G·H]} (out; the same
     * tensor unless the cell splits them). {@code c0}, {@code dc} LSTM only. A packed loop that runs
     * every row also has the sorted {@code lengths} {@code [B]} and scratch {@code [B, H]} copies of dh
     * and dc ({@code dhKept}, {@code dcKept}); null otherwise. A projected LSTM's loop also writes
     * {@code g} {@code [T, B, P]}, what reached each h_t (out: dW_hr is formed from it after the loop),
     * and runs in two {@code [B, H]} scratches, {@code dm} and the all-zero {@code noDh}, and the
     * partials of its dh product {@code dhPartials} ({@link Backend#depthSplitBuffer}, null when not
     * split); null otherwise.
     */
    record BackwardLoop(RecurrentSaved.Trace trace, Tensor h0, Tensor c0, Tensor dOut, Tensor dh, Tensor dc,
                        Tensor dWx, Tensor dRh, Tensor lengths, Tensor dhKept, Tensor dcKept, Tensor g, Tensor dm,
                        Tensor noDh, Tensor dhPartials) {
        BackwardLoop(RecurrentSaved.Trace trace, Tensor h0, Tensor c0, Tensor dOut, Tensor dh, Tensor dc,
                     Tensor dWx, Tensor dRh) {
            this(trace, h0, c0, dOut, dh, dc, dWx, dRh, null, null, null, null, null, null, null);
        }
    }

    /**
     * An owned trace, shared by the forward and the backward recording of one shape, and which
     * caller's trace it currently equals: a backward of the latest forward's saved trace then copies
     * nothing in (saved traces are never modified).
     */
    private static final class OwnedTrace {
        final RecurrentSaved.Trace buffers;
        // weak: remembering which trace we equal must not keep that trace's device memory alive
        private WeakReference<RecurrentSaved.Trace> holds;
        // the saved whose trace at lentIndex uses these gates, c and hn; weak, as a loan ends with it
        private WeakReference<RecurrentSaved> lentTo;
        private int lentIndex;
        private boolean lendingNow;   // lent to the forward running now, whose saved does not exist yet

        OwnedTrace(RecurrentSaved.Trace buffers) {
            this.buffers = buffers;
        }

        /** The live, unreleased saved that uses these buffers, or null. */
        RecurrentSaved borrower() {
            RecurrentSaved s = lentTo == null ? null : lentTo.get();
            return s == null || s.released() ? null : s;
        }

        boolean holds(RecurrentSaved.Trace t) {
            return holds != null && holds.get() == t;
        }

        void nowHolds(RecurrentSaved.Trace t) {
            holds = t == null ? null : new WeakReference<>(t);
        }
    }

    /** What one (layer, direction) keeps for its backward: the shape, the owned tensors, the recording. */
    private static final class BackwardEntry {
        final int steps;
        final int batch;
        final OwnedTrace trace;
        final BackwardLoop owned;
        final List<Tensor> allocated;   // every tensor made for it but the trace, to release when it goes
        Backend.Recording recording;

        BackwardEntry(int steps, int batch, OwnedTrace trace, BackwardLoop owned, List<Tensor> allocated) {
            this.steps = steps;
            this.batch = batch;
            this.trace = trace;
            this.owned = owned;
            this.allocated = allocated;
        }
    }

    /** What one (layer, direction) keeps: the shape it was recorded for, its buffers, the recording. */
    private static final class Entry {
        final int steps;
        final int batch;
        final OwnedTrace trace;
        final Tensor hInit;
        final Tensor cInit;
        final Tensor rh;
        final Tensor lengths;    // a packed loop's sorted lengths, copied in by every call; else null
        final Tensor cScratch;   // a packed LSTM loop's scratch; else null
        final Tensor hPartials;  // a projected loop's split projection; else null
        final List<Tensor> allocated;   // every tensor made for it but the trace, to release when it goes
        Backend.Recording recording;

        Entry(int steps, int batch, OwnedTrace trace, Tensor hInit, Tensor cInit, Tensor rh, Tensor lengths,
              Tensor cScratch, Tensor hPartials, List<Tensor> allocated) {
            this.steps = steps;
            this.batch = batch;
            this.trace = trace;
            this.hInit = hInit;
            this.cInit = cInit;
            this.rh = rh;
            this.lengths = lengths;
            this.cScratch = cScratch;
            this.hPartials = hPartials;
            this.allocated = allocated;
        }
    }

    /**
     * The fewest steps the automatic mode records: a replay adds about six copies around its one
     * launch, which pays only once the eager loop's 2–3 launches per step outnumber them (a
     * step-by-step decoder calls with T = 1 and stays eager).
     */
    static final int AUTO_MIN_STEPS = 4;

    private final Backend backend;
    private final int sightings;
    private final Map<Integer, Entry> entries = new HashMap<>();
    private final Map<Integer, BackwardEntry> backwardEntries = new HashMap<>();
    /** Per loop key, the shape of the latest call that ran eagerly, and how many calls in a row had it. */
    private final Map<Integer, long[]> seen = new HashMap<>();
    private int recordings;
    private int backwardRecordings;
    private int loans;
    private int loansCopiedOut;

    /**
     * @param sightings how many consecutive calls with one shape it takes to record that shape (1 or
     *                  more)
     */
    StepGraphs(Backend backend, int sightings) {
        if (sightings < 1) {
            throw new IllegalArgumentException("sightings must be >= 1, got " + sightings);
        }
        this.backend = backend;
        this.sightings = sightings;
    }

    /** How many consecutive calls with one shape it takes to record it. */
    int sightings() {
        return sightings;
    }

    /**
     * Whether a loop without a recording for (steps, batch) should record it now; else it runs
     * eagerly and this call counts towards the shape's sightings. Forward loops use key
     * {@code index}, backward loops {@code -1 - index}.
     */
    private boolean recordNow(int key, int steps, int batch) {
        if (sightings > 1 && steps < AUTO_MIN_STEPS) {
            return false;
        }
        long shape = ((long) steps << 32) | batch;
        long[] s = seen.get(key);
        long count = s != null && s[0] == shape ? s[1] + 1 : 1;
        if (count >= sightings) {
            seen.remove(key);
            return true;
        }
        seen.put(key, new long[] {shape, count});
        return false;
    }

    /**
     * The key of (layer, direction) {@code index}'s forward loop: training and inference loops run
     * different cell kernels, and packed loops carry finished rows, so each has its own recording and
     * buffers. Backward loops use {@code -1 - index}.
     */
    private static int forwardKey(int index, boolean keeps, boolean packed) {
        return (keeps ? index : INFERENCE_KEYS + index) + (packed ? PACKED_KEYS : 0);
    }

    /** Where the inference loops' keys start, above any (layer, direction) index. */
    private static final int INFERENCE_KEYS = 1 << 20;
    /** Added to a packed loop's key, above any unpacked one. */
    private static final int PACKED_KEYS = 1 << 22;

    /**
     * Runs the loop of (layer, direction) {@code index} through its recording: {@code trace.gates()}
     * holds the input projection on entry and every trace tensor holds the loop's results on return.
     *
     * @param keeps false for an inference loop (its trace has no hn, and its gates keep the projection)
     * @param hInit the initial h, {@code [B, H]} (a select of the {@code [L·D, B, H]} state)
     * @param cInit the initial c (LSTM), else null
     * @param lengths a packed loop's sorted lengths {@code [B]} (copied in, so one recording serves any
     *                lengths), else null
     * @return false when the shape is not recorded (yet): then nothing ran and the caller runs the loop
     */
    boolean forward(int index, boolean keeps, RecurrentSaved.Trace trace, Tensor hInit, Tensor cInit, Tensor lengths,
                    Loop loop) {
        int steps = trace.h().dim(0);
        int batch = trace.h().dim(1);
        int key = forwardKey(index, keeps, lengths != null);
        Entry e = entries.get(key);
        if (e == null || e.steps != steps || e.batch != batch) {
            if (!recordNow(key, steps, batch)) {
                return false;
            }
            Entry old = e;
            e = allocate(index, trace, hInit, cInit, lengths != null);
            entries.put(key, e);
            if (old != null) {
                retire(old.recording, old.allocated, old.trace);
            }
        }
        RecurrentSaved.Trace owned = e.trace.buffers;
        boolean lentHere = trace.gates() == owned.gates();   // lend(): the projection is already in place
        if (!lentHere) {
            endLoan(e.trace);
        }
        e.trace.nowHolds(null);
        if (!lentHere) {
            backend.copy(trace.gates(), owned.gates());
        }
        backend.copy(hInit, e.hInit);
        if (cInit != null) {
            backend.copy(cInit, e.cInit);
        }
        if (lengths != null) {
            backend.copy(lengths, e.lengths);
        }
        if (e.recording == null) {
            Entry entry = e;
            e.recording = backend.record(() -> loop.run(owned, entry.hInit, entry.cInit, entry.rh, entry.lengths,
                    entry.cScratch, entry.hPartials));
            recordings++;
        } else {
            e.recording.replay();
        }
        backend.copy(owned.h(), trace.h());
        if (!lentHere) {
            backend.copy(owned.gates(), trace.gates());
            copyIfDistinct(owned.c(), trace.c());
            copyIfDistinct(owned.hn(), trace.hn());
            copyIfDistinct(owned.m(), trace.m());
        }
        e.trace.nowHolds(trace);
        return true;
    }

    /**
     * The owned trace of (layer, direction) {@code index}'s inference loop for this call to run in,
     * when (steps, batch) is recorded; else null. Nothing an inference returns refers to it (only h
     * is copied out), so it is never on loan and each call simply overwrites it.
     */
    RecurrentSaved.Trace inferenceTrace(int index, boolean packed, int steps, int batch) {
        Entry e = entries.get(forwardKey(index, false, packed));
        return e == null || e.recording == null || e.steps != steps || e.batch != batch ? null : e.trace.buffers;
    }

    /**
     * The owned trace of (layer, direction) {@code index} for this call's forward to run in, when
     * (steps, batch) is recorded and no live saved holds it: the caller takes its gates, c and hn as
     * its trace (h stays the caller's own) and must hand the saved to {@link #lent} when the forward
     * is done. Null when the caller makes its own trace.
     */
    RecurrentSaved.Trace lend(int index, boolean packed, int steps, int batch) {
        Entry e = entries.get(forwardKey(index, true, packed));
        if (e == null || e.recording == null || e.steps != steps || e.batch != batch || e.trace.borrower() != null) {
            return null;
        }
        e.trace.lentTo = null;
        e.trace.lendingNow = true;
        e.trace.lentIndex = index;
        loans++;
        return e.trace.buffers;
    }

    /** The forward that took owned traces from {@link #lend} made {@code saved}: they are its until it goes. */
    void lent(RecurrentSaved saved) {
        for (Entry e : entries.values()) {
            if (e.trace.lendingNow) {
                e.trace.lendingNow = false;
                e.trace.lentTo = new WeakReference<>(saved);
            }
        }
    }

    /**
     * Before the owned buffers of {@code t} are written for another call: the saved that holds them
     * gets copies of its gates, c and hn, and the loan ends.
     */
    private void endLoan(OwnedTrace t) {
        RecurrentSaved s = t.borrower();
        t.lentTo = null;
        t.lendingNow = false;
        if (s == null) {
            return;
        }
        loansCopiedOut++;
        RecurrentSaved.Trace mine = s.traces[t.lentIndex];
        s.replaceTrace(t.lentIndex, new RecurrentSaved.Trace(backend.copyOf(mine.gates()), mine.h(), copyOf(mine.c()),
                copyOf(mine.hn()), copyOf(mine.m())));
    }

    /**
     * Runs the reverse loop of (layer, direction) {@code index} through its recording: the inputs of
     * {@code l} are copied in, {@code dWx}, {@code dRh}, {@code dh}, {@code dc} out.
     *
     * @return false when the shape is not recorded (yet): then nothing ran and the caller runs the loop
     */
    boolean backward(int index, BackwardLoop l, java.util.function.Consumer<BackwardLoop> loop) {
        int steps = l.trace().h().dim(0);
        int batch = l.trace().h().dim(1);
        boolean packed = l.lengths() != null;
        int key = backwardKey(index, packed);
        BackwardEntry e = backwardEntries.get(key);
        if (e == null || e.steps != steps || e.batch != batch) {
            if (!recordNow(-1 - key, steps, batch)) {
                return false;
            }
            BackwardEntry old = e;
            Entry f = entries.get(forwardKey(index, true, packed));
            OwnedTrace trace = f != null && f.steps == steps && f.batch == batch ? f.trace
                    : new OwnedTrace(likeTrace(l.trace()));
            List<Tensor> allocated = new ArrayList<>();
            e = new BackwardEntry(steps, batch, trace, allocateBackward(index, l, trace.buffers, allocated), allocated);
            backwardEntries.put(key, e);
            if (old != null) {
                retire(old.recording, old.allocated, old.trace);
            }
        }
        BackwardLoop o = e.owned;
        if (!e.trace.holds(l.trace())) {
            if (l.trace().gates() != o.trace().gates()) {   // else this is the borrower's own trace
                endLoan(e.trace);
            }
            e.trace.nowHolds(null);
            copyIfDistinct(l.trace().gates(), o.trace().gates());
            copyIfDistinct(l.trace().h(), o.trace().h());
            copyIfDistinct(l.trace().c(), o.trace().c());
            copyIfDistinct(l.trace().hn(), o.trace().hn());
            // m (projected) is not copied: the loop never reads it, dW_hr is formed outside the recording
            e.trace.nowHolds(l.trace());
        }
        copyIfDistinct(l.h0(), o.h0());
        copyIfDistinct(l.c0(), o.c0());
        copyIfDistinct(l.dOut(), o.dOut());
        copyIfDistinct(l.dh(), o.dh());
        copyIfDistinct(l.dc(), o.dc());
        copyIfDistinct(l.lengths(), o.lengths());
        if (e.recording == null) {
            e.recording = backend.record(() -> loop.accept(o));
            backwardRecordings++;
        } else {
            e.recording.replay();
        }
        copyIfDistinct(o.dWx(), l.dWx());   // nothing to copy when the caller took them from ownedLoop
        if (l.dRh() != l.dWx()) {
            copyIfDistinct(o.dRh(), l.dRh());
        }
        copyIfDistinct(o.g(), l.g());
        backend.copy(o.dh(), l.dh());
        copyIfDistinct(o.dc(), l.dc());
        return true;
    }

    /**
     * The recorded backward's own tensors of (layer, direction) {@code index} when (steps, batch) is
     * recorded, else null. A backward may take its outputs and scratch (dWx, dRh, g, dm, noDh) as its
     * own instead of fresh tensors: they never leave that call, so no later call can overwrite them
     * while in use, and the replay then copies none of them out.
     */
    BackwardLoop ownedLoop(int index, boolean packed, int steps, int batch) {
        BackwardEntry e = backwardEntries.get(backwardKey(index, packed));
        if (e == null || e.recording == null || e.steps != steps || e.batch != batch) {
            return null;
        }
        return e.owned;
    }

    private Tensor copyOf(Tensor t) {
        return t == null ? null : backend.copyOf(t);
    }

    /** {@code to ← from} unless {@code from} is null or already is {@code to} (a lent or owned buffer). */
    private void copyIfDistinct(Tensor from, Tensor to) {
        if (from != null && !(from.storage() == to.storage() && from.offset() == to.offset())) {
            backend.copy(from, to);
        }
    }

    /**
     * Owned tensors shaped like {@code l}'s (the trace given), the state-shaped ones at the same select index;
     * every tensor made (the blocks, not their selects) is added to {@code allocated}.
     */
    private BackwardLoop allocateBackward(int index, BackwardLoop l, RecurrentSaved.Trace trace, List<Tensor> allocated) {
        Tensor dWx = made(like(l.dWx()), allocated);
        Tensor dRh = l.dRh() == l.dWx() ? dWx : made(like(l.dRh()), allocated);
        return new BackwardLoop(trace, stateSlot(index, l.h0(), allocated), stateSlot(index, l.c0(), allocated),
                made(like(l.dOut()), allocated), stateSlot(index, l.dh(), allocated), stateSlot(index, l.dc(), allocated),
                dWx, dRh, made(like(l.lengths()), allocated), made(like(l.dhKept()), allocated),
                made(like(l.dcKept()), allocated), made(like(l.g()), allocated), made(like(l.dm()), allocated),
                made(like(l.noDh()), allocated), made(like(l.dhPartials()), allocated));
    }

    /** The key of (layer, direction) {@code index}'s backward loop in {@code backwardEntries}; packed ones apart. */
    private static int backwardKey(int index, boolean packed) {
        return index + (packed ? PACKED_KEYS : 0);
    }

    /** A {@code [B, H]} tensor at select {@code index} of a fresh {@code [index + 1, B, H]} block (added to
     * {@code allocated}); null for null. */
    private Tensor stateSlot(int index, Tensor like, List<Tensor> allocated) {
        return like == null ? null : made(backend.zeros(index + 1, like.dim(0), like.dim(1)), allocated).select(index);
    }

    private static Tensor made(Tensor t, List<Tensor> allocated) {
        if (t != null) {
            allocated.add(t);
        }
        return t;
    }

    /**
     * Hands back what an entry no longer in the maps held: its recording, its own tensors, and its trace
     * (null: none to hand back) unless another entry still uses it. Trace buffers lent to a live saved become that saved's own.
     */
    private void retire(Backend.Recording recording, List<Tensor> allocated, OwnedTrace trace) {
        if (recording != null) {   // null: not recorded yet, or its recording threw
            recording.close();
        }
        for (Tensor t : allocated) {
            backend.release(t);
        }
        allocated.clear();
        if (trace == null || entries.values().stream().anyMatch(x -> x.trace == trace)
                || backwardEntries.values().stream().anyMatch(x -> x.trace == trace)) {
            return;   // the forward and backward entries of one shape share it
        }
        RecurrentSaved borrower = trace.lendingNow ? null : trace.borrower();
        RecurrentSaved.Trace b = trace.buffers;
        for (Tensor t : b.lendable()) {   // what a loan hands to its saved
            if (t == null) {
                continue;
            }
            if (borrower != null) {
                borrower.own(t);
            } else if (!trace.lendingNow) {
                backend.release(t);
            }
        }
        backend.release(b.h());   // never lent: a saved keeps its own h
        trace.lentTo = null;
    }

    /**
     * Buffers shaped like the caller's. The initial state is a select at the same index of a
     * {@code [index + 1, B, H]} block, so it sits at the offset the eager path's select has (the GEMM
     * then sees the same alignment and picks the same kernel).
     */
    private Entry allocate(int index, RecurrentSaved.Trace trace, Tensor hInit, Tensor cInit, boolean packed) {
        var owned = new OwnedTrace(likeTrace(trace));
        int batch = hInit.dim(0);
        int p = hInit.dim(1);   // h's width: H, or P when projected (the recurrent product's depth)
        List<Tensor> allocated = new ArrayList<>();
        Tensor hBlock = made(backend.zeros(index + 1, batch, p), allocated);
        Tensor cBlock = cInit == null ? null : made(backend.zeros(index + 1, batch, cInit.dim(1)), allocated);
        Tensor rh = made(backend.recurrentProductBuffer(batch, trace.gates().dim(2), p), allocated);
        Tensor lengths = packed ? made(backend.zeros(batch), allocated) : null;
        Tensor cScratch = packed && cInit != null ? made(backend.zeros(batch, cInit.dim(1)), allocated) : null;
        Tensor m = trace.m();
        Tensor hPartials = m == null ? null : made(backend.depthSplitBuffer(batch, p, m.dim(m.rank() - 1)), allocated);
        return new Entry(trace.h().dim(0), batch, owned, hBlock.select(index), cBlock == null ? null : cBlock.select(index),
                rh, lengths, cScratch, hPartials, allocated);
    }

    private RecurrentSaved.Trace likeTrace(RecurrentSaved.Trace t) {
        return new RecurrentSaved.Trace(like(t.gates()), like(t.h()), like(t.c()), like(t.hn()), like(t.m()));
    }

    private Tensor like(Tensor t) {
        return t == null ? null : backend.zeros(t.shape());
    }

    /** How many forward recordings were made (one per (layer, direction) and shape); for tests. */
    int recordings() {
        return recordings;
    }

    /** How many backward recordings were made (one per (layer, direction) and shape); for tests. */
    int backwardRecordings() {
        return backwardRecordings;
    }

    /** How many forwards ran in a lent trace, per (layer, direction); for tests. */
    int loans() {
        return loans;
    }

    /** How many loans ended with the borrower's gates, c and hn copied out (it was still live); for tests. */
    int loansCopiedOut() {
        return loansCopiedOut;
    }

    /** Frees every recording and hands back every buffer (trace buffers on loan to a live saved become its own). */
    @Override
    public void close() {
        List<Entry> forwards = new ArrayList<>(entries.values());
        List<BackwardEntry> backwards = new ArrayList<>(backwardEntries.values());
        entries.clear();
        backwardEntries.clear();
        java.util.Set<OwnedTrace> traces = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Entry e : forwards) {
            retire(e.recording, e.allocated, e.trace);   // a trace shared with a backward entry is released once
            traces.add(e.trace);
        }
        for (BackwardEntry e : backwards) {
            if (traces.contains(e.trace)) {
                retire(e.recording, e.allocated, null);
            } else {
                retire(e.recording, e.allocated, e.trace);
            }
        }
        seen.clear();
    }
}

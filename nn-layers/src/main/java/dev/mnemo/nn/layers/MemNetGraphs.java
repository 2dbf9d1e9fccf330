package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * CUDA Graphs for {@link MemNet}'s step loops: where no one-launch kernel takes the sequence (more than
 * 256 slots, wide keys, {@code mnemo.cuda.memnetLoop=off}), a forward queues about seven launches a step
 * and a backward nine, a few microseconds of host time each. Per layer, the latest (steps, batch) shape
 * of each loop is recorded once with {@link Backend#record} and replayed on later calls of that shape.
 *
 * <p>A recording holds device addresses, so it runs on buffers this object owns. Forward: x's columns
 * of u are copied in, the replay fills the owned u, o, r, c and lse, and those are copied out into the
 * caller's tensors (the saved activations stay the caller's own). Backward: the saved o, r, c, lse and
 * ∂L/∂y are copied in; the replay zeroes and fills the owned dO, dU, dh, dc, which are copied out. Same
 * kernels on the same shapes: the results are the eager loop's bit for bit.
 *
 * <p><b>Dropout.</b> The eager loop passes each step's stream offset to the dropout kernel as a number, which
 * a recording would freeze. The recorded loop draws from a {@link Backend.DevicePosition} set to the call's
 * offset before each replay, so every call gets its own masks, the eager loop's. The seed is part of the key
 * ({@link MemNet#seedDropout} records again).
 *
 * <p>As {@link StepGraphs}: a shape records on its {@code sightings}-th consecutive call, and the automatic
 * mode (sightings above 1) leaves loops shorter than {@link StepGraphs#AUTO_MIN_STEPS} eager. Cost: per layer,
 * device buffers for one forward trace and one backward's gradients of the latest shape, and a few device
 * copies per call. Not thread-safe, like the layer.
 */
final class MemNetGraphs implements AutoCloseable {

    private record ForwardKey(int steps, int batch, boolean drop, long seed) {
    }

    private record BackwardKey(int steps, int batch, double dropoutScale) {
    }

    /** A forward recording and the buffers it runs on. */
    private record Forward(ForwardKey key, Tensor u, Tensor o, Tensor r, Tensor c, Tensor lse,
                           MemNet.ForwardScratch scratch, Backend.Recording recording) {
    }

    /** The buffers a backward recording runs on: the trace and ∂L/∂y copied in, the gradients copied out. */
    private record BackwardBuffers(Tensor o, Tensor r, Tensor c, Tensor lse, Tensor dy, Tensor dO, Tensor dU,
                                   Tensor dh, Tensor dc, MemNet.BackwardScratch scratch) {
    }

    /** A backward recording and its buffers. */
    private record Backward(BackwardKey key, BackwardBuffers b, Backend.Recording recording) {
    }

    private final MemNet layer;
    private final Backend backend;
    private final int sightings;
    private final Sightings<ForwardKey> forwardSeen = new Sightings<>();
    private final Sightings<BackwardKey> backwardSeen = new Sightings<>();
    private Forward forward;
    private Backward backward;
    private Backend.DevicePosition position;   // made with the first recording that drops
    private int recordings;

    MemNetGraphs(MemNet layer, Backend backend, int sightings) {
        this.layer = layer;
        this.backend = backend;
        this.sightings = sightings;
    }

    int sightings() {
        return sightings;
    }

    /** How many loops were recorded (forward and backward); for tests. */
    int recordings() {
        return recordings;
    }

    /**
     * The forward loop of {@link MemNet#forwardLoop} through a recording, into the caller's u (x in its first
     * columns), o, r, c, lse; false when this call should run the eager loop (a shape not yet seen often enough).
     */
    boolean forward(int steps, int batch, double p, long seed, long offset, Tensor u, Tensor o, Tensor r, Tensor c,
                    Tensor lse) {
        ForwardKey key = new ForwardKey(steps, batch, p > 0, seed);
        int seen = forwardSeen.count(key);
        if (forward == null || !forward.key().equals(key)) {
            if (!due(seen, steps)) {
                return false;
            }
            forward = recordForward(key, p, offset, u);
        } else {
            copyInputColumns(u, forward.u());
            setPosition(p, offset);
            forward.recording().replay();
        }
        backend.copy(forward.u(), u);
        backend.copy(forward.o(), o);
        backend.copy(forward.r(), r);
        backend.copy(forward.c(), c);
        backend.copy(forward.lse(), lse);
        return true;
    }

    private Forward recordForward(ForwardKey key, double p, long offset, Tensor callerU) {
        closeForward();
        MemNetOptions opt = layer.options();
        int steps = key.steps();
        int batch = key.batch();
        Tensor u = backend.zeros(steps, batch, opt.cellInputSize());
        Tensor o = backend.zeros(steps, batch, opt.stateSize());
        Tensor r = backend.zeros(steps, batch, opt.stateSize());
        Tensor c = backend.zeros(steps, batch, opt.valueSize());
        Tensor lse = backend.zeros(steps, batch);
        var scratch = MemNet.ForwardScratch.allocate(backend, batch, opt.stateSize(), opt.valueSize(), key.drop());
        copyInputColumns(callerU, u);
        if (key.drop() && position == null) {
            position = backend.devicePosition();
        }
        Backend.DevicePosition at = position;
        long seed = key.seed();
        MemNet.StepDropout drop = (rt, mask, stepOffset) -> backend.dropout(rt, p, seed, at, stepOffset, mask, rt);
        setPosition(p, offset);
        // record runs the region once (this call's result), then captures it
        var recording = backend.record(() -> layer.forwardLoop(steps, batch, u, o, r, c, lse, scratch, drop));
        recordings++;
        return new Forward(key, u, o, r, c, lse, scratch, recording);
    }

    /**
     * The backward loop of {@link MemNet#backwardLoop} through a recording, on {@code saved}'s trace and
     * {@code dy}, its results copied into dO, dU, dh, dc; false when this call should run the eager loop.
     */
    boolean backward(MemNetSaved saved, Tensor dy, Tensor dO, Tensor dU, Tensor dh, Tensor dc) {
        BackwardKey key = new BackwardKey(saved.steps, saved.batch, saved.dropoutScale);
        int seen = backwardSeen.count(key);
        if (backward == null || !backward.key().equals(key)) {
            if (!due(seen, key.steps())) {
                return false;
            }
            backward = recordBackward(key, saved, dy);
        } else {
            copyTrace(saved, dy, backward.b());
            backward.recording().replay();
        }
        BackwardBuffers b = backward.b();
        backend.copy(b.dO(), dO);
        backend.copy(b.dU(), dU);
        backend.copy(b.dh(), dh);
        backend.copy(b.dc(), dc);
        return true;
    }

    private Backward recordBackward(BackwardKey key, MemNetSaved saved, Tensor dy) {
        closeBackward();
        int steps = key.steps();
        int batch = key.batch();
        int stateSize = layer.options().stateSize();
        int valueSize = layer.options().valueSize();
        var b = new BackwardBuffers(backend.zeros(saved.o.shape()), backend.zeros(saved.r.shape()),
                backend.zeros(saved.c.shape()), backend.zeros(saved.lse.shape()), backend.zeros(dy.shape()),
                backend.zeros(steps, batch, stateSize), backend.zeros(steps, batch, layer.options().cellInputSize()),
                backend.zeros(batch, stateSize), backend.zeros(batch, valueSize),
                MemNet.BackwardScratch.allocate(backend, batch, stateSize));
        copyTrace(saved, dy, b);
        var recording = backend.record(() -> {
            backend.fill(b.dO(), 0.0);   // the reads add into earlier steps' rows
            backend.fill(b.dh(), 0.0);
            backend.fill(b.dc(), 0.0);
            layer.backwardLoop(steps, batch, key.dropoutScale(), b.o(), b.r(), b.c(), b.lse(), b.dy(), b.dO(), b.dU(),
                    b.dh(), b.dc(), b.scratch());
        });
        recordings++;
        return new Backward(key, b, recording);
    }

    /** Whether a shape seen {@code seen} times in a row records now. */
    private boolean due(int seen, int steps) {
        return seen >= sightings && (sightings == 1 || steps >= StepGraphs.AUTO_MIN_STEPS);
    }

    private void copyTrace(MemNetSaved saved, Tensor dy, BackwardBuffers b) {
        backend.copy(saved.o, b.o());
        backend.copy(saved.r, b.r());
        backend.copy(saved.c, b.c());
        backend.copy(saved.lse, b.lse());
        backend.copy(dy, b.dy());
    }

    private void copyInputColumns(Tensor from, Tensor to) {
        int rows = from.dim(0) * from.dim(1);
        int width = layer.options().cellInputSize();
        backend.copyColumns(from.reshape(rows, width), 0, to.reshape(rows, width), 0, layer.options().inputSize());
    }

    private void setPosition(double p, long offset) {
        if (p > 0) {
            position.set(offset);
        }
    }

    private void closeForward() {
        if (forward != null) {
            forward.recording().close();
            Release.all(backend, forward.u(), forward.o(), forward.r(), forward.c(), forward.lse());
            forward.scratch().release(backend);
            forward = null;
        }
    }

    private void closeBackward() {
        if (backward != null) {
            backward.recording().close();
            BackwardBuffers b = backward.b();
            Release.all(backend, b.o(), b.r(), b.c(), b.lse(), b.dy(), b.dO(), b.dU(), b.dh(), b.dc());
            b.scratch().release(backend);
            backward = null;
        }
    }

    /** Hands every recording and buffer back. */
    @Override
    public void close() {
        closeForward();
        closeBackward();
        if (position != null) {
            position.close();
            position = null;
        }
    }

    /** How many calls in a row had the same key, this one included. */
    private static final class Sightings<K> {
        private K last;
        private int count;

        int count(K key) {
            count = key.equals(last) ? count + 1 : 1;
            last = key;
            return count;
        }
    }
}

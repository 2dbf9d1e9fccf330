package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * A {@link MemNetState}'s streaming step recorded in a CUDA Graph, for the steps no one-launch kernel takes
 * (more than 256 slots): about eighteen launches and copies a step, a few microseconds of host time each,
 * where the read of a small batch takes a few microseconds on the GPU.
 *
 * <p>Once the state's ring is full, every step has the same shape: the read covers all M slots, and only the
 * slot the step writes moves on. The write takes its slot from a {@link Backend.DevicePosition} set to the
 * state's step count before each replay ({@link Backend#ringWrite}), so one recording serves every later step.
 * The recording holds the state's memory, h and c in place, and buffers of its own for the step's input,
 * output and scratch: x is copied in and y out, so the results are the eager step's bit for bit (the same
 * kernels on the same shapes). Before the ring is full, and until the layer's graph mode has seen enough full
 * steps in a row, steps run eagerly.
 *
 * <p>Not thread-safe, like the layer and the state.
 */
final class MemNetStepGraph {
    private final MemNet layer;
    private final Backend backend;
    private final MemNetState state;
    private final int sightings;
    private int fullSteps;
    private Tensor x;                          // [B, d_in]
    private Tensor y;                          // [B, d_out]
    private MemNet.StepScratch scratch;
    private Backend.DevicePosition stepCount;
    private Backend.Recording recording;

    MemNetStepGraph(MemNet layer, Backend backend, MemNetState state, int sightings) {
        this.layer = layer;
        this.backend = backend;
        this.state = state;
        this.sightings = sightings;
    }

    /**
     * One step of the state through the recording, {@code xT} in, its output into {@code yOut}, the state's step
     * count moved on; false (nothing done) when this step should run eagerly.
     */
    boolean step(Tensor xT, Tensor yOut) {
        if (state.filled() < layer.options().slots()) {
            return false;
        }
        fullSteps++;
        if (recording == null) {
            if (fullSteps < sightings) {
                return false;
            }
            record(xT);
        } else {
            requireCapturedLive();
            backend.copy(xT, x);
            stepCount.set(state.steps);
            recording.replay();
        }
        state.steps++;
        backend.copy(y, yOut);
        return true;
    }

    /**
     * The graph holds the addresses of the state's tensors and the layer's weights, and a replay checks
     * nothing: released, their blocks may already hold another tensor, which the step would read and
     * overwrite. The eager step refuses them on its first use; so does this.
     */
    private void requireCapturedLive() {
        String[] names = {"the state's h", "the state's c", "the state's keys", "the state's values",
                "the layer's parameters"};
        Tensor[] captured = {state.h, state.c, state.keys, state.values, layer.flatParameters()};
        for (int i = 0; i < captured.length; i++) {
            if (captured[i].storage().released()) {
                throw new IllegalStateException(names[i] + " was released (Backend.release), so this step cannot "
                        + "run: " + captured[i]);
            }
        }
    }

    /**
     * Frees the recording and its buffers now rather than when the state becomes unreachable: {@code generate}
     * drops its state at the end of every call. Idempotent; a later full step records again.
     */
    void close() {
        if (recording == null) {
            return;
        }
        recording.close();
        scratch.release(backend);
        stepCount.close();
        Release.all(backend, x, y);
        recording = null;
        scratch = null;
        stepCount = null;
        x = null;
        y = null;
        fullSteps = 0;
    }

    /** Whether the step is recorded; for tests. */
    boolean recorded() {
        return recording != null;
    }

    private void record(Tensor xT) {
        MemNetOptions opt = layer.options();
        int batch = state.batch;
        x = backend.copyOf(xT);
        y = backend.zeros(batch, opt.outputSize());
        scratch = MemNet.StepScratch.allocate(backend, batch, opt.cellInputSize(), opt.stateSize(), opt.valueSize());
        stepCount = backend.devicePosition();
        stepCount.set(state.steps);
        // record runs the region once (this step's result), then captures it
        recording = backend.record(() -> layer.advanceLoop(x, state, y, scratch, o -> layer.storeAt(o, state,
                stepCount)));
    }
}

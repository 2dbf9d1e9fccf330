package dev.mnemo.bench.gpu;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOutput;
import java.util.SplittableRandom;

/**
 * One timed recurrent case on the GPU: the layer (seed 1), its input {@code [T, B, I]} of U(−1, 1)
 * and ∂L/∂output = 1, on {@code backend}; a packed row's per-row {@code lengths} (else null).
 *
 * <p>Each run releases what it made as soon as it is done with it: the saved trace, the output and
 * final state, and after a backward the input and state gradients. PyTorch frees a call's results
 * the same way, when their last reference goes at the end of the call, so in both loops the next
 * run's tensors come from the caching allocator. Without the releases the blocks came back only
 * through a garbage collection, and the timer collected before every run. That collection left
 * the next call cold: on the H200 its host time was 0.3–1.0 ms per forward (run 4's "fwd host"),
 * and on the emulated driver 0.3–1.1 ms against 5–220 µs without it. The GPU waited for that host
 * time, and it was timed on our side only.
 */
record RecurrentBenchCase(CudaBackend backend, RecurrentLayer layer, Tensor x, Tensor dy, int[] lengths) {

    /**
     * The forward path a row takes under the current policy, as the reports print it: the policy's
     * choice, marked "packed" for a variable-length row (which never replays a CUDA Graph), or
     * "per-step, projected" (a projected LSTM always runs step by step).
     */
    static String pathOf(BenchShape s) {
        if (s.projSize() > 0) {
            return "per-step, projected";
        }
        String path = CudaBackend.float32().recurrentPath(s.recurrentCell(), s.steps(), s.batch(), s.hidden()).path()
                .toString();
        return s.lengths() != null ? path + ", packed" : path;
    }

    static RecurrentBenchCase build(BenchShape s, CudaBackend backend) {
        RecurrentLayer layer = s.newLayer(backend);
        var rnd = new SplittableRandom(2);
        Tensor x = Tensor.zeros(s.steps(), s.batch(), s.input());
        for (long i = 0; i < x.numel(); i++) {
            x.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        Tensor dy = Tensor.zeros(s.steps(), s.batch(), s.outputSize());
        dy.fill(1.0);
        return new RecurrentBenchCase(backend, layer, x.to(Device.CUDA), dy.to(Device.CUDA), s.lengths());
    }

    /**
     * As inference runs it ({@link RecurrentLayer#infer}, PyTorch's forward in {@code eval()} under {@code inference_mode}):
     * no backward follows and nothing is kept for one.
     */
    void infer() {
        RecurrentOutput o = layer.infer(x, null, lengths);
        release(backend, o.output(), o.state().h(), o.state().c());
    }

    /** The forward half of a training step: it keeps its trace for a backward, released at once here. */
    void forward() {
        RecurrentOutput o = layer.forward(x, null, lengths);
        o.saved().release();
        release(backend, o.output(), o.state().h(), o.state().c());
    }

    /** As a training step runs it: every weight gradient and ∂L/∂x, then nothing kept but the gradients. */
    void forwardBackward() {
        layer.zeroGradients();
        RecurrentOutput o = layer.forward(x, null, lengths);
        RecurrentGradients g = layer.backward(o.saved(), dy, null);
        o.saved().release();
        release(backend, o.output(), o.state().h(), o.state().c(), g.dx(), g.dState().h(), g.dState().c());
    }

    /** Gives the CUDA blocks of {@code tensors} (nulls and CPU tensors skipped) back to {@code gpu}'s allocator. */
    static void release(CudaBackend gpu, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && t.device() == Device.CUDA) {
                gpu.release(t);
            }
        }
    }
}

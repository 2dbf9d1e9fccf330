package dev.mnemo.bench.gpu;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.MemNet;
import dev.mnemo.nn.layers.MemNetOptions;
import dev.mnemo.nn.layers.MemNetOutput;
import java.util.SplittableRandom;

/**
 * The whole MemNet cell over a sequence, as a training step runs it: {@link MemNet#forward} and
 * {@link MemNet#backward} of a layer in training mode with memnet.md's code defaults (d_in = d_out = 1,
 * d_k = d_v = 32, M = 8, dropout 0.1 on the fed-back state: 12,738 parameters), T = 64 steps of B =
 * 256 sequences, ∂L/∂y = 1; {@link #wideMemory} is the same cell with M = 128 over T = 160 steps (the
 * one-launch loops' split read). {@code memnet_bench.py}'s "cell" loop runs the same cells in PyTorch,
 * step by step with autograd ({@code cell_loop_fwd_bwd}).
 */
record MemNetCellCase(CudaBackend gpu, MemNet net, Tensor x, Tensor dy, int steps, int slots) {
    static final int T = MemnetReadBench.SEQ_T;
    static final int B = MemnetReadBench.SEQ_B;
    /** The wide-memory case's M and T. */
    static final int WIDE_SLOTS = 128;
    static final int WIDE_STEPS = 160;

    /** The torch key of the same loop. */
    String torchKey() {
        return "cell_loop_fwd_bwd/T" + steps + "xB" + B + "xM" + slots + "xd32xin1";
    }

    /** memnet.md's code defaults: M = 8, T = 64. */
    static MemNetCellCase build(CudaBackend gpu) {
        return build(gpu, 8, T);
    }

    /** M = {@value #WIDE_SLOTS} over T = {@value #WIDE_STEPS} steps. */
    static MemNetCellCase wideMemory(CudaBackend gpu) {
        return build(gpu, WIDE_SLOTS, WIDE_STEPS);
    }

    private static MemNetCellCase build(CudaBackend gpu, int slots, int steps) {
        MemNet net = new MemNet(MemNetOptions.builder(1, 1).slots(slots).build(), gpu);
        var rnd = new SplittableRandom(5);
        Tensor x = Tensor.zeros(steps, B, 1);
        for (long i = 0; i < x.numel(); i++) {
            x.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        Tensor dy = Tensor.zeros(steps, B, 1);
        dy.fill(1.0);
        return new MemNetCellCase(gpu, net, x.to(Device.CUDA), dy.to(Device.CUDA), steps, slots);
    }

    /** One training step's forward and backward; its results go back to the allocator. */
    void forwardBackward() {
        net.zeroGradients();
        MemNetOutput o = net.forward(x);
        Tensor dx = net.backward(o.saved(), dy);
        o.saved().release();
        RecurrentBenchCase.release(gpu, o.output(), dx);
    }
}

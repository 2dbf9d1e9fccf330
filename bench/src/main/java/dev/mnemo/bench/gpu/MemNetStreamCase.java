package dev.mnemo.bench.gpu;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.MemNet;
import dev.mnemo.nn.layers.MemNetState;

/**
 * One streaming step of B = {@value MemNetCellCase#B} MemNet streams ({@link MemNet#step}, inference), from a state
 * whose ring is full: what an event memory over a live stream does per event.
 */
record MemNetStreamCase(CudaBackend gpu, MemNet net, MemNetState state, Tensor xT) {

    static MemNetStreamCase build(CudaBackend gpu, MemNet net) {
        MemNetState state = net.initialState(MemNetCellCase.B);
        Tensor xT = Tensor.zeros(MemNetCellCase.B, 1);
        xT.fill(0.25);
        return new MemNetStreamCase(gpu, net, state, xT.to(Device.CUDA));
    }

    /** One step; its output goes back to the allocator. */
    void step() {
        boolean training = net.isTraining();
        net.setTraining(false);
        gpu.release(net.step(xT, state));
        net.setTraining(training);
    }
}

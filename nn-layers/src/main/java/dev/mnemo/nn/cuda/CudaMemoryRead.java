package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.MemnetKernels;
import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Tensor;

/**
 * {@link CudaBackend}'s memory read: the memnet kernels behind the Backend contract. Each
 * {@link Strided} operand becomes a device pointer at its first element plus its strides; the
 * launcher ({@link MemnetKernels}) checks sizes and overlaps, then takes the small path (a warp
 * per row, fused) for up to {@link MemnetKernels#SMALL_MAX_SLOTS} slots, else the split
 * (flash-decoding) path with the runtime's partials workspace, its rows merged by the split kernel
 * itself (the runtime's counters; {@link MemnetMergeSetting}). Widths up to
 * {@link MemnetKernels#MAX_WIDTH}.
 */
final class CudaMemoryRead {
    private CudaMemoryRead() {
    }

    static void forward(CudaBackend backend, MemoryRead read, Tensor c, Tensor lse) {
        CudaRuntime rt = backend.rt();
        checkWidths(read);
        int b = read.batch();
        shape("c", c, b, read.valueWidth());
        shape("lse", lse, b);
        DeviceMemory q = operand(rt, "q", read.q(), b, 1, read.keyWidth());
        DeviceMemory keys = operand(rt, "keys", read.keys(), b, read.slots(), read.keyWidth());
        DeviceMemory values = operand(rt, "values", read.values(), b, read.slots(), read.valueWidth());
        DeviceMemory cm = dense(rt, "c", c);
        DeviceMemory lm = dense(rt, "lse", lse);
        if (b == 0) {
            return;
        }
        long partialsCount = MemnetKernels.fwdPartialsCount(b, read.slots(), read.valueWidth());
        DeviceMemory partials = partialsCount == 0 ? null
                : rt.workspace(CudaRuntime.Workspace.MEMNET_PARTIALS, partialsCount);
        rt.memnet().readForward(new MemnetKernels.FwdParams(q, keys, values, cm, lm, partials, b, read.slots(),
                read.emptySlots(), read.keyWidth(), read.valueWidth(), read.q().batchStride(),
                read.keys().batchStride(), read.keys().slotStride(), read.values().batchStride(),
                read.values().slotStride(), 0, 0, read.scale(), counters(rt, partials, b)));
    }

    static void backward(CudaBackend backend, MemoryRead read, Tensor c, Tensor lse, Tensor dc, Strided dq,
                         Strided dKeys, Strided dValues) {
        CudaRuntime rt = backend.rt();
        checkWidths(read);
        int b = read.batch();
        shape("c", c, b, read.valueWidth());
        shape("lse", lse, b);
        shape("dc", dc, b, read.valueWidth());
        require("dq", dq);
        require("dKeys", dKeys);
        require("dValues", dValues);
        DeviceMemory q = operand(rt, "q", read.q(), b, 1, read.keyWidth());
        DeviceMemory keys = operand(rt, "keys", read.keys(), b, read.slots(), read.keyWidth());
        DeviceMemory values = operand(rt, "values", read.values(), b, read.slots(), read.valueWidth());
        DeviceMemory dqm = operand(rt, "dq", dq, b, 1, read.keyWidth());
        DeviceMemory dkm = operand(rt, "dKeys", dKeys, b, read.slots(), read.keyWidth());
        DeviceMemory dvm = operand(rt, "dValues", dValues, b, read.slots(), read.valueWidth());
        DeviceMemory cm = dense(rt, "c", c);
        DeviceMemory lm = dense(rt, "lse", lse);
        DeviceMemory dcm = dense(rt, "dc", dc);
        if (b == 0) {
            return;
        }
        long partialsCount = MemnetKernels.bwdPartialsCount(b, read.slots(), read.keyWidth());
        DeviceMemory partials = partialsCount == 0 ? null
                : rt.workspace(CudaRuntime.Workspace.MEMNET_PARTIALS, partialsCount);
        rt.memnet().readBackward(new MemnetKernels.BwdParams(q, keys, values, cm, lm, dcm, dqm, dkm, dvm, partials, b,
                read.slots(), read.keyWidth(), read.valueWidth(), read.q().batchStride(), read.keys().batchStride(),
                read.keys().slotStride(), read.values().batchStride(), read.values().slotStride(), dq.batchStride(),
                dKeys.batchStride(), dKeys.slotStride(), dValues.batchStride(), dValues.slotStride(), 0, 0,
                read.scale(), counters(rt, partials, b)));
    }

    /**
     * The rows' counters for a split read (partials given) when {@link MemnetMergeSetting} merges rows in the split
     * kernel; null (the merge kernel) otherwise, and for the small path.
     */
    private static DeviceMemory counters(CudaRuntime rt, DeviceMemory partials, int batch) {
        return partials != null && MemnetMergeSetting.configured()
                ? rt.memnetCounters(MemnetKernels.countersCount(batch)) : null;
    }

    private static void checkWidths(MemoryRead read) {
        if (read.keyWidth() > MemnetKernels.MAX_WIDTH || read.valueWidth() > MemnetKernels.MAX_WIDTH) {
            throw new UnsupportedOperationException("the CUDA memory read supports key and value widths up to "
                    + MemnetKernels.MAX_WIDTH + ", got d_k " + read.keyWidth() + ", d_v " + read.valueWidth()
                    + "; use the CPU backend for wider rows");
        }
    }

    private static void require(String name, Strided s) {
        if (s == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    private static void shape(String name, Tensor t, int... expected) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null (expected shape " + Tensor.shapeString(expected)
                    + ")");
        }
        if (!t.hasShape(expected)) {
            throw new IllegalArgumentException(name + " must have shape " + Tensor.shapeString(expected) + ", got "
                    + Tensor.shapeString(t.shape()));
        }
    }

    private static CudaStorage storage(CudaRuntime rt, String name, Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException(name + " must be a cuda float32 tensor (this backend's device), got " + t
                    + "; move it with to(Device.CUDA)");
        }
        if (s.runtime() != rt) {
            throw new IllegalArgumentException(name + " lives on another CUDA context (device " + s.runtime().ordinal()
                    + ") than this backend's (device " + rt.ordinal() + "): " + t);
        }
        return s;
    }

    private static DeviceMemory dense(CudaRuntime rt, String name, Tensor t) {
        return storage(rt, name, t).floats(t.offset(), t.numel());
    }

    /**
     * The device memory of a strided {@code [batch, slots, width]} operand, from its first element to its
     * last: {@code offset + (batch−1)·batchStride + (slots−1)·slotStride + width} elements must lie within
     * {@code base} (counted from its own offset). Empty operands get a zero-length view at the offset.
     */
    private static DeviceMemory operand(CudaRuntime rt, String name, Strided s, int batch, int slots, int width) {
        if (s.offset() < 0 || s.batchStride() < 0 || s.slotStride() < 0) {
            throw new IllegalArgumentException(name + " must have offset and strides >= 0, got offset " + s.offset()
                    + ", batch stride " + s.batchStride() + ", slot stride " + s.slotStride());
        }
        CudaStorage st = storage(rt, name + ".base", s.base());
        long span = batch == 0 || slots == 0 ? 0
                : Math.addExact(Math.addExact(Math.multiplyExact(batch - 1L, s.batchStride()),
                        Math.multiplyExact(slots - 1L, s.slotStride())), width);
        long available = s.base().numel() - s.offset();
        if (span > available) {
            throw new IllegalArgumentException(name + " reaches element " + (s.offset() + span) + " of its base "
                    + Tensor.shapeString(s.base().shape()) + " (" + s.base().numel() + " elements): offset "
                    + s.offset() + ", batch stride " + s.batchStride() + ", slot stride " + s.slotStride()
                    + ", " + batch + " rows × " + slots + " slots × width " + width);
        }
        if (s.offset() > s.base().numel()) {
            throw new IllegalArgumentException(name + " offset " + s.offset() + " lies past its base's "
                    + s.base().numel() + " elements");
        }
        return st.floats(s.base().offset() + s.offset(), span);
    }
}

package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceBuffer;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The row indices of recent gathers, kept on the device in four workspace slots. A packed recurrent
 * call gathers with the same few orders every time (into sorted order and back, time-major and
 * batch-first); each upload from the Java heap is a synchronous copy, which waits for the device to
 * finish its queued work, so a repeated order is found here instead of uploaded again.
 *
 * <p>A slot is only ever rewritten by that synchronous copy, which runs after every queued kernel
 * that reads the slot: a kernel never sees its indices change under it. A miss takes the slot used
 * longest ago. A recorded graph does see it (it replays reading the slot's address): each rewrite is
 * counted ({@link CudaRuntime#rewritten}) and each read noted while capturing, so a recording whose
 * slot was rewritten since captures again.
 */
final class GatherIndexSlots {

    private static final CudaRuntime.Workspace[] SLOTS = {CudaRuntime.Workspace.GATHER_ROWS,
        CudaRuntime.Workspace.GATHER_ROWS_2, CudaRuntime.Workspace.GATHER_ROWS_3, CudaRuntime.Workspace.GATHER_ROWS_4};

    private final int[][] held = new int[SLOTS.length][];
    private final DeviceBuffer[] heldIn = new DeviceBuffer[SLOTS.length];
    private final long[] lastUse = new long[SLOTS.length];
    private long uses;

    /** {@code rows} on the device: a slot holding them already, or the least recently used one, overwritten. */
    DeviceBuffer upload(CudaRuntime rt, int[] rows) {
        uses++;
        for (int i = 0; i < SLOTS.length; i++) {
            // the same buffer still (a workspace grown for another caller would have moved it)
            if (held[i] != null && Arrays.equals(held[i], rows) && rt.workspace(SLOTS[i], rows.length) == heldIn[i]) {
                lastUse[i] = uses;
                rt.readsUploaded(SLOTS[i]);
                return heldIn[i];
            }
        }
        int slot = 0;
        for (int i = 1; i < SLOTS.length; i++) {
            if (lastUse[i] < lastUse[slot]) {
                slot = i;
            }
        }
        held[slot] = null;   // until the upload below has succeeded
        DeviceBuffer buffer = rt.workspace(SLOTS[slot], rows.length);
        buffer.copyFromHost(MemorySegment.ofArray(rows), 0);
        held[slot] = rows.clone();
        heldIn[slot] = buffer;
        lastUse[slot] = uses;
        rt.rewritten(SLOTS[slot]);
        rt.readsUploaded(SLOTS[slot]);
        return buffer;
    }
}

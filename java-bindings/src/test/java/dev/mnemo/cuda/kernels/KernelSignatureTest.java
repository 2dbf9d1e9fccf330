package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The {@code void**} block a signature builds for cuLaunchKernel. */
class KernelSignatureTest {

    @Test
    void packPointsEachSlotAtItsValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = ClipKernels.SCALE.pack(arena, new FakeMemory(0x1234, 64), 1000L,
                    new FakeMemory(0x5678, 64), 4, 1.5f, new FakeMemory(0x9abc, 4));
            assertEquals(6 * ValueLayout.ADDRESS.byteSize(), block.byteSize());
            assertEquals(0x1234L, slot(block, 0, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(1000L, slot(block, 1, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0x5678L, slot(block, 2, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(4, slot(block, 3, 4).get(ValueLayout.JAVA_INT, 0));
            assertEquals(1.5f, slot(block, 4, 4).get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(0x9abcL, slot(block, 5, 8).get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void structsAreCopiedAndNullPointersAreZero() {
        KernelSignature step = KernelSignature.of("mnemo_x_step_f32", KernelParameter.of("float*", "maybe"),
                KernelParameter.of("mnemo_x_step_params", "p"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(16, 8);
            params.set(ValueLayout.JAVA_LONG, 0, 0xabcdL);
            params.set(ValueLayout.JAVA_DOUBLE, 8, 0.5);
            MemorySegment block = step.pack(arena, null, params);
            assertEquals(0L, slot(block, 0, 8).get(ValueLayout.JAVA_LONG, 0));
            MemorySegment copy = slot(block, 1, 16);
            assertEquals(0xabcdL, copy.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0.5, copy.get(ValueLayout.JAVA_DOUBLE, 8));
            assertEquals(0, copy.address() % 8, "struct copies are 8-byte aligned");
            assertEquals(MemorySegment.class, step.parameters().get(1).javaType());
        }
    }

    @Test
    void wrongCountOrTypeIsRejected() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> TensorKernels.FILL.pack(arena, new FakeMemory(1, 4), 1L));
            assertEquals("mnemo_tensor_fill_f32 takes 3 arguments [float* x, long long n, float value], got 2",
                    count.getMessage());
            IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                    () -> TensorKernels.FILL.pack(arena, new FakeMemory(1, 4), 1, 0f));
            assertEquals("argument 1 (long long n) of mnemo_tensor_fill_f32 must be long, got Integer", type.getMessage());
        }
    }

    @Test
    void cTypesAreNormalisedAndChecked() {
        assertEquals("const float*", KernelParameter.of("const  float *", "x").cType());
        assertEquals(long.class, KernelParameter.of("long long", "n").javaType());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelParameter.of("half", "h"));
        assertTrue(e.getMessage().startsWith("cType must be a pointer, a mnemo_*_params struct or one of "), e.getMessage());
        assertTrue(e.getMessage().endsWith(", got 'half'"), e.getMessage());
    }

    @SuppressWarnings("restricted")
    private static MemorySegment slot(MemorySegment block, int index, long size) {
        return block.getAtIndex(ValueLayout.ADDRESS, index).reinterpret(size);
    }
}

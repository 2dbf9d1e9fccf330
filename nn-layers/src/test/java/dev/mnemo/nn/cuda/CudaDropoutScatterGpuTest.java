package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device dropout and scatter kernels against the float32 CPU backend, bit for bit: the same
 * mask (the contract's counter hash), the same y, and the same in-order sums of repeated rows.
 */
@Tag("gpu")
class CudaDropoutScatterGpuTest {
    final CpuBackend cpu = CpuBackend.float32();
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    /** Values over six decades: a different summation order would change the bits. */
    static Tensor spread(long salt, int... shape) {
        var rnd = new SplittableRandom(salt);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, (2 * rnd.nextDouble() - 1) * Math.pow(10, rnd.nextInt(-3, 4)));
        }
        return t;
    }

    static void assertBits(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.toFloatArray(), actual.to(Device.CPU).toFloatArray(), what);
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 0.5, 1", "77, 1000, 0.3, 9999", "-1, 9223372036854775000, 0.1, 5000",
            "-9223372036854775808, -5, 0.95, 70000", "12, 3, 0.0, 300", "5, 6, 1.0, 4000"})   // p 1: all zero
    void dropoutMaskAndOutputEqualTheCpuBitForBit(long seed, long offset, double p, int n) {
        Tensor x = spread(seed ^ n, n);
        Tensor mask = Tensor.zeros(n);
        Tensor y = Tensor.zeros(n);
        cpu.dropout(x, p, seed, offset, mask, y);
        Tensor gx = gpu.copyOf(x);
        Tensor gMask = gpu.zeros(n);
        Tensor gy = gpu.zeros(n);
        gpu.dropout(gx, p, seed, offset, gMask, gy);
        assertBits(mask, gMask, "mask");
        assertBits(y, gy, "y");
        gpu.dropout(gx, p, seed, offset, gMask, gx);    // y may alias x
        assertBits(y, gx, "y = x in place");
    }

    /**
     * The position is read when the kernel runs: a recording replays with the mask of the position set before
     * each replay, the CPU's mask at position + offset, bit for bit.
     */
    @Test
    void dropoutAtAPositionRecordedDrawsTheMaskOfEachReplaysPosition() {
        int n = 3000;
        Tensor x = spread(5, n);
        Tensor gx = gpu.copyOf(x);
        Tensor gMask = gpu.zeros(n);
        Tensor gy = gpu.zeros(n);
        try (var at = gpu.devicePosition(); var recording = gpu.record(() -> gpu.dropout(gx, 0.3, 9, at, 40, gMask, gy))) {
            for (long position : new long[] {1000, -77, Long.MAX_VALUE}) {
                at.set(position);
                recording.replay();
                Tensor mask = Tensor.zeros(n);
                Tensor y = Tensor.zeros(n);
                cpu.dropout(x, 0.3, 9, position + 40, mask, y);
                assertBits(mask, gMask, "mask at position " + position);
                assertBits(y, gy, "y at position " + position);
            }
            at.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> at.set(1));
            assertEquals("the device position is closed", closed.getMessage());
        }
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> gpu.dropout(gx, 0.3, 9, cpu.devicePosition(), 0, gMask, gy));
        assertEquals("position must come from this device's devicePosition(), got DevicePosition(cpu, 0)",
                foreign.getMessage());
    }

    /** A recorded ring write writes the slot of the step count set before each replay, as the CPU's. */
    @Test
    void ringWriteRecordedWritesTheSlotOfEachReplaysStep() {
        Tensor src = spread(8, 3, 9);
        Tensor keys = spread(9, 3, 5, 2);
        Tensor values = spread(10, 3, 5, 4);
        Tensor gSrc = gpu.copyOf(src);
        Tensor gKeys = gpu.copyOf(keys);
        Tensor gValues = gpu.copyOf(values);
        try (var step = gpu.devicePosition(); var cpuStep = cpu.devicePosition();
             var recording = gpu.record(() -> gpu.ringWrite(gSrc, 2, 5, gKeys, gValues, step))) {
            for (long at : new long[] {0, 7, 123_456_789_012L}) {
                step.set(at);
                cpuStep.set(at);
                recording.replay();
                cpu.ringWrite(src, 2, 5, keys, values, cpuStep);
                assertBits(keys, gKeys, "keys after step " + at);
                assertBits(values, gValues, "values after step " + at);
            }
        }
    }

    @Test
    void dropoutOnViewsAndPartialOverlapIsRejected() {
        Tensor x = spread(3, 4, 50);
        Tensor mask = Tensor.zeros(50);
        Tensor y = Tensor.zeros(50);
        cpu.dropout(x.select(2), 0.4, 8, 123, mask, y);
        Tensor gx = gpu.copyOf(x);
        Tensor gMask = gpu.zeros(50);
        Tensor gy = gpu.zeros(50);
        gpu.dropout(gx.select(2), 0.4, 8, 123, gMask, gy);
        assertBits(mask, gMask, "mask of a view");
        assertBits(y, gy, "y of a view");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpu.dropout(gx.select(1), 0.4, 8, 0, gMask, gx.reshape(200).slice(60, 110)));
        assertEquals("y may alias x exactly but must not partly overlap it, got y at offset 60 and x at offset 50 of "
                + "one storage", e.getMessage());
    }

    @Test
    void scatterAddRowsEqualsTheCpuBitForBit() {
        var rnd = new SplittableRandom(21);
        int[] rows = new int[4000];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i % 3 == 0 ? 7 : rnd.nextInt(60);     // a hot row among many repeats
        }
        for (int width : new int[] {1, 33, 300}) {
            Tensor table = spread(width, 60, width);
            Tensor src = spread(width + 1, rows.length, width);
            Tensor gTable = gpu.copyOf(table);
            cpu.scatterAddRows(src, rows, table);
            gpu.scatterAddRows(gpu.copyOf(src), rows, gTable);
            assertBits(table, gTable, "scatterAddRows width " + width);
        }
    }

    @Test
    void scatterOfOneRowRepeatedManyTimesIsInOrderAndDeterministic() {
        int[] rows = new int[20000];
        java.util.Arrays.fill(rows, 2);
        Tensor table = spread(5, 4, 17);
        Tensor src = spread(6, rows.length, 17);
        Tensor gSrc = gpu.copyOf(src);
        Tensor g1 = gpu.copyOf(table);
        Tensor g2 = gpu.copyOf(table);
        cpu.scatterAddRows(src, rows, table);
        gpu.scatterAddRows(gSrc, rows, g1);
        gpu.scatterAddRows(gSrc, rows, g2);
        assertBits(table, g1, "one row x20000");
        assertArrayEquals(g1.to(Device.CPU).toFloatArray(), g2.to(Device.CPU).toFloatArray(), "run to run");
        gpu.scatterAddRows(gpu.zeros(0, 17), new int[0], g1);  // nothing to add
        assertBits(table, g1, "empty scatter leaves the table");
    }
}

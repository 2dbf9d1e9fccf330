package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The dropout and scatter launchers: header arguments and grids, bad sizes rejected, the scatter plan. */
class DropoutScatterLauncherTest {
    final RecordingTarget target = new RecordingTarget();
    final DropoutKernels dropout = new DropoutKernels(target);
    final ScatterKernels scatter = new ScatterKernels(target);

    static void rejected(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void dropoutLaunchesTheElementwiseGridWithHeaderArguments() {
        DeviceMemory x = new FakeMemory(0x10000, 4000);
        DeviceMemory mask = new FakeMemory(0x20000, 4000);
        dropout.apply(x, mask, x, 1000, -7L, 1L << 40, 0.25);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(DropoutKernels.APPLY, launch.kernel());
        assertEquals(LaunchGeometry.linear(4, 256), launch.geometry());
        assertEquals(List.of(x, mask, x, 1000L, -7L, 1L << 40, 0.25), launch.arguments());
    }

    @Test
    void dropoutRejectsBadArgumentsBeforeLaunching() {
        DeviceMemory x = new FakeMemory(0x10000, 400);
        DeviceMemory mask = new FakeMemory(0x20000, 400);
        rejected("p must be in [0, 1], got 1.5", () -> dropout.apply(x, mask, x, 100, 0, 0, 1.5));
        rejected("p must be in [0, 1], got NaN", () -> dropout.apply(x, mask, x, 100, 0, 0, Double.NaN));
        rejected("n must be <= mask's capacity (100 floats), got 101", () -> dropout.apply(
                new FakeMemory(0x10000, 404), mask, new FakeMemory(0x30000, 404), 101, 0, 0, 0.5));
        rejected("n must be >= 0, got -1", () -> dropout.apply(x, mask, x, -1, 0, 0, 0.5));
        rejected("mask must not overlap x, got FakeMemory(400 bytes) and FakeMemory(400 bytes)",
                () -> dropout.apply(x, new FakeMemory(0x10000 + 396, 400), new FakeMemory(0x40000, 400), 100, 0, 0, 0.5));
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void dropoutAtAPositionPassesThePositionPointer() {
        DeviceMemory x = new FakeMemory(0x10000, 4000);
        DeviceMemory mask = new FakeMemory(0x20000, 4000);
        DeviceMemory position = new FakeMemory(0x30000, 8);
        dropout.applyAt(x, mask, x, 1000, -7L, position, 96, 0.25);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(DropoutKernels.APPLY_AT, launch.kernel());
        assertEquals(LaunchGeometry.linear(4, 256), launch.geometry());
        assertEquals(List.of(x, mask, x, 1000L, -7L, position, 96L, 0.25), launch.arguments());
    }

    @Test
    void dropoutAtAPositionRejectsASmallMisalignedOrOverlappingPosition() {
        DeviceMemory x = new FakeMemory(0x10000, 400);
        DeviceMemory mask = new FakeMemory(0x20000, 400);
        rejected("position must hold >= 1 doubles (one int64), got 0",
                () -> dropout.applyAt(x, mask, x, 100, 0, new FakeMemory(0x30000, 4), 0, 0.5));
        rejected("position must be 8-byte aligned, got address 0x30004",
                () -> dropout.applyAt(x, mask, x, 100, 0, new FakeMemory(0x30004, 8), 0, 0.5));
        rejected("position must not overlap mask, got FakeMemory(8 bytes) and FakeMemory(400 bytes)",
                () -> dropout.applyAt(x, mask, x, 100, 0, new FakeMemory(0x20000 + 392, 8), 0, 0.5));
        rejected("p must be in [0, 1], got 2.0",
                () -> dropout.applyAt(x, mask, x, 100, 0, new FakeMemory(0x30000, 8), 0, 2.0));
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void scatterPlanGroupsIndicesByRowInOrderOfI() {
        ScatterPlan plan = ScatterPlan.of(new int[] {3, 0, 3, 2, 0, 3}, 4);
        assertEquals(3, plan.segments());
        assertEquals(6, plan.n());
        // segStart [0, 2, 3, 6] | segRow [0, 2, 3] | order [1, 4, 3, 0, 2, 5]
        assertArrayEquals(new int[] {0, 2, 3, 6, 0, 2, 3, 1, 4, 3, 0, 2, 5}, plan.packed());
        assertEquals(4, plan.segRowOffset());
        assertEquals(7, plan.orderOffset());
        assertArrayEquals(new int[] {0}, ScatterPlan.of(new int[0], 3).packed());
        rejected("rows[1] must be in [0, 4), got 4", () -> ScatterPlan.of(new int[] {0, 4}, 4));
        rejected("rows[0] must be in [0, 4), got -1", () -> ScatterPlan.of(new int[] {-1}, 4));
    }

    /** The plan against a brute-force grouping, on random rows with many repeats. */
    @Test
    void scatterPlanMatchesABruteForceGrouping() {
        var rnd = new SplittableRandom(11);
        int[] rows = new int[5000];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = rnd.nextInt(37);
        }
        ScatterPlan plan = ScatterPlan.of(rows, 37);
        int[] p = plan.packed();
        int k = 0;
        int s = 0;
        for (int row = 0; row < 37; row++) {
            int start = k;
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] == row) {
                    assertEquals(i, p[(int) plan.orderOffset() + k++]);
                }
            }
            if (k > start) {
                assertEquals(start, p[s]);
                assertEquals(row, p[(int) plan.segRowOffset() + s]);
                s++;
            }
        }
        assertEquals(plan.segments(), s);
        assertEquals(rows.length, p[s]);
    }

    @Test
    void scatterLaunchesSlicesOfOneUploadedPlan() {
        ScatterPlan plan = ScatterPlan.of(new int[] {5, 1, 5}, 8);
        DeviceMemory table = new FakeMemory(0x10000, 8 * 40 * 4);
        DeviceMemory src = new FakeMemory(0x90000, 3 * 40 * 4);
        DeviceMemory planOnDevice = new FakeMemory(0x50000, 1024);
        scatter.addRows(table, 8, src, plan, planOnDevice, 40);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(ScatterKernels.ADD_ROWS, launch.kernel());
        assertEquals(LaunchGeometry.linear(1, 256), launch.geometry());   // 2 groups · 40 columns
        List<Object> a = launch.arguments();
        assertEquals(table, a.get(0));
        assertEquals(src, a.get(1));
        assertEquals(0x50000L + 4 * plan.orderOffset(), ((DeviceMemory) a.get(2)).address());
        assertEquals(0x50000L, ((DeviceMemory) a.get(3)).address());
        assertEquals(0x50000L + 4 * plan.segRowOffset(), ((DeviceMemory) a.get(4)).address());
        assertEquals(List.of(2L, 40L), a.subList(5, 7));
        assertEquals(LaunchGeometry.linear(65535, 256), ScatterKernels.geometry(100000, 300));
    }

    @Test
    void scatterRejectsBadSizesBeforeLaunching() {
        ScatterPlan plan = ScatterPlan.of(new int[] {5, 1, 5}, 8);
        DeviceMemory planOnDevice = new FakeMemory(0x50000, 1024);
        rejected("table must hold >= 320 floats (tableRows·width), got 319", () -> scatter.addRows(
                new FakeMemory(0x10000, 319 * 4), 8, new FakeMemory(0x90000, 480), plan, planOnDevice, 40));
        rejected("src must hold >= 120 floats (n·width), got 119", () -> scatter.addRows(
                new FakeMemory(0x10000, 1280), 8, new FakeMemory(0x90000, 476), plan, planOnDevice, 40));
        rejected("planOnDevice must hold >= 8 floats (the plan's ints), got 7", () -> scatter.addRows(
                new FakeMemory(0x10000, 1280), 8, new FakeMemory(0x90000, 480), plan, new FakeMemory(0x50000, 28), 40));
        rejected("table must not overlap src, got FakeMemory(1280 bytes) and FakeMemory(480 bytes)", () -> scatter.addRows(
                new FakeMemory(0x10000, 1280), 8, new FakeMemory(0x10000 + 1276, 480), plan, planOnDevice, 40));
        rejected("width must be >= 0, got -1", () -> scatter.addRows(
                new FakeMemory(0x10000, 1280), 8, new FakeMemory(0x90000, 480), plan, planOnDevice, -1));
        assertTrue(target.launches.isEmpty());
    }
}

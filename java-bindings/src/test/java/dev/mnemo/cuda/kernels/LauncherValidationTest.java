package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Launch geometry per the header, and every bad size rejected before a launch: no driver needed. */
class LauncherValidationTest {
    final RecordingTarget target = new RecordingTarget();
    final TensorKernels tensor = new TensorKernels(target);
    final ClipKernels clip = new ClipKernels(target, bytes -> new FakeMemory(0x90000, bytes));

    @ParameterizedTest
    @CsvSource({"0, 1", "1, 1", "256, 1", "257, 2", "1000, 4", "16776960, 65535", "16776961, 65535", "1099511627776, 65535"})
    void elementwiseGridIsCeilNOver256CappedAt65535AtLeast1(long n, int grid) {
        assertEquals(LaunchGeometry.linear(grid, 256), TensorKernels.geometry(n));
    }

    @ParameterizedTest
    @CsvSource({"0, 1, 1", "1, 1, 1", "256, 1, 1", "1000, 4, 4", "262144, 1024, 1024", "262145, 1024, 1025",
            "1048579, 1024, 4097", "100000000, 1024, 65535"})
    void clipGridsFollowTheHeader(long n, int partials, int scaleGrid) {
        assertEquals(partials, ClipKernels.partialsCount(n));
        assertEquals(LaunchGeometry.linear(partials, 256), ClipKernels.sumsqGeometry(n));
        assertEquals(LaunchGeometry.linear(scaleGrid, 256), ClipKernels.scaleGeometry(n));
        assertEquals(2L * partials + 1L, ClipKernels.scratchFloats(n));   // double partials, float norm
    }

    @Test
    void fillLaunchesWithHeaderArgumentsInOrder() {
        DeviceMemory x = FakeMemory.floats(1000);
        tensor.fill(x, 1000, 2.5f);
        assertEquals(1, target.launches.size());
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(TensorKernels.FILL, launch.kernel());
        assertEquals(LaunchGeometry.linear(4, 256), launch.geometry());
        assertEquals(List.of(x, 1000L, 2.5f), launch.arguments());
    }

    @Test
    void zeroElementsStillLaunchOneBlockAsTheHeaderSays() {
        tensor.fill(FakeMemory.floats(0), 0, 1f);
        tensor.axpby(FakeMemory.floats(0), FakeMemory.floats(0), 0, 1f, 1f);
        assertEquals(2, target.launches.size());
        assertEquals(LaunchGeometry.linear(1, 256), target.launches.get(1).geometry());
    }

    @ParameterizedTest
    @CsvSource({
        // rows, cols, splits, rowsPerSplit: one pass when the rows are few or the columns many
        "0, 10, 1, 0", "10, 0, 1, 10", "1, 1, 1, 1", "256, 1, 1, 256", "257, 1, 2, 129",
        "1000, 3, 4, 250", "100000, 7, 391, 256", "1000000, 1, 1024, 977", "1000000, 4096, 62, 16130",
        "5, 100000, 1, 5", "300000000, 1, 18311, 16384"})
    void sumRowsSplitFollowsTheHeaderFormula(long rows, long cols, long splits, long rowsPerSplit) {
        SumRowsPlan plan = SumRowsPlan.of(rows, cols);
        assertEquals(splits, plan.splits(), "splits");
        assertEquals(rowsPerSplit, plan.rowsPerSplit(), "rowsPerSplit");
        if (plan.isSplit()) {
            assertTrue(plan.rowsPerSplit() <= SumRowsPlan.MAX_SPLIT_ROWS || plan.splits() == SumRowsPlan.MAX_SPLITS);
            assertTrue((plan.splits() - 1) * plan.rowsPerSplit() < rows && plan.splits() * plan.rowsPerSplit() >= rows);
            assertEquals(splits * cols, plan.partialsFloats());
        } else {
            assertEquals(0, plan.partialsFloats());
        }
    }

    @Test
    void sumRowsGeometryIsColumnTilesOf32() {
        assertEquals(LaunchGeometry.linear(1, 256), TensorKernels.sumRowsGeometry(0));
        assertEquals(LaunchGeometry.linear(1, 256), TensorKernels.sumRowsGeometry(32));
        assertEquals(LaunchGeometry.linear(2, 256), TensorKernels.sumRowsGeometry(33));
        assertEquals(new LaunchGeometry(4, 391, 1, 256, 1, 1, 0), TensorKernels.sumRowsPartialGeometry(100000, 100, 256));
    }

    @Test
    void columnSumsSplitsIntoTwoPassesThroughScratch() {
        DeviceMemory out = new FakeMemory(0x1000, 7 * 4);
        DeviceMemory in = new FakeMemory(0x100000, 100000L * 7 * 4);
        DeviceMemory scratch = new FakeMemory(0x900000, 391 * 7 * 4);
        tensor.columnSums(out, in, 100000, 7, 1f, scratch);
        assertEquals(2, target.launches.size());
        assertEquals(TensorKernels.SUM_ROWS_PARTIAL, target.launches.get(0).kernel());
        assertEquals(List.of(scratch, in, 100000L, 7L, 256L), target.launches.get(0).arguments());
        assertEquals(new LaunchGeometry(1, 391, 1, 256, 1, 1, 0), target.launches.get(0).geometry());
        assertEquals(TensorKernels.SUM_ROWS, target.launches.get(1).kernel());
        assertEquals(List.of(out, scratch, 391L, 7L, 1f), target.launches.get(1).arguments());
    }

    @Test
    void columnSumsWithFewRowsNeedsNoScratch() {
        DeviceMemory out = FakeMemory.floats(3);
        DeviceMemory in = new FakeMemory(0x200000, 10 * 3 * 4);
        tensor.columnSums(out, in, 10, 3, 0f, null);
        assertEquals(List.of(out, in, 10L, 3L, 0f), target.launches.getFirst().arguments());
    }

    @Test
    void sumRowsSizesAreChecked() {
        IllegalArgumentException in = assertThrows(IllegalArgumentException.class,
                () -> tensor.sumRows(FakeMemory.floats(7), FakeMemory.floats(10), 3, 7, 0f));
        assertEquals("in must hold >= 21 floats (rows·cols), got 10", in.getMessage());
        IllegalArgumentException scratch = assertThrows(IllegalArgumentException.class,
                () -> tensor.columnSums(FakeMemory.floats(7), new FakeMemory(0x100000, 100000L * 7 * 4), 100000, 7, 0f, null));
        assertEquals("scratch must hold >= 2737 floats (S·cols for 100000 x 7), got null", scratch.getMessage());
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> tensor.sumRows(new FakeMemory(0x1000, 64), new FakeMemory(0x1010, 64), 2, 8, 0f));
        assertEquals("out must not overlap in, got FakeMemory(64 bytes) and FakeMemory(64 bytes)", overlap.getMessage());
        IllegalArgumentException split = assertThrows(IllegalArgumentException.class,
                () -> tensor.sumRowsPartial(FakeMemory.floats(100), FakeMemory.floats(100), 10, 10, 11));
        assertEquals("rowsPerSplit must be in [1, 10], got 11", split.getMessage());
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void nBeyondCapacityIsRejectedBeforeLaunch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tensor.fill(FakeMemory.floats(256), 300, 0f));
        assertEquals("n must be <= x's capacity (256 floats), got 300", e.getMessage());
        IllegalArgumentException y = assertThrows(IllegalArgumentException.class,
                () -> tensor.axpby(FakeMemory.floats(100), FakeMemory.floats(1000), 200, 1f, 0f));
        assertEquals("n must be <= y's capacity (100 floats), got 200", y.getMessage());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> tensor.axpby(FakeMemory.floats(1000), FakeMemory.floats(100), 200, 1f, 0f));
        assertEquals("n must be <= x's capacity (100 floats), got 200", x.getMessage());
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void negativeNIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tensor.fill(FakeMemory.floats(10), -1, 0f));
        assertEquals("n must be >= 0, got -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> clip.clipGlobalNorm(FakeMemory.floats(10), -1, 1f));
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void maxNormMustBePositive() {
        for (float bad : new float[] {0f, -1f, Float.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> clip.clipGlobalNorm(FakeMemory.floats(10), 10, bad));
            assertEquals("maxNorm must be > 0, got " + bad, e.getMessage());
        }
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void clipRunsBothPassesOnScratchSlicesAndReturnsTheNorm() {
        DeviceMemory x = FakeMemory.floats(1000);
        DeviceMemory scratch = new FakeMemory(0x50000, 9 * Float.BYTES);
        float norm = clip.clipGlobalNorm(x, 1000, 1f, scratch);
        assertEquals(5f, norm);
        assertEquals(2, target.launches.size());
        RecordingTarget.Launch sumsq = target.launches.get(0);
        RecordingTarget.Launch scale = target.launches.get(1);
        assertEquals(ClipKernels.SUMSQ, sumsq.kernel());
        assertEquals(LaunchGeometry.linear(4, 256), sumsq.geometry());
        DeviceMemory partials = (DeviceMemory) sumsq.arguments().get(2);
        assertEquals(0x50000, partials.address());
        assertEquals(4 * Double.BYTES, partials.byteSize());
        assertEquals(ClipKernels.SCALE, scale.kernel());
        assertEquals(List.of(x, 1000L, partials, 4, 1f), scale.arguments().subList(0, 5));
        DeviceMemory normOut = (DeviceMemory) scale.arguments().get(5);
        assertEquals(0x50000 + 32, normOut.address());
        assertEquals(normOut, target.reads.getFirst());
    }

    @Test
    void scratchTooSmallIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> clip.clipGlobalNorm(FakeMemory.floats(1000), 1000, 1f, FakeMemory.floats(8)));
        assertEquals("scratch must hold >= 9 floats (2·partialsCount(n) + 1), got 8", e.getMessage());
        assertTrue(target.launches.isEmpty());
    }

    @Test
    void ownedScratchIsAllocatedOnceForTheLargestGrid() {
        clip.clipGlobalNorm(FakeMemory.floats(10), 10, 1f);
        clip.clipGlobalNorm(FakeMemory.floats(1 << 20), 1 << 20, 1f);
        DeviceMemory first = (DeviceMemory) target.launches.get(0).arguments().get(2);
        DeviceMemory second = (DeviceMemory) target.launches.get(2).arguments().get(2);
        assertEquals(0x90000, first.address());
        assertEquals(0x90000, second.address());
        assertEquals(8 * 1024, second.byteSize());
        clip.close();
        clip.close();
        assertThrows(IllegalStateException.class, () -> clip.clipGlobalNorm(FakeMemory.floats(10), 10, 1f));
    }

    @Test
    void rawPassesValidateTheirBuffers() {
        IllegalArgumentException partials = assertThrows(IllegalArgumentException.class,
                () -> clip.sumsq(FakeMemory.floats(1000), 1000, FakeMemory.floats(7)));
        assertEquals("partials must hold >= 4 doubles (partialsCount(n)), got 3", partials.getMessage());
        IllegalArgumentException numPartials = assertThrows(IllegalArgumentException.class,
                () -> clip.scale(FakeMemory.floats(10), 10, FakeMemory.floats(2000), 1025, 1f, FakeMemory.floats(1)));
        assertEquals("numPartials must be in [1, 1024], got 1025", numPartials.getMessage());
        IllegalArgumentException normOut = assertThrows(IllegalArgumentException.class,
                () -> clip.scale(FakeMemory.floats(10), 10, FakeMemory.floats(2), 1, 1f, FakeMemory.floats(0)));
        assertEquals("normOut must hold >= 1 floats (one norm), got 0", normOut.getMessage());
        IllegalArgumentException blocks = assertThrows(IllegalArgumentException.class,
                () -> clip.sumsq(FakeMemory.floats(10), 10, FakeMemory.floats(2000), 1025));
        assertEquals("blocks must be in [1, 1024], got 1025", blocks.getMessage());
        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                () -> clip.sumsq(FakeMemory.floats(10), 10, FakeMemory.floats(5), 3));
        assertEquals("partials must hold >= 3 doubles (blocks), got 2", tooFew.getMessage());
        IllegalArgumentException scaleFew = assertThrows(IllegalArgumentException.class,
                () -> clip.scale(FakeMemory.floats(10), 10, FakeMemory.floats(3), 2, 1f, FakeMemory.floats(1)));
        assertEquals("partials must hold >= 2 doubles (numPartials), got 1", scaleFew.getMessage());
        assertTrue(target.launches.isEmpty());
    }

    /** Pass 1 on a chosen grid: several buffers' partials then fit one pass 2 (clipping them together). */
    @Test
    void sumsqOnAChosenGridLaunchesThatManyBlocks() {
        DeviceMemory x = FakeMemory.floats(1 << 20);
        DeviceMemory partials = FakeMemory.floats(16);
        clip.sumsq(x, 1 << 20, partials, 8);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(ClipKernels.SUMSQ, launch.kernel());
        assertEquals(LaunchGeometry.linear(8, 256), launch.geometry());
        assertEquals(List.of(x, (long) (1 << 20), partials), launch.arguments());
    }
}

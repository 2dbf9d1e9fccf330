package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The narrow input backward's split, launch and argument checks, against a recording target. */
class InputKernelsTest {
    final RecordingTarget target = new RecordingTarget();
    final InputKernels input = new InputKernels(target);

    static void rejected(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    /** A buffer of {@code floats} at its own 16 MiB slot. */
    static DeviceMemory at(int slot, long floats) {
        return new FakeMemory(0x1000_0000L + slot * 0x100_0000L, floats * Float.BYTES);
    }

    @ParameterizedTest
    @CsvSource({
        "100352, 512, 1, 392, 256",   // pixel MNIST's LSTM: T·B = 784·128
        "1, 1, 1, 1, 1",
        "40, 1024, 4, 40, 1",         // fewer rows than a split
        "64, 128, 1, 64, 1",
        "65, 128, 1, 64, 2",
        "16384, 1024, 4, 64, 256",    // exactly the target
        "16385, 384, 3, 65, 253"})
    void theSplitIsTheHeaders(long rows, int gates, int inputs, long rowsPerSplit, long splits) {
        NarrowInputPlan plan = NarrowInputPlan.of(rows, gates, inputs);
        assertEquals(rowsPerSplit, plan.rowsPerSplit());
        assertEquals(splits, plan.splits());
        assertEquals(splits * gates * (1 + inputs), plan.partialsFloats());
        assertEquals(splits * gates, plan.weightPartialsOffset());
    }

    @Test
    void theFitRuleIsTheKernelsBounds() {
        assertTrue(NarrowInputPlan.fits(1, 1024, 4));
        assertFalse(NarrowInputPlan.fits(0, 512, 1), "no rows");
        assertFalse(NarrowInputPlan.fits(10, 1025, 1), "LSTM H = 257");
        assertFalse(NarrowInputPlan.fits(10, 512, 5), "5 inputs");
        assertFalse(NarrowInputPlan.fits(10, 0, 1));
        assertFalse(NarrowInputPlan.fits(10, 512, 0));
        rejected("the narrow input backward takes rows >= 1, gates in [1, 1024] and inputs in [1, 4], got rows 10, "
                + "gates 512, inputs 5", () -> NarrowInputPlan.of(10, 512, 5));
    }

    @Test
    void theConstantsAreTheHeaders() throws IOException {
        String header = Files.readString(KernelHeaderMirrorTest.findHeader());
        assertEquals(NarrowInputPlan.MAX_INPUTS, define(header, "MNEMO_INPUT_NARROW_MAX_INPUTS"));
        assertEquals(NarrowInputPlan.MAX_GATES, define(header, "MNEMO_INPUT_NARROW_MAX_GATES"));
        assertEquals(NarrowInputPlan.TARGET_SPLITS, define(header, "MNEMO_INPUT_NARROW_TARGET_SPLITS"));
        assertEquals(NarrowInputPlan.MIN_SPLIT_ROWS, define(header, "MNEMO_INPUT_NARROW_MIN_SPLIT_ROWS"));
    }

    static long define(String header, String name) {
        Matcher m = Pattern.compile("#define " + name + " (\\d+)").matcher(header);
        assertTrue(m.find(), name + " is not defined in the header");
        return Long.parseLong(m.group(1));
    }

    @Test
    void aLaunchIsOneBlockPerSplitWithTheHeadersArguments() {
        NarrowInputPlan plan = NarrowInputPlan.of(100352, 512, 1);
        DeviceMemory dIn = at(0, 100352);
        DeviceMemory partials = at(1, plan.partialsFloats());
        DeviceMemory dWx = at(2, 100352L * 512);
        DeviceMemory x = at(30, 100352);
        DeviceMemory w = at(31, 512);
        input.narrowBwd(dIn, partials, dWx, x, w, 100352, 512, 1, plan.rowsPerSplit(), 1f);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(InputKernels.NARROW_BWD, launch.kernel());
        assertEquals(LaunchGeometry.linear(256, 256), launch.geometry());
        assertEquals(List.of(dIn, partials, dWx, x, w, 100352L, 512, 1, 392L, 1f), launch.arguments());
    }

    @Test
    void badArgumentsAreRejectedBeforeLaunching() {
        DeviceMemory dIn = at(0, 100);
        DeviceMemory partials = at(1, 2 * 16 * 3);
        DeviceMemory dWx = at(2, 100 * 16);
        DeviceMemory x = at(3, 100);
        DeviceMemory w = at(4, 32);
        rejected("rows must be in [1, 9223372036854775807], got 0",
                () -> input.narrowBwd(dIn, partials, dWx, x, w, 0, 16, 2, 1, 0f));
        rejected("rowsPerSplit must be in [1, 50], got 51",
                () -> input.narrowBwd(dIn, partials, dWx, x, w, 50, 16, 2, 51, 0f));
        rejected("inputs must be in [1, 4], got 5", () -> input.narrowBwd(dIn, partials, dWx, x, w, 50, 16, 5, 25, 0f));
        rejected("gates must be in [1, 1024], got 1025",
                () -> input.narrowBwd(dIn, partials, dWx, x, w, 50, 1025, 2, 25, 0f));
        rejected("partials must hold >= 144 floats (S·gates·(1 + inputs)), got 96",
                () -> input.narrowBwd(dIn, partials, dWx, x, w, 50, 16, 2, 17, 0f));
        rejected("dWx must hold >= 1616 floats (rows·gates), got 1600",
                () -> input.narrowBwd(at(0, 101 * 2), at(1, 1000), dWx, at(3, 202), w, 101, 16, 2, 100, 0f));
        rejected("dIn must not overlap x, got FakeMemory(400 bytes) and FakeMemory(400 bytes)",
                () -> input.narrowBwd(dIn, partials, dWx, new FakeMemory(0x1000_0000L + 200, 400), w, 50, 16, 2, 25, 0f));
        assertTrue(target.launches.isEmpty());
    }
}

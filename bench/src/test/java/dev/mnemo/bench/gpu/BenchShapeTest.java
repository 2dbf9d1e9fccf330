package dev.mnemo.bench.gpu;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BenchShapeTest {

    /** The anchors' fp32 and tf32 rows as "cell shape T B I H math", written out independently. */
    private static final List<String> EXPECTED = List.of(
            "RNN pixelMNIST 784 128 1 128 fp32", "RNN small 100 64 256 256 fp32", "RNN mid 100 64 512 512 fp32",
            "RNN large 100 64 1024 1024 fp32", "RNN bigbatch 50 256 512 512 fp32",
            "RNN latency_b1 1000 1 256 256 fp32",
            "LSTM pixelMNIST 784 128 1 128 fp32", "LSTM small 100 64 256 256 fp32", "LSTM mid 100 64 512 512 fp32",
            "LSTM large 100 64 1024 1024 fp32", "LSTM bigbatch 50 256 512 512 fp32",
            "LSTM latency_b1 1000 1 256 256 fp32",
            "GRU pixelMNIST 784 128 1 128 fp32", "GRU small 100 64 256 256 fp32", "GRU mid 100 64 512 512 fp32",
            "GRU large 100 64 1024 1024 fp32", "GRU bigbatch 50 256 512 512 fp32",
            "GRU latency_b1 1000 1 256 256 fp32",
            "RNN mid 100 64 512 512 tf32", "RNN large 100 64 1024 1024 tf32", "LSTM mid 100 64 512 512 tf32",
            "LSTM large 100 64 1024 1024 tf32", "GRU mid 100 64 512 512 tf32", "GRU large 100 64 1024 1024 tf32");

    private static String describe(BenchShape s) {
        return String.join(" ", s.cell(), s.shape(), "" + s.steps(), "" + s.batch(), "" + s.input(),
                "" + s.hidden(), s.math());
    }

    @Test
    void anchorsAreTheTablesFp32AndTf32Rows() {
        assertEquals(EXPECTED, BenchShape.ANCHORS.stream().map(BenchShapeTest::describe).toList());
        assertEquals(BenchShape.ANCHORS.size(), BenchShape.ANCHORS.stream().map(BenchShape::key).distinct().count(),
                "keys are unique");
    }

    /** When the shared reference is reachable (the team's checkout), the list matches its table exactly. */
    @Test
    void anchorsMatchTheReferenceFile() throws IOException {
        Path file = Stream.of("../../shared/reference/gpu-anchors.md", "../shared/reference/gpu-anchors.md")
                .map(Path::of).filter(Files::isRegularFile).findFirst().orElse(null);
        assumeTrue(file != null, "shared/reference/gpu-anchors.md not found from " + Path.of("").toAbsolutePath());
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("## ")) {
                inTable = line.contains("cuDNN RNNs");
                continue;
            }
            if (!inTable || !line.matches("\\| (RNN|LSTM|GRU) \\|.*")) {
                continue;
            }
            String[] c = line.substring(1).split("\\|");
            String math = c[6].strip();
            if (math.equals("bf16")) {
                continue;
            }
            rows.add(String.join(" ", Stream.of(c).limit(7).map(String::strip).toList())
                    + " " + c[7].strip() + " " + c[8].strip());
        }
        List<String> ours = BenchShape.ANCHORS.stream()
                .map(s -> describe(s) + String.format(java.util.Locale.ROOT, " %.3f %.3f", s.anchorForward(),
                        s.anchorForwardBackward()))
                .toList();
        assertEquals(rows, ours);
    }

    @Test
    void selectFiltersInTheAnchorsOrder() {
        List<BenchShape> s = BenchShape.select(List.of("LSTM", "GRU"), List.of("large"), List.of("tf32"));
        assertEquals(List.of("LSTM/large/tf32", "GRU/large/tf32"), s.stream().map(BenchShape::key).toList());
        assertEquals(24 + 6 + 1, BenchShape.select(null, List.of(), null).size(),
                "the anchors, the packed rows (two sizes) and the projected one");
        var e = assertThrows(IllegalArgumentException.class, () -> BenchShape.select(List.of("TCN"), null, null));
        assertTrue(e.getMessage().startsWith("cell must be one of [RNN, LSTM, GRU], got TCN"), e.getMessage());
    }

    /** Packed rows: one length per batch row, T first, descending to about T/2; anchor rows have none. */
    @Test
    void packedRowsCarryLengthsFromTToAboutHalf() {
        List<BenchShape> packed = BenchShape.select(null, List.of(BenchShape.PACKED_SHAPE), null);
        assertEquals(List.of("RNN/packed/fp32", "LSTM/packed/fp32", "GRU/packed/fp32"),
                packed.stream().map(BenchShape::key).toList());
        int[] l = packed.getFirst().lengths();
        assertEquals(64, l.length);
        assertEquals(100, l[0]);
        assertEquals(51, l[63]);
        for (int b = 1; b < l.length; b++) {
            assertTrue(l[b] <= l[b - 1], "descending at " + b);
        }
        assertEquals("T=100 B=64 I=256 H=256 lengths 100..51", packed.getFirst().dims());
        assertTrue(BenchShape.ANCHORS.stream().allMatch(s -> s.lengths() == null));
        assertEquals(null, packed.getFirst().withDims(5, 3, 8, 16).lengths(), "a custom row runs full length");
        BenchShape small = BenchShape.select(List.of("GRU"), List.of(BenchShape.PACKED_B8_SHAPE), null).getFirst();
        assertEquals("T=200 B=8 I=256 H=256 lengths 200..113", small.dims());
    }

    /** The projected row: an LSTM with P = H/4 whose output (and ∂L/∂output) has P features. */
    @Test
    void theProjectedRowIsAnLstmWithAQuarterProjection() {
        BenchShape p = BenchShape.select(null, List.of(BenchShape.PROJECTED_SHAPE), null).getFirst();
        assertEquals("LSTM/projected/fp32", p.key());
        assertEquals(256, p.projSize());
        assertEquals(256, p.outputSize());
        assertEquals("T=100 B=64 I=1024 H=1024 P=256", p.dims());
        assertTrue(BenchShape.ANCHORS.stream().allMatch(s -> s.projSize() == 0 && s.outputSize() == s.hidden()));
        var layer = new BenchShape("LSTM", BenchShape.PROJECTED_SHAPE, 3, 2, 5, 8, "fp32", Double.NaN, Double.NaN)
                .newLayer(dev.mnemo.nn.Backend.cpu());
        assertEquals(2, layer.options().projSize());
        assertEquals(List.of(4 * 8, 2), java.util.Arrays.stream(layer.parameters().get("weight_hh_l0").shape())
                .boxed().toList());
    }

    @Test
    void timingTakesMedianAndNearestRankPercentiles() {
        Timing t = Timing.of(5, 1, 4, 2, 3, 10, 6, 7, 9, 8);
        assertEquals(5.5, t.medianMs());
        assertEquals(1.0, t.p10Ms());
        assertEquals(9.0, t.p90Ms());
        assertEquals(10, t.samples());
        assertEquals(new Timing(2, 2, 2, 1), Timing.of(2));
        assertEquals(3.0, Timing.of(4, 3, 1).medianMs());
    }
}

package dev.mnemo.bench.gpu;

import dev.mnemo.nn.cuda.CudaBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GpuBenchmarkRunnerTest {

    /** Exit status, stdout, stderr. */
    private record Result(int rc, String out, String err) {
    }

    private static Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutCudaItSaysWhyExitsZeroAndStillWritesTheReport(@TempDir Path dir) throws IOException {
        assumeFalse(CudaBackend.isAvailable(), "CUDA is available here: this test covers the skip path");
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, """
                {"available": true, "reason": "", "info": {"version": "2.11.0"},
                 "results": {"RNN/small/fp32": {"fwd": {"median_ms": 0.33, "p10_ms": 0.32, "p90_ms": 0.35, "n": 20},
                                                "fwd_bwd": {"median_ms": 1.1, "p10_ms": 1.0, "p90_ms": 1.2, "n": 10},
                                                "measured": {"T": 100, "B": 64, "I": 256, "H": 256, "math": "fp32",
                                                             "repeats_fwd": 20, "repeats_fwd_bwd": 10}},
                             "RNN/large/fp32": {"fwd": {"median_ms": 50, "n": 20},
                                                "measured": {"T": 1000, "B": 256, "I": 1024, "H": 1024, "math": "fp32",
                                                             "repeats_fwd": 20, "repeats_fwd_bwd": 10}}}}
                """);
        Path json = dir.resolve("out/report.json");
        Result r = run("--cells", "RNN", "--shapes", "small,large", "--torch", torch.toString(),
                "--out", json.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith(GpuBenchmarkRunner.SKIP_PREFIX), r.out());
        String md = Files.readString(dir.resolve("out/report.md"));
        assertTrue(md.contains("**Mnemo side skipped**"), md);
        assertTrue(md.contains("| RNN | small | 100 | 64 | 256 | 256 | fp32 | — | 0.330 | — | — | — | — | — | 1.100 | — |"),
                md);
        // another shape's torch time under this row's name: not set beside ours, and the row says why
        assertTrue(md.contains("| RNN | large | 100 | 64 | 1024 | 1024 | fp32 | — | — |"), md);
        assertTrue(md.contains("RNN/large/fp32: torch: measured T=1000 B=256 I=1024 H=1024 P=0 fp32, 20/10 runs, ours "
                + "T=100 B=64 I=1024 H=1024 P=0 fp32, 20/10 runs: not compared"), md);
        var root = (Map<?, ?>) MiniJson.parse(Files.readString(json));
        assertEquals(CudaBackend.unavailableReason().orElseThrow(), root.get("skipped"));
        assertEquals(3, ((List<?>) root.get("rows")).size());
        assertEquals("2.11.0", ((Map<?, ?>) root.get("environment")).get("torch version"));
    }

    @Test
    void dimsReplaceTheAnchorShapesAndBadDimsAreRejected(@TempDir Path dir) throws IOException {
        Path shapes = dir.resolve("shapes.json");
        Result r = run("--cells", "LSTM", "--math", "fp32", "--dims", "7, 3,5,9", "--emit-shapes", shapes.toString());
        assertEquals(0, r.rc(), r.err());
        var list = (List<?>) ((Map<?, ?>) MiniJson.parse(Files.readString(shapes))).get("shapes");
        assertEquals(1, list.size(), "the six LSTM fp32 anchors become one custom row");
        var s = (Map<?, ?>) list.getFirst();
        assertEquals("LSTM/custom/fp32", s.get("key"));
        assertEquals(List.of(7, 3, 5, 9), List.of("T", "B", "I", "H").stream()
                .map(k -> ((Number) s.get(k)).intValue()).toList());
        Result three = run("--dims", "7,3,5");
        assertEquals(2, three.rc());
        assertTrue(three.err().contains("--dims must be T,B,I,H, got 7,3,5"), three.err());
        Result zero = run("--dims", "7,0,5,9");
        assertEquals(2, zero.rc());
        assertTrue(zero.err().contains("--dims B must be an integer >= 1, got 0"), zero.err());
    }

    @Test
    void withoutCudaAndWithoutOutItOnlyPrintsTheReason() {
        assumeFalse(CudaBackend.isAvailable(), "CUDA is available here: this test covers the skip path");
        Result r = run("--cells", "GRU", "--shapes", "latency_b1");
        assertEquals(0, r.rc(), r.err());
        assertEquals(GpuBenchmarkRunner.SKIP_PREFIX + CudaBackend.unavailableReason().orElseThrow(), r.out().strip());
    }

    @Test
    @SuppressWarnings("unchecked")
    void emittedShapesCarryTheSelectionAndThePolicy(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("shapes.json");
        Result r = run("--math", "tf32", "--repeats", "8", "--warmup", "2", "--emit-shapes", file.toString());
        assertEquals(0, r.rc(), r.err());
        var root = (Map<String, Object>) MiniJson.parse(Files.readString(file));
        assertEquals(8.0, root.get("repeats_fwd"));
        assertEquals(4.0, root.get("repeats_fwd_bwd"));
        assertEquals(2.0, root.get("warmup"));
        var shapes = (List<Map<String, Object>>) root.get("shapes");
        assertEquals(List.of("RNN/mid/tf32", "RNN/large/tf32", "LSTM/mid/tf32", "LSTM/large/tf32", "GRU/mid/tf32",
                "GRU/large/tf32"), shapes.stream().map(s -> s.get("key")).toList());
        var first = shapes.getFirst();
        assertEquals(List.of(100.0, 64.0, 512.0, 512.0), List.of(first.get("T"), first.get("B"), first.get("I"),
                first.get("H")));
    }

    /** The script gets a packed row's lengths, so both sides time the same variable-length batch. */
    @Test
    @SuppressWarnings("unchecked")
    void emittedPackedShapesCarryTheirLengths(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("shapes.json");
        assertEquals(0, run("--cells", "GRU", "--shapes", "packed,small", "--emit-shapes", file.toString()).rc());
        var shapes = (List<Map<String, Object>>) ((Map<String, Object>) MiniJson.parse(Files.readString(file)))
                .get("shapes");
        assertEquals(List.of("GRU/small/fp32", "GRU/packed/fp32"), shapes.stream().map(s -> s.get("key")).toList());
        assertTrue(!shapes.getFirst().containsKey("lengths"), "a full-length row has no lengths");
        assertTrue(!shapes.getFirst().containsKey("P"), "an unprojected row has no P");
        var lengths = (List<Number>) shapes.get(1).get("lengths");
        int[] expected = BenchShape.select(List.of("GRU"), List.of("packed"), null).getFirst().lengths();
        assertEquals(java.util.Arrays.stream(expected).boxed().toList(),
                lengths.stream().map(Number::intValue).toList());
    }

    /** The script gets the projected row's P, so both sides build an LSTM with the same proj_size. */
    @Test
    @SuppressWarnings("unchecked")
    void emittedProjectedShapeCarriesItsProjection(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("shapes.json");
        assertEquals(0, run("--shapes", "projected", "--emit-shapes", file.toString()).rc());
        var shapes = (List<Map<String, Object>>) ((Map<String, Object>) MiniJson.parse(Files.readString(file)))
                .get("shapes");
        assertEquals(List.of("LSTM/projected/fp32"), shapes.stream().map(s -> s.get("key")).toList());
        assertEquals(256, ((Number) shapes.getFirst().get("P")).intValue());
    }

    @Test
    void badOptionsExitTwoWithTheRule() {
        Result r = run("--repeats", "0");
        assertEquals(2, r.rc());
        assertEquals("gpu-bench: --repeats must be >= 1, got 0", r.err().strip());
        assertEquals(2, run("--shapes", "huge").rc());
        assertEquals(2, run("--frobnicate", "1").rc());
        assertEquals(2, run("--out").rc());
        assertEquals(0, run("--help").rc());
        // a selection of no rows reported nothing and exited 0 (hostcost crashed on it)
        Result none = run("--cells", "RNN", "--shapes", "projected");
        assertEquals(2, none.rc());
        assertTrue(none.err().contains("select no benchmark row"), none.err());
        // --dims kept the cell only: a packed or projected row lost its lengths or projection, renamed custom
        Result packed = run("--shapes", "packed", "--dims", "5,2,3,4");
        assertEquals(2, packed.rc());
        assertTrue(packed.err().contains("--dims sets plain rows' dimensions"), packed.err());
        // warm-up was capped at 200 runs while the report said ">= 300 warm-up runs"
        Result warm = run("--warmup", "300");
        assertEquals(2, warm.rc());
        assertEquals("gpu-bench: --warmup must be <= 200, got 300", warm.err().strip());
        assertEquals(Path.of("a/report.md"), GpuBenchmarkRunner.markdownPath(Path.of("a/report.json")));
    }

    /** The PyTorch script compiles, and without torch (or without a GPU) writes an empty, marked result. */
    @Test
    void torchScriptCompilesAndReportsMissingTorch(@TempDir Path dir) throws Exception {
        Path script = Path.of("torch/rnn_bench.py");
        assumeTrue(Files.isRegularFile(script), "bench/torch/rnn_bench.py not found from " + Path.of("").toAbsolutePath());
        assumeTrue(exec(dir, "python3", "--version") == 0, "python3 not found");
        assertEquals(0, exec(dir, "python3", "-m", "py_compile", script.toString()), "py_compile");
        assumeFalse(CudaBackend.isAvailable(), "CUDA here: the script would really run; left to gpu-bench.sh");
        Path shapes = dir.resolve("shapes.json");
        assertEquals(0, run("--cells", "RNN", "--shapes", "small", "--math", "fp32", "--emit-shapes",
                shapes.toString()).rc());
        Path out = dir.resolve("torch.json");
        assertEquals(0, exec(dir, "python3", script.toString(), shapes.toString(), out.toString()));
        TorchResults t = TorchResults.read(out);
        assertTrue(!t.available() && (t.reason().startsWith("torch unavailable") || t.reason().contains("no CUDA")),
                t.reason());
        assertTrue(t.forward().isEmpty());
    }

    private static int exec(Path dir, String... command) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("exec.log").toFile());
        pb.environment().put("PYTHONPYCACHEPREFIX", dir.resolve("pycache").toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -2;
        }
        return p.exitValue();
    }
}

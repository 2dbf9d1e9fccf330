package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.nn.cuda.CudaBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark runners end to end on CUDA, at small {@code --dims} so the run is short (on a GPU, or
 * on the emulated CUDA of scripts/emu-gpu-tests.sh): every row gets both timings and no error, so the
 * suite's bench stage cannot fail on the runners' own code when a GPU machine is finally lent.
 */
@Tag("gpu")
class GpuBenchmarkRunnerGpuTest {

    @BeforeEach
    void assumeCuda() {
        String reason = CudaBackend.unavailableReason().orElse("");
        Assumptions.assumeTrue(reason.isEmpty(), reason);
    }

    private static String run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, stdout + err.toString(StandardCharsets.UTF_8));
        return stdout;
    }

    @Test
    void everyCellAndMathIsTimedAtCustomDims(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("report.json");
        run("--dims", "5,3,8,16", "--repeats", "1", "--warmup", "1", "--out", json.toString());
        var rows = (List<?>) ((Map<?, ?>) MiniJson.parse(Files.readString(json))).get("rows");
        assertEquals(6, rows.size(), "RNN, LSTM, GRU × fp32, tf32");
        for (Object o : rows) {
            var row = (Map<?, ?>) o;
            assertEquals("custom", row.get("shape"));
            assertEquals(16L, ((Number) row.get("H")).longValue());
            var ours = (Map<?, ?>) row.get("ours");
            for (String pass : List.of("fwd", "fwd_train", "fwd_bwd")) {
                assertTrue(ours.get(pass) instanceof Map<?, ?> t && ((Number) t.get("median_ms")).doubleValue() > 0,
                        row.get("key") + " " + pass + ": " + row);
            }
        }
    }

    @Test
    void persistentRowsRunBothVariantsAndBothWeightPrecisions(@TempDir Path dir) throws IOException {
        Path md = dir.resolve("persistent.md");
        run("--persistent", "--cells", "LSTM,GRU", "--dims", "6,2,16,24", "--repeats", "1", "--warmup", "1",
                "--persistent-variant", "both", "--persistent-weights", "both", "--out", md.toString());
        String report = Files.readString(md);
        List<String> rows = report.lines().filter(l -> l.startsWith("| LSTM") || l.startsWith("| GRU")).toList();
        // per cell: grid fp32, cluster fp32 and cluster bf16 (the grid variant has no bf16 kernel); before
        // compute capability 9.0 the cluster rows say why they did not run
        assertEquals(6, rows.size(), report);
        boolean clusters = CudaDevice.query(CudaBackend.float32().deviceOrdinal()).computeMajor() >= 9;
        for (String r : rows) {
            if (!clusters && r.contains("variant cluster")) {
                assertTrue(r.contains("failed") && r.contains("no thread-block clusters"), r);
            } else {
                assertTrue(!r.contains("error") && !r.contains("failed"), r);
            }
        }
    }
}

package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo reproduce memnet} on a tiny configuration: the table, parameter counts, CSV and chart. */
class MemNetStudyTest {

    @Test
    void aTinyStudyWritesTheMatchedTable(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("memnet");
        CliRun r = run("reproduce", "memnet", "--quick", "--seeds", "2", "--epochs", "1", "--hidden", "6",
                "--threads", "2", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        String md = Files.readString(out.resolve("memnet.md"));
        assertTrue(md.contains("(--quick: small data, 1 epochs; a smoke-sized run)"), md);
        for (String task : List.of("mackey-glass17", "recall", "copy", "babi-qa1 (generated)")) {
            for (String model : List.of("MemNet", "LSTM", "GRU")) {
                assertTrue(md.contains("| " + task + " |") && md.contains("| " + model + " |"), task + " " + model);
            }
        }
        assertTrue(md.contains("| mackey-glass17 | one-step NMSE | MemNet | d_k = d_v = 6, M = 8 | 518 |"), md);
        assertTrue(md.contains("free-running NMSE (20 steps)"), md);
        assertTrue(md.contains("GENERATED data"), md);
        assertTrue(md.contains("wall time: "), md);
        List<String> csv = Files.readAllLines(out.resolve("memnet.csv"));
        assertEquals(1 + 5 * 3, csv.size(), String.join("\n", csv)); // 5 metrics × 3 models
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            assertEquals("2", f[5], line);                          // seeds
            assertEquals(2, f[8].split(";").length, line);          // one value per seed
            assertTrue(Double.isFinite(Double.parseDouble(f[6])), line);
        }
        // matched: every LSTM/GRU count within 10 % of the MemNet count of its task
        for (int i = 1; i < csv.size(); i += 3) {
            long memnet = Long.parseLong(csv.get(i).split(",")[4]);
            for (int k = 1; k <= 2; k++) {
                long other = Long.parseLong(csv.get(i + k).split(",")[4]);
                assertTrue(Math.abs(other - memnet) <= 0.1 * memnet, csv.get(i) + " vs " + csv.get(i + k));
            }
        }
        assertTrue(Files.size(out.resolve("memnet.png")) > 1000);
        assertOneLineFailure(run("reproduce", "memnet", "--seeds", "0", "--out", out.toString()), "--seeds");
    }
}

package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.train.ChaoticTrainer;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.nn.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo train --task mackey-glass17|mackey-glass30|lorenz}: run folder, NMSE lines, learning, bad input. */
class RegressionTrainTest {

    @Test
    void lorenzRunWritesTheRunFolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun r = run("train", "--task", "lorenz", "--cell", "gru", "--init", "orthogonal", "--hidden", "6",
                "--epochs", "2", "--length", "400", "--window", "12", "--stride", "4", "--horizon", "5",
                "--device", "cpu", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test nmse: \\d\\.\\d+(e-\\d+)?"), lines.getLast());
        assertTrue(lines.get(lines.size() - 2).startsWith("free-running nmse (5 steps): "), r.out());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        for (String f : List.of("config.txt", "metrics.csv", "spectrum.csv", "spectrum-summary.csv", "spectral-radius.png",
                "eigenvalues-l0-n.png", "weights.safetensors", "result.txt", "free-running.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(1 + 5, Files.readAllLines(out.resolve("free-running.csv")).size());
        var weights = SafeTensors.read(out.resolve("weights.safetensors")).tensors();
        assertArrayEquals(new int[] {3, 6}, weights.get("head.weight").shape());   // x, y, z out
        assertArrayEquals(new int[] {18, 3}, weights.get("rnn.weight_ih_l0").shape());
        assertTrue(Files.readString(out.resolve("config.txt")).contains("Lorenz sigma=10 rho=28 beta=8/3"));
    }

    @Test
    void aShortTrainingBeatsPersistenceOnMackeyGlass() {
        var s = new RunSettings("gru", "orthogonal", Map.of(), 16, 1, 4, 32, 0.01, 1.0, 1, "cpu");
        var c = new ChaoticTrainer.Config("mackey-glass17", s, 1500, 0.8, 30, 5, 20);
        var result = ChaoticTrainer.run(c, null, null);
        assertTrue(result.testNmse() < result.persistenceNmse(), result.testNmse() + " vs persistence "
                + result.persistenceNmse());
        assertEquals(20, result.freeRunByStep().length);
        assertTrue(Double.isFinite(result.freeRunNmse()) && result.freeRunNmse() > 0, "" + result.freeRunNmse());
    }

    @Test
    void badRegressionInputIsOneLine(@TempDir Path dir) throws Exception {
        String o = dir.resolve("x").toString();
        assertOneLineFailure(run("train", "--task", "mackey-glass18", "--cell", "gru", "--init", "xavier", "--out", o),
                "unknown task 'mackey-glass18'; valid tasks: tomita1 … tomita7, mnist, pmnist, mackey-glass17, "
                        + "mackey-glass30, lorenz");
        assertOneLineFailure(run("train", "--task", "lorenz", "--cell", "tcn", "--init", "xavier", "--out", o),
                "unknown cell 'tcn'");
        assertOneLineFailure(run("train", "--task", "lorenz", "--cell", "gru", "--init", "he", "--out", o),
                "unknown initializer 'he'");
        assertOneLineFailure(run("train", "--task", "mackey-glass30", "--cell", "gru", "--init", "xavier",
                "--window", "0", "--out", o), "window must be >= 1");
        assertOneLineFailure(run("train", "--task", "mackey-glass30", "--cell", "gru", "--init", "xavier",
                "--length", "100", "--out", o), "--length 100 leaves 20 test steps");
        // window + horizon + 1 wrapped in int: a negative array size, or a whole run and then OutOfMemoryError
        assertOneLineFailure(run("train", "--task", "lorenz", "--cell", "gru", "--init", "xavier", "--length", "400",
                "--window", "2147483647", "--out", o), "--length 400 leaves 80 test steps; need at least window + "
                + "horizon + 1 = 2147483668");
        assertOneLineFailure(run("train", "--task", "lorenz", "--cell", "gru", "--init", "xavier", "--length", "400",
                "--horizon", "2147483647", "--out", o), "--length 400 leaves 80 test steps");
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a folder");
        assertOneLineFailure(run("train", "--task", "lorenz", "--cell", "gru", "--init", "xavier", "--out",
                file.resolve("run").toString()), "cannot write to the output folder");
    }
}

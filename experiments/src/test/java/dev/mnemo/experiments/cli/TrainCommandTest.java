package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo train} and {@code mnemo reproduce} in-process: a tiny run end to end, and bad input. */
class TrainCommandTest {

    @Test
    void tinyTrainWritesTheRunFolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun run = run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigen", "--hidden", "8",
                "--epochs", "2", "--per-class", "8", "--train-lengths", "1..6", "--test-lengths", "7..8",
                "--device", "cpu", "--seed", "3", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test accuracy: [01]\\.\\d{4}"), lines.getLast());
        assertTrue(run.out().contains("initializer: eigen: weight_hh blocks [all] eigen("), run.out());
        assertTrue(run.out().contains("epoch 2/2"), run.out());
        assertTrue(run.out().matches("(?s).*\ntrain accuracy: [01]\\.\\d{4}\nheld-out accuracy \\(lengths 1\\.\\.6, \\d+ "
                + "strings never trained on\\): [01]\\.\\d{4}\ntest accuracy: .*"), run.out());
        for (String f : List.of("config.txt", "metrics.csv", "spectrum.csv", "spectrum-summary.csv", "spectral-radius.png",
                "eigenvalues-l0-i.png", "eigenvalues-l0-g.png", "weights.safetensors", "result.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());   // header + 2 epochs
        var weights = SafeTensors.read(out.resolve("weights.safetensors"));
        assertTrue(weights.tensors().containsKey("rnn.weight_hh_l0"), weights.tensors().keySet().toString());
        assertTrue(weights.tensors().containsKey("head.weight"), weights.tensors().keySet().toString());
        assertTrue(Files.readString(out.resolve("config.txt")).contains("cell: lstm"));
    }

    /**
     * A run that diverges (learning rate 3e38, no clipping: NaN in the first epoch) still ends normally and says
     * so before its scores, on the console and in result.txt; its spectrum tracker skips the NaN weights (it used
     * to end the run with the eigensolver's "must be finite").
     */
    @Test
    void aDivergedRunSaysSoBeforeItsScores(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun run = run("train", "--task", "tomita4", "--cell", "rnn", "--init", "xavier", "--hidden", "8",
                "--epochs", "2", "--lr", "3e38", "--clip", "0", "--per-class", "8", "--train-lengths", "1..6",
                "--test-lengths", "7..8", "--device", "cpu", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        String note = "diverged: the training loss stopped being finite (NaN); the scores below are of the diverged "
                + "model, not a result";
        assertTrue(run.out().contains("loss NaN — diverged, stopping\n" + note + "\ntrain accuracy: "), run.out());
        assertEquals(note, Files.readAllLines(out.resolve("result.txt")).getFirst());
        assertEquals(2, Files.readAllLines(out.resolve("spectrum-summary.csv")).size(), "header + the step-0 snapshot");
    }

    /** An option of another task (or experiment) is refused, not ignored, and the message says whose it is. */
    @Test
    void optionsOfOtherTasksAreOneLine(@TempDir Path dir) {
        String o = dir.resolve("run").toString();
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigen", "--window", "0",
                "--out", o), "--window is an option of the chaotic series (mackey-glass17, mackey-glass30, lorenz), "
                + "not of task tomita4");
        assertOneLineFailure(run("train", "--task", "copy", "--cell", "lstm", "--init", "eigen", "--data", o, "--out", o),
                "--data is an option of MNIST (mnist, pmnist) and bAbI (babi-qa1, babi-qa2, babi-qa6, babi-qa7) and "
                        + "translation (translation), not of task copy");
        assertOneLineFailure(run("train", "--task", "mnist", "--cell", "gru", "--init", "xavier", "--beam", "3",
                "--out", o), "--beam is an option of translation (translation), not of task mnist");
        assertOneLineFailure(run("reproduce", "memnet", "--quick", "--grammars", "4", "--out", o),
                "--grammars is an option of mnemo reproduce tomita, not of mnemo reproduce memnet");
        assertOneLineFailure(run("reproduce", "tomita", "--quick", "--cell", "gru", "--out", o),
                "--cell is an option of mnemo reproduce spectra, not of mnemo reproduce tomita");
        assertOneLineFailure(run("reproduce", "tomita", "--quick", "--grammars", "4,4", "--out", o),
                "--grammars lists Tomita 4 twice: [4, 4]");
        // checked before the folder and the header, as the other studies do: this left both behind
        CliRun badDevice = run("reproduce", "tomita", "--quick", "--device", "cuda:x", "--out", o);
        assertOneLineFailure(badDevice, "unknown device 'cuda:x'");
        assertEquals("", badDevice.out(), "no header before the error");
        assertFalse(Files.exists(Path.of(o)), "no folder made");
        // options of the task's group that this task, or this mode of it, never reads: they trained as if not given
        assertOneLineFailure(run("train", "--task", "parity", "--cell", "gru", "--init", "xavier", "--alphabet", "5",
                "--out", o), "--alphabet is not read by parity: its strings are binary");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "gru", "--init", "xavier", "--pair", "fr-en",
                "--out", o), "--pair is not read by translation without --data");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "gru", "--init", "xavier", "--data", o,
                "--pairs", "7", "--out", o), "--pairs is not read by translation with --data: the files' pairs are used");
        assertOneLineFailure(run("train", "--task", "babi-qa1", "--cell", "gru", "--init", "xavier", "--data", o,
                "--test-stories", "2", "--out", o), "--test-stories is not read by babi-qa1 with --data: the files' "
                + "stories are used");
    }

    /** Without a CUDA driver, --device cuda says how to choose another device on the command line. */
    @Test
    void cudaWithoutAGpuSaysWhatToPass(@TempDir Path dir) {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.mnemo.nn.cuda.CudaBackend.isAvailable(), "a CUDA GPU is here");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigen", "--epochs", "1",
                "--device", "cuda", "--out", dir.resolve("run").toString()),
                "; run with --device cpu, or --device auto (CUDA when it is there, else the CPU)");
    }

    @Test
    void unknownTaskInitCellAreOneLine(@TempDir Path dir) {
        String o = dir.resolve("x").toString();
        assertOneLineFailure(run("train", "--task", "tomita9", "--cell", "lstm", "--init", "eigen", "--out", o),
                "unknown task 'tomita9'");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstn", "--init", "eigen", "--out", o),
                "unknown cell 'lstn'");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigne", "--out", o),
                "unknown initializer 'eigne'");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigen", "--device", "tpu",
                "--out", o), "unknown device 'tpu'");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigen", "--device", "cuda:one",
                "--out", o), "unknown device 'cuda:one'; valid: cpu, cuda, auto, or cuda:N for CUDA device N");
        assertOneLineFailure(run("reproduce", "cifar"), "unknown experiment 'cifar'; available: tomita, mnist, spectra");
    }

    @Test
    void parameterErrorsAreOneLine() {
        assertOneLineFailure(run("train", "--task", "tomita4"), "Missing required option");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "lstm", "--init", "eigen", "--hidden", "many"),
                "--hidden");
        assertOneLineFailure(run("reproduce"), "EXPERIMENT");
    }

    @Test
    void unwritableOutputIsOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a folder");
        assertOneLineFailure(run("train", "--task", "tomita4", "--cell", "gru", "--init", "xavier", "--out",
                file.resolve("run").toString()), "cannot write to the output folder");
        assertOneLineFailure(run("reproduce", "tomita", "--quick", "--out", file.resolve("run").toString()),
                "cannot write to the output folder");
    }

    @Test
    void tinyReproduceWritesTheTable(@TempDir Path dir) throws Exception {
        CliRun run = run("reproduce", "tomita", "--seeds", "2", "--grammars", "4", "--epochs", "1", "--hidden", "4",
                "--threads", "2", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        String md = Files.readString(dir.resolve("table.md"));
        for (String init : ReproduceCommand.INITS) {
            assertTrue(md.contains("| " + init + " |"), md);
        }
        assertTrue(md.contains("| init | RNN | LSTM | GRU |"), md);
        assertTrue(md.contains("spectrum-matched (ours"), md);
        assertEquals(1 + 7 * 3, Files.readAllLines(dir.resolve("table.csv")).size());
        assertTrue(Files.size(dir.resolve("table.png")) > 0);
        assertTrue(run.out().contains(md.strip().lines().findFirst().orElseThrow()));
        assertFalse(md.contains("QUICK"), "a full run is not labelled quick");
    }

    /** --quick says so in the table, as the other studies' tables do. */
    @Test
    void aQuickReproduceIsLabelledQuick(@TempDir Path dir) throws Exception {
        CliRun run = run("reproduce", "tomita", "--quick", "--seeds", "1", "--grammars", "4", "--epochs", "1",
                "--hidden", "4", "--threads", "2", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        String md = Files.readString(dir.resolve("table.md"));
        assertTrue(md.contains("[mean on held-out strings of lengths 1–12] — QUICK run (1 epochs)"), md);
    }
}

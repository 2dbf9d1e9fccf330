package dev.mnemo.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding MNIST in a folder: the four IDX files (plain or gzipped), or clear messages; pooling. */
class MnistDataTest {

    /** The four standard files: 6 training and 3 test images of 28×28; train gzipped, t10k plain. */
    static Path idxFolder(Path dir) throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxTest.gzip(IdxTest.images(6, 28, 28)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxTest.gzip(IdxTest.labels(0, 1, 2, 3, 4, 5)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), IdxTest.images(3, 28, 28));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxTest.labels(7, 8, 9));
        return dir;
    }

    @Test
    void loadsTheFourIdxFiles(@TempDir Path dir) throws Exception {
        MnistData.Source s = MnistData.load(idxFolder(dir));
        assertEquals(6, s.split().train().count());
        assertEquals(3, s.split().test().count());
        assertEquals(9, s.split().test().labels()[2]);
        assertEquals((37 % 256) / 255f, s.split().train().pixels()[1], 1e-6);
        assertTrue(s.description().contains("IDX files"), s.description());
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws Exception {
        idxFolder(dir);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        var e = assertThrows(IllegalArgumentException.class, () -> MnistData.load(dir));
        assertTrue(e.getMessage().contains("missing t10k-labels-idx1-ubyte[.gz]"), e.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> MnistData.load(dir.resolve("nowhere")));
        assertTrue(none.getMessage().startsWith("MNIST data folder not found"), none.getMessage());
        assertTrue(none.getMessage().contains("scripts/fetch-mnist.sh"), none.getMessage());
    }

    @Test
    void poolingAveragesBlocks() {
        float[] px = new float[16];
        for (int i = 0; i < 16; i++) {
            px[i] = i;
        }
        Digits d = new Digits(1, 4, 4, px, new int[] {3}).pooled(2);
        assertEquals(2, d.rows());
        assertEquals((0 + 1 + 4 + 5) / 4f, d.pixels()[0], 1e-6);
        assertEquals((10 + 11 + 14 + 15) / 4f, d.pixels()[3], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new Digits(1, 4, 4, px, new int[] {3}).pooled(3));
    }
}

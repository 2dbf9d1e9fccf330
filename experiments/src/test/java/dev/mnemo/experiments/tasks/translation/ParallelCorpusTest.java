package dev.mnemo.experiments.tasks.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading line-aligned files, plain and gzipped, and finding the Multi30k layout. */
class ParallelCorpusTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private Path writeGzip(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** {@code n} numbered sentences, one a line, with a final newline. */
    private static String lines(String word, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            s.append(word).append(' ').append(i).append(".\n");
        }
        return s.toString();
    }

    @Test
    void readsLineAlignedPairsAndSkipsEmptySides() throws IOException {
        Path en = write("a.en", "A dog runs.\n\nTwo cats.\nA bird.\n");
        Path de = write("a.de", "Ein Hund läuft.\nLeer.\n   \nEin Vogel.\n");
        ParallelCorpus.Read read = ParallelCorpus.read(en, de);
        assertEquals(List.of(
                new SentencePair(List.of("a", "dog", "runs", "."), List.of("ein", "hund", "läuft", ".")),
                new SentencePair(List.of("a", "bird", "."), List.of("ein", "vogel", "."))), read.pairs());
        assertEquals(2, read.skipped(), "line 2 (empty source) and line 3 (blank target)");
    }

    @Test
    void aFinalNewlineDoesNotAddALine() throws IOException {
        Path en = write("b.en", "one\ntwo\n");
        Path de = write("b.de", "eins\nzwei");
        ParallelCorpus.Read read = ParallelCorpus.read(en, de);
        assertEquals(2, read.pairs().size());
        assertEquals(0, read.skipped());
        Path crlf = write("c.de", "eins\r\nzwei\r\n");
        assertEquals(List.of("zwei"), ParallelCorpus.read(en, crlf).pairs().get(1).target());
    }

    /** readLine also ends a line at a lone \r: one stray \r on each side once shifted every later pair. */
    @Test
    void aLoneCarriageReturnDoesNotEndALine() throws IOException {
        Path en = write("cr.en", "one\rtwo\nthree\nfour\n");
        Path de = write("cr.de", "eins zwei\ndrei\nvier\rfünf\n");
        ParallelCorpus.Read read = ParallelCorpus.read(en, de);
        assertEquals(3, read.pairs().size());
        assertEquals(List.of("one", "two"), read.pairs().get(0).source());
        assertEquals(List.of("eins", "zwei"), read.pairs().get(0).target());
        assertEquals(List.of("three"), read.pairs().get(1).source());
        assertEquals(List.of("drei"), read.pairs().get(1).target());
        assertEquals(List.of("vier", "fünf"), read.pairs().get(2).target());
    }

    @Test
    void readsGzippedFiles() throws IOException {
        Path en = writeGzip("train.en.gz", "A man sleeps.\nWomen sing.\n");
        Path de = write("train.de", "Ein Mann schläft.\nFrauen singen.\n");
        ParallelCorpus.Read read = ParallelCorpus.read(en, de);
        assertEquals(List.of("women", "sing", "."), read.pairs().get(1).source());
        assertEquals(List.of("ein", "mann", "schläft", "."), read.pairs().get(0).target());
    }

    @Test
    void differentLineCountsNameBothFilesAndCounts() throws IOException {
        Path en = write("d.en", "a\nb\nc\n");
        Path de = write("d.de", "a\nb\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParallelCorpus.read(en, de));
        assertTrue(e.getMessage().contains("3 in " + en) && e.getMessage().contains("2 in " + de), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path en = write("e.en", "a\n");
        Path missing = dir.resolve("e.de");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParallelCorpus.read(en, missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void unreadableContentIsAnUncheckedIoErrorNamingTheFile() throws IOException {
        Path en = write("f.en", "a\n");
        Path bad = dir.resolve("f.de");
        Files.write(bad, new byte[] {'a', (byte) 0xC3, '\n'});  // 0xC3 starts a 2-byte UTF-8 sequence
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ParallelCorpus.read(en, bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        Path notGzip = write("g.de.gz", "a\n");
        UncheckedIOException z = assertThrows(UncheckedIOException.class, () -> ParallelCorpus.read(en, notGzip));
        assertTrue(z.getMessage().contains(notGzip.toString()), z.getMessage());
    }

    @Test
    void multi30kReadsTrainValAndTheFlickr2016Test() throws IOException {
        write("train.en", lines("man", 5) + "\n");
        write("train.de", lines("mann", 5) + "leer\n");
        writeGzip("val.en.gz", lines("dog", 3));
        write("val.de", lines("hund", 3));
        write("test_2016_flickr.en", lines("cat", 2));
        write("test_2016_flickr.de", lines("katze", 2));
        write("test.en", lines("bird", 4));
        write("test.de", lines("vogel", 4));
        ParallelCorpus.Split split = ParallelCorpus.multi30k(dir, "en", "de");
        assertEquals(5, split.train().size());
        assertEquals(3, split.validation().size());
        assertEquals(2, split.test().size(), "test_2016_flickr is preferred over test");
        assertEquals(List.of("cat", "2", "."), split.test().get(1).source());
        assertEquals(List.of("hund", "1", "."), split.validation().get(0).target());
        assertEquals("parallel text files from " + dir.toAbsolutePath().normalize()
                + " (train.en/train.de 5 pairs, val 3, test test_2016_flickr 2; 1 pair with an empty side skipped)",
                split.description());
    }

    @Test
    void multi30kFallsBackToPlainTestAndSwapsDirections() throws IOException {
        write("train.fr", lines("homme", 2));
        write("train.en", lines("man", 2));
        write("val.fr", lines("chien", 1));
        write("val.en", lines("dog", 1));
        write("test_2016_flickr.en", lines("cat", 1));  // no French side: this test set is not usable
        writeGzip("test.fr.gz", lines("oiseau", 3));
        write("test.en", lines("bird", 3));
        ParallelCorpus.Split split = ParallelCorpus.multi30k(dir, "fr", "en");
        assertEquals(List.of("oiseau", "1", "."), split.test().get(0).source());
        assertEquals(List.of("bird", "1", "."), split.test().get(0).target());
        assertTrue(split.description().contains("train.fr/train.en 2 pairs, val 1, test test 3; 0 pairs"),
                split.description());
    }

    @Test
    void multi30kListsEveryMissingNameAndTheFolder() throws IOException {
        write("train.en", "a\n");
        write("val.en", "a\n");
        write("val.de", "a\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParallelCorpus.multi30k(dir, "en", "de"));
        String m = e.getMessage();
        String folder = dir.toAbsolutePath().normalize().toString();
        assertTrue(m.contains(folder), m);
        assertTrue(m.contains("train.de (or train.de.gz)"), m);
        assertTrue(m.contains("test_2016_flickr.en") && m.contains("test.de"), m);
        assertTrue(!m.contains("val.de (or"), "val is complete: " + m);

        Path nowhere = dir.resolve("no-such-folder");
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> ParallelCorpus.multi30k(nowhere, "en", "de"));
        assertTrue(d.getMessage().contains(nowhere.toAbsolutePath().normalize().toString())
                && d.getMessage().contains("train.{en,de}"), d.getMessage());
    }

    @Test
    void multi30kValidatesLanguageCodes() {
        for (String bad : new String[] {"EN", "e", "engl", "e1", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ParallelCorpus.multi30k(dir, bad, "de"));
            assertTrue(e.getMessage().contains("sourceLanguage") && e.getMessage().contains("\"" + bad + "\""),
                    e.getMessage());
        }
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> ParallelCorpus.multi30k(dir, "de", "de"));
        assertTrue(same.getMessage().contains("differ"), same.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParallelCorpus.multi30k(dir, "en", null));
    }
}

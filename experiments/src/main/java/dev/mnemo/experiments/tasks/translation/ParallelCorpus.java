package dev.mnemo.experiments.tasks.translation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads parallel text: two UTF-8 files with one sentence per line, line i of the source file being the
 * translation of line i of the target file (the layout of Multi30k, WMT and most MT corpora). A file whose
 * name ends in {@code .gz} is read through gzip. Lines are split by {@link TranslationTokenizer}; a line
 * pair where either side has no tokens is skipped and counted, since it cannot be trained or scored.
 */
public final class ParallelCorpus {

    /** The Multi30k test sets, in order of preference: the 2016 Flickr test set, else a plain test file. */
    private static final List<String> TEST_STEMS = List.of("test_2016_flickr", "test");

    private ParallelCorpus() {
    }

    /**
     * The pairs read from a pair of files.
     *
     * @param pairs   the line pairs with tokens on both sides, in file order
     * @param skipped how many line pairs were dropped because a side tokenized to nothing (e.g. blank lines)
     */
    public record Read(List<SentencePair> pairs, int skipped) {

        /** Copies the pairs; {@code skipped} must be ≥ 0. */
        public Read {
            pairs = List.copyOf(pairs);
            if (skipped < 0) {
                throw new IllegalArgumentException("skipped must be >= 0, got " + skipped);
            }
        }
    }

    /**
     * A corpus split three ways.
     *
     * @param train       the training pairs
     * @param validation  the validation pairs (for early stopping and model choice)
     * @param test        the held-out test pairs
     * @param description one line saying where the data came from and how big each part is, for logs and
     *                    result tables
     */
    public record Split(List<SentencePair> train, List<SentencePair> validation, List<SentencePair> test,
                        String description) {

        /** Copies the lists; the description must not be null. */
        public Split {
            train = List.copyOf(train);
            validation = List.copyOf(validation);
            test = List.copyOf(test);
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * The tokenized line pairs of {@code source} and {@code target}.
     *
     * @throws IllegalArgumentException if a file is missing or the line counts differ (the files are then not
     *                                  parallel, and pairing them would silently misalign every later line)
     * @throws UncheckedIOException     if a file cannot be read or is not valid UTF-8 (or not valid gzip)
     */
    public static Read read(Path source, Path target) {
        Objects.requireNonNull(source, "source file");
        Objects.requireNonNull(target, "target file");
        List<String> sourceLines = lines(source);
        List<String> targetLines = lines(target);
        if (sourceLines.size() != targetLines.size()) {
            throw new IllegalArgumentException("parallel files must have the same number of lines, got "
                    + sourceLines.size() + " in " + source + " and " + targetLines.size() + " in " + target);
        }
        List<SentencePair> pairs = new ArrayList<>(sourceLines.size());
        int skipped = 0;
        for (int i = 0; i < sourceLines.size(); i++) {
            List<String> s = TranslationTokenizer.tokenize(sourceLines.get(i));
            List<String> t = TranslationTokenizer.tokenize(targetLines.get(i));
            if (s.isEmpty() || t.isEmpty()) {
                skipped++;
            } else {
                pairs.add(new SentencePair(s, t));
            }
        }
        return new Read(pairs, skipped);
    }

    /**
     * The Multi30k layout (e.g. the task-1 release with {@code sourceLanguage = "en"},
     * {@code targetLanguage = "de"}): in {@code dir}, {@code train.<lang>}, {@code val.<lang>}, and for
     * test the first of {@code test_2016_flickr.<lang>}, {@code test.<lang>} that exists for both
     * languages; each name is also accepted with a {@code .gz} suffix (the plain file wins if both exist).
     *
     * @param dir            the folder holding the files
     * @param sourceLanguage a short language code such as {@code en}: 2–3 lower-case letters
     * @param targetLanguage another code, different from {@code sourceLanguage}
     * @throws IllegalArgumentException for a bad language code, a missing folder, or any missing file (one
     *                                  message listing every name looked for and the folder)
     */
    public static Split multi30k(Path dir, String sourceLanguage, String targetLanguage) {
        Objects.requireNonNull(dir, "dir");
        checkLanguage("sourceLanguage", sourceLanguage);
        checkLanguage("targetLanguage", targetLanguage);
        if (sourceLanguage.equals(targetLanguage)) {
            throw new IllegalArgumentException("sourceLanguage and targetLanguage must differ, got \""
                    + sourceLanguage + "\" for both");
        }
        Path folder = dir.toAbsolutePath().normalize();
        String[] langs = {sourceLanguage, targetLanguage};
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("Multi30k folder " + folder + " does not exist or is not a "
                    + "folder; expected in it " + expectedNames(langs));
        }
        List<String> missing = new ArrayList<>();
        Path[] train = find(folder, "train", langs, missing);
        Path[] val = find(folder, "val", langs, missing);
        Path[] test = null;
        for (String stem : TEST_STEMS) {
            test = find(folder, stem, langs, new ArrayList<>());
            if (test != null) {
                break;
            }
        }
        if (test == null) {
            missing.add("a test set: " + String.join(" or ",
                    TEST_STEMS.stream().map(s -> s + "." + langs[0] + " with " + s + "." + langs[1]).toList())
                    + " (each also .gz)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Multi30k files missing in " + folder + ": "
                    + String.join("; ", missing) + " (looked for " + expectedNames(langs) + ")");
        }
        Read trainRead = read(train[0], train[1]);
        Read valRead = read(val[0], val[1]);
        Read testRead = read(test[0], test[1]);
        int skipped = trainRead.skipped() + valRead.skipped() + testRead.skipped();
        String testStem = stem(test[0], langs[0]);
        String description = "parallel text files from " + folder + " ("
                + train[0].getFileName() + "/" + train[1].getFileName() + " " + count(trainRead.pairs().size())
                + ", val " + valRead.pairs().size() + ", test " + testStem + " " + testRead.pairs().size()
                + "; " + count(skipped) + " with an empty side skipped)";
        return new Split(trainRead.pairs(), valRead.pairs(), testRead.pairs(), description);
    }

    private static void checkLanguage(String name, String code) {
        if (code == null || !code.matches("[a-z]{2,3}")) {
            throw new IllegalArgumentException(name + " must be a language code of 2–3 lower-case letters such "
                    + "as \"en\" or \"de\", got " + (code == null ? "null" : "\"" + code + "\""));
        }
    }

    /** The source and target files of {@code stem} in {@code folder}, or null after adding what is missing. */
    private static Path[] find(Path folder, String stem, String[] langs, List<String> missing) {
        Path[] found = new Path[langs.length];
        boolean complete = true;
        for (int i = 0; i < langs.length; i++) {
            String name = stem + "." + langs[i];
            Path plain = folder.resolve(name);
            Path gz = folder.resolve(name + ".gz");
            found[i] = Files.isRegularFile(plain) ? plain : Files.isRegularFile(gz) ? gz : null;
            if (found[i] == null) {
                missing.add(name + " (or " + name + ".gz)");
                complete = false;
            }
        }
        return complete ? found : null;
    }

    private static String expectedNames(String[] langs) {
        String l = "{" + langs[0] + "," + langs[1] + "}";
        return "train." + l + ", val." + l + ", and test_2016_flickr." + l + " or test." + l
                + ", each optionally .gz";
    }

    /** {@code test_2016_flickr} of {@code test_2016_flickr.en} or {@code test_2016_flickr.en.gz}. */
    private static String stem(Path file, String lang) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf("." + lang));
    }

    private static String count(int pairs) {
        return pairs + (pairs == 1 ? " pair" : " pairs");
    }

    /** The lines of {@code file} ({@link TextLines#split}), gzip-compressed where its name ends in .gz. */
    private static List<String> lines(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("parallel text file " + file + " does not exist or is not a "
                    + "regular file");
        }
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in.readAllBytes())).toString();
            return TextLines.split(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read parallel text file " + file + ": " + e, e);
        }
    }
}

package dev.mnemo.experiments.tasks.babi;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes stories in the bAbI v1.2 format that {@link BabiReader} reads: {@code "<id> <text>"} for a fact,
 * {@code "<id> <question> \t<answer>\t<ids>"} for a question (the public files' spacing), {@code \n} line
 * ends, UTF-8. An optional header goes first as {@code #} comment lines.
 */
public final class BabiWriter {

    private BabiWriter() {
    }

    /** One line of the format. */
    public static String format(BabiLine line) {
        return switch (line) {
            case BabiLine.Fact f -> f.id() + " " + f.text();
            case BabiLine.Question q -> q.id() + " " + q.text() + " \t" + q.answer() + "\t"
                    + q.supportingFacts().stream().map(String::valueOf).collect(Collectors.joining(" "));
        };
    }

    /** Writes {@code header} (each of its lines as a {@code #} comment; null for none), then the stories. */
    public static void write(Writer out, List<BabiStory> stories, String header) throws IOException {
        if (header != null) {
            for (String h : header.split("\n", -1)) {
                out.write("# " + h + "\n");
            }
        }
        for (BabiStory s : stories) {
            for (BabiLine line : s.lines()) {
                out.write(format(line));
                out.write('\n');
            }
        }
    }

    /** {@link #write(Writer, List, String)} to a file (created or replaced). */
    public static void write(Path file, List<BabiStory> stories, String header) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(w, stories, header);
        }
    }
}

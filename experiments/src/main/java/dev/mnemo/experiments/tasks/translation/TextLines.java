package dev.mnemo.experiments.tasks.translation;

import java.util.ArrayList;
import java.util.List;

/**
 * Text split into lines as the translation task counts them: a sentence per line, so training and
 * {@code mnemo translate} must agree on where lines end.
 */
public final class TextLines {

    private TextLines() {
    }

    /**
     * The lines of {@code text}, without terminators; a final newline does not start another line. Lines end at
     * {@code \n} (a {@code \r} before it is dropped) and nowhere else: a stray {@code \r} inside a sentence (which
     * {@code BufferedReader.readLine} takes for a line end, shifting every later pair, or every later translation
     * against its source) stays in the line, where the tokenizer reads it as a space.
     */
    public static List<String> split(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.getLast().isEmpty()) {
            lines.removeLast();   // after the final newline, or the whole of an empty text
        }
        lines.replaceAll(line -> line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        return lines;
    }
}

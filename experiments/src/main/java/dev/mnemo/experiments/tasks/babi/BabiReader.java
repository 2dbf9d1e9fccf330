package dev.mnemo.experiments.tasks.babi;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the public bAbI v1.2 format (Weston et al., 2015), e.g. {@code qa1_single-supporting-fact_train.txt}:
 * <pre>
 *   1 Mary moved to the bathroom.
 *   2 John went to the hallway.
 *   3 Where is Mary? \tbathroom\t1
 *   1 Sandra travelled to the office.          ← id 1 again: a new story
 * </pre>
 * <ul>
 *   <li>Every line is {@code <id> <text>}; ids count 1, 2, 3, … within a story, and a line with id 1
 *       starts a new story.</li>
 *   <li>A line with a tab is a question: {@code text \t answer \t supporting ids}. The answer may be a
 *       comma list ({@code apple,football}); the supporting ids are space-separated and must name facts
 *       earlier in the same story. The third field may be missing or empty (no supporting facts).</li>
 *   <li>Blank lines, and lines starting with {@code #} (the header comment of our generated files, never
 *       present in the public files), are skipped.</li>
 * </ul>
 * Anything else is a {@link BabiFormatException} naming the file and line. Files are UTF-8.
 */
public final class BabiReader {

    private static final Pattern LINE = Pattern.compile("(\\d+) (.*)");
    private static final Pattern TASK = Pattern.compile("qa(\\d+)_.*");

    private BabiReader() {
    }

    /** The stories of a file; the task number comes from a {@code qa<N>_…} file name, else 0. */
    public static List<BabiStory> read(Path file) throws IOException {
        String name = file.getFileName().toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, name, taskNumber(name));
        }
    }

    /** The stories of {@code in}; {@code source} names it in error messages. A leading byte-order mark is skipped. */
    public static List<BabiStory> read(BufferedReader in, String source, int task) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l = in.readLine(); l != null; l = in.readLine()) {
            lines.add(lines.isEmpty() ? withoutByteOrderMark(l) : l);
        }
        return parse(lines, source, task);
    }

    /**
     * {@code firstLine} without a leading U+FEFF: editors on Windows save UTF-8 with one, and it is invisible, so
     * the line it prefixed was refused with a message quoting what looked like a valid line.
     */
    public static String withoutByteOrderMark(String firstLine) {
        return firstLine.startsWith("\uFEFF") ? firstLine.substring(1) : firstLine;
    }

    /** The stories of {@code lines} (without line terminators); {@code source} names them in error messages. */
    public static List<BabiStory> parse(List<String> lines, String source, int task) {
        List<BabiStory> stories = new ArrayList<>();
        List<BabiLine> story = new ArrayList<>();
        for (int n = 1; n <= lines.size(); n++) {
            String raw = lines.get(n - 1);
            if (raw.isBlank() || raw.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(raw);
            if (!m.matches()) {
                throw new BabiFormatException(source, n, "expected '<id> <text>', got '" + raw + "'");
            }
            int id = parseId(m.group(1), source, n);
            if (id == 1 && !story.isEmpty()) {
                stories.add(new BabiStory(task, story));
                story = new ArrayList<>();
            }
            int expected = story.size() + 1;
            if (id != expected) {
                throw new BabiFormatException(source, n, "line id " + id + " should be " + expected
                        + " (ids count 1, 2, 3, … within a story; 1 starts a new story)");
            }
            String body = m.group(2);
            story.add(body.indexOf('\t') < 0 ? fact(id, body, source, n) : question(id, body, story, source, n));
        }
        if (!story.isEmpty()) {
            stories.add(new BabiStory(task, story));
        }
        return stories;
    }

    /** N of a file name {@code qa<N>_…} (e.g. {@code qa1_single-supporting-fact_train.txt}), else 0. */
    public static int taskNumber(String fileName) {
        Matcher m = TASK.matcher(fileName);
        return m.matches() && m.group(1).length() <= 3 ? Integer.parseInt(m.group(1)) : 0;
    }

    private static int parseId(String digits, String source, int n) {
        if (digits.length() > 9 || Integer.parseInt(digits) < 1) {
            throw new BabiFormatException(source, n, "line id must be a positive integer, got " + digits);
        }
        return Integer.parseInt(digits);
    }

    private static BabiLine.Fact fact(int id, String body, String source, int n) {
        String text = body.trim();
        if (text.isEmpty()) {
            throw new BabiFormatException(source, n, "line " + id + " has no text");
        }
        return new BabiLine.Fact(id, text);
    }

    private static BabiLine.Question question(int id, String body, List<BabiLine> story, String source, int n) {
        String[] fields = body.split("\t", -1);
        if (fields.length > 3) {
            throw new BabiFormatException(source, n, "a question line has at most 3 tab-separated fields "
                    + "(question, answer, supporting ids), got " + fields.length);
        }
        String text = fields[0].trim();
        if (text.isEmpty()) {
            throw new BabiFormatException(source, n, "question " + id + " has no text");
        }
        List<String> answers = new ArrayList<>();
        for (String a : fields[1].split(",", -1)) {
            if (a.isBlank()) {
                throw new BabiFormatException(source, n, "question " + id + " has an empty answer in '"
                        + fields[1] + "'");
            }
            answers.add(a.trim());
        }
        List<Integer> support = new ArrayList<>();
        String ids = fields.length == 3 ? fields[2].trim() : "";
        for (String s : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
            if (!s.matches("\\d{1,9}")) {
                throw new BabiFormatException(source, n, "supporting fact ids must be integers, got '" + s + "'");
            }
            int ref = Integer.parseInt(s);
            if (ref < 1 || ref >= id || !(story.get(ref - 1) instanceof BabiLine.Fact)) {
                throw new BabiFormatException(source, n, "supporting fact " + ref + " of question " + id
                        + " is not a statement earlier in the story");
            }
            support.add(ref);
        }
        return new BabiLine.Question(id, text, answers, support);
    }
}

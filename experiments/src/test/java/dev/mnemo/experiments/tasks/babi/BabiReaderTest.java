package dev.mnemo.experiments.tasks.babi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1.2 format: a known excerpt parsed exactly, and each kind of malformed line. */
class BabiReaderTest {

    /** The opening of the public qa1 train file, plus lines in the style of qa2 and qa8. */
    private static final List<String> EXCERPT = List.of(
            "1 Mary moved to the bathroom.",
            "2 John went to the hallway.",
            "3 Where is Mary? \tbathroom\t1",
            "4 Daniel went back to the hallway.",
            "5 Sandra moved to the garden.",
            "6 Where is Daniel? \thallway\t4",
            "1 Mary got the football there.",
            "2 Mary went back to the garden.",
            "3 Where is the football? \tgarden\t1 2",
            "4 Mary picked up the apple there.",
            "5 What is Mary carrying? \tfootball,apple\t1 4");

    /** A UTF-8 byte-order mark (invisible) made the first line fail with a message quoting a valid-looking line. */
    @Test
    void aByteOrderMarkIsSkipped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("qa1_single-supporting-fact_train.txt");
        Files.writeString(file, "\uFEFF" + String.join("\r\n", EXCERPT) + "\r\n", StandardCharsets.UTF_8);
        assertEquals(BabiReader.parse(EXCERPT, "excerpt.txt", 1), BabiReader.read(file));
        assertEquals("# GENERATED", BabiReader.withoutByteOrderMark("\uFEFF# GENERATED"));
        assertEquals("1 \uFEFFx", BabiReader.withoutByteOrderMark("1 \uFEFFx"), "only a leading mark");
    }

    @Test
    void aKnownExcerptParsesExactly() {
        List<BabiStory> stories = BabiReader.parse(EXCERPT, "excerpt.txt", 1);
        assertEquals(2, stories.size());
        assertEquals(new BabiStory(1, List.of(
                new BabiLine.Fact(1, "Mary moved to the bathroom."),
                new BabiLine.Fact(2, "John went to the hallway."),
                new BabiLine.Question(3, "Where is Mary?", List.of("bathroom"), List.of(1)),
                new BabiLine.Fact(4, "Daniel went back to the hallway."),
                new BabiLine.Fact(5, "Sandra moved to the garden."),
                new BabiLine.Question(6, "Where is Daniel?", List.of("hallway"), List.of(4)))), stories.get(0));
        BabiLine.Question last = (BabiLine.Question) stories.get(1).lines().get(4);
        assertEquals(List.of("football", "apple"), last.answers());
        assertEquals("football,apple", last.answer());
        assertEquals(List.of(1, 4), last.supportingFacts());
        assertEquals(List.of(1, 2), ((BabiLine.Question) stories.get(1).lines().get(2)).supportingFacts());
    }

    @Test
    void examplesPairEachQuestionWithTheFactsBeforeIt() {
        List<BabiExample> ex = BabiStory.examples(BabiReader.parse(EXCERPT, "excerpt.txt", 1));
        assertEquals(4, ex.size());
        assertEquals(2, ex.get(0).facts().size());
        assertEquals(4, ex.get(1).facts().size(), "the first question is not part of the context");
        assertEquals("Daniel went back to the hallway.", ex.get(1).facts().get(2).text());
        assertEquals(4, ex.get(1).facts().get(2).id(), "facts keep their story ids");
        assertEquals(2, ex.get(2).facts().size(), "a new story starts empty");
        assertEquals(3, ex.get(3).facts().size());
        assertEquals(1, ex.get(3).task());
    }

    @Test
    void readsAFileAndTakesTheTaskFromItsName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("qa2_two-supporting-facts_test.txt");
        Files.writeString(file, "# a comment\n" + String.join("\n", EXCERPT) + "\n\n", StandardCharsets.UTF_8);
        List<BabiStory> stories = BabiReader.read(file);
        assertEquals(2, stories.size());
        assertEquals(2, stories.get(0).task());
        assertEquals(BabiReader.parse(EXCERPT, "x", 2), stories);
        assertEquals(17, BabiReader.taskNumber("qa17_positional-reasoning_train.txt"));
        assertEquals(0, BabiReader.taskNumber("stories.txt"));
    }

    @Test
    void aQuestionWithoutSupportIdsIsAccepted() {
        BabiLine.Question q = (BabiLine.Question) BabiReader.parse(List.of("1 A b.", "2 Is it? \tyes"), "f", 0)
                .get(0).lines().get(1);
        assertEquals(List.of(), q.supportingFacts());
        assertEquals("yes", q.answer());
    }

    private static String error(String... lines) {
        return assertThrows(BabiFormatException.class, () -> BabiReader.parse(List.of(lines), "qa1_train.txt", 1))
                .getMessage();
    }

    @Test
    void malformedLinesNameTheFileAndLine() {
        assertEquals("qa1_train.txt:2: expected '<id> <text>', got 'John went to the hallway.'",
                error("1 Mary moved to the bathroom.", "John went to the hallway."));
        assertEquals("qa1_train.txt:1: line id 2 should be 1 (ids count 1, 2, 3, … within a story; 1 starts a new story)",
                error("2 Mary moved to the bathroom."));
        assertEquals("qa1_train.txt:3: line id 4 should be 3 (ids count 1, 2, 3, … within a story; 1 starts a new story)",
                error("1 a.", "2 b.", "4 c."));
        assertEquals("qa1_train.txt:1: line id must be a positive integer, got 0", error("0 Mary."));
        assertEquals("qa1_train.txt:2: supporting fact 3 of question 2 is not a statement earlier in the story",
                error("1 Mary moved to the bathroom.", "2 Where is Mary? \tbathroom\t3"));
        assertEquals("qa1_train.txt:3: supporting fact 2 of question 3 is not a statement earlier in the story",
                error("1 a.", "2 Where? \tx\t1", "3 Where? \tx\t2"));
        assertEquals("qa1_train.txt:2: supporting fact ids must be integers, got 'one'",
                error("1 a.", "2 Where? \tx\tone"));
        assertEquals("qa1_train.txt:2: question 2 has an empty answer in 'apple,'",
                error("1 a.", "2 What? \tapple,\t1"));
        assertEquals("qa1_train.txt:2: question 2 has an empty answer in ''", error("1 a.", "2 What? \t\t1"));
        assertEquals("qa1_train.txt:2: a question line has at most 3 tab-separated fields (question, answer, "
                + "supporting ids), got 4", error("1 a.", "2 What? \tx\t1\t9"));
        assertEquals("qa1_train.txt:2: question 2 has no text", error("1 a.", "2  \tx\t1"));
        assertEquals("qa1_train.txt:1: line 1 has no text", error("1  "));
        BabiFormatException e = assertThrows(BabiFormatException.class,
                () -> BabiReader.parse(List.of("", "x"), "f.txt", 0));
        assertEquals("f.txt", e.source());
        assertEquals(2, e.line());
        assertTrue(e instanceof IllegalArgumentException);
    }
}

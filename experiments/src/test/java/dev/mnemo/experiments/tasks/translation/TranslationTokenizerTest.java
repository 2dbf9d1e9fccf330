package dev.mnemo.experiments.tasks.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Words, numbers and punctuation of Multi30k-style lines, lower-cased. */
class TranslationTokenizerTest {

    @Test
    void splitsAMulti30kLine() {
        // The first line of Multi30k's train.en and train.de.
        assertEquals(List.of("two", "young", ",", "white", "males", "are", "outside", "near", "many", "bushes", "."),
                TranslationTokenizer.tokenize("Two young, White males are outside near many bushes."));
        assertEquals(List.of("zwei", "junge", "weiße", "männer", "sind", "im", "freien", "in", "der", "nähe",
                        "vieler", "büsche", "."),
                TranslationTokenizer.tokenize("Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche."));
    }

    @Test
    void keepsApostrophesHyphensAndDecimalsInsideTokens() {
        assertEquals(List.of("a", "man's", "t-shirt", "costs", "3.50", "$", "."),
                TranslationTokenizer.tokenize("A man's T-shirt costs 3.50$."));
        assertEquals(List.of("don't", "-", "go", "'", "now", "'", "1,000", "times", "!"),
                TranslationTokenizer.tokenize("Don't - go 'now' 1,000 times!"));
        assertEquals(List.of("end", "-", ".", "5", "."), TranslationTokenizer.tokenize("end-. 5."),
                "a hyphen or point not between letters or digits is punctuation");
    }

    @Test
    void unicodeLettersMarksAndSpaces() {
        // "e" + combining acute stays in the word; a no-break space separates; a byte order mark is dropped.
        assertEquals(List.of("café", "e\u0301te", "ça", "😀"),
                TranslationTokenizer.tokenize("\uFEFFCafé E\u0301te\u00A0Ça😀"));
    }

    /** Format characters are dropped before matching, so they never split a word. */
    @Test
    void formatCharactersInsideAWordAreDroppedNotSeparators() {
        assertEquals(List.of("einhorn", "im", "fußballfeld"),
                TranslationTokenizer.tokenize("Ein\u00ADhorn im Fußball\u200Bfeld"));
        assertEquals(List.of("a", "b"), TranslationTokenizer.tokenize("a\tb"), "a tab is white space, not dropped");
    }

    @Test
    void blankLinesGiveNoTokensAndNullIsRejected() {
        assertEquals(List.of(), TranslationTokenizer.tokenize(""));
        assertEquals(List.of(), TranslationTokenizer.tokenize(" \t "));
        assertThrows(NullPointerException.class, () -> TranslationTokenizer.tokenize(null));
    }
}

package dev.mnemo.experiments.tasks.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pair copies its lists and rejects empty or null sides. */
class SentencePairTest {

    @Test
    void copiesBothSides() {
        List<String> source = new ArrayList<>(List.of("a", "dog"));
        List<String> target = new ArrayList<>(List.of("ein", "hund"));
        SentencePair pair = new SentencePair(source, target);
        source.add("runs");
        target.clear();
        assertEquals(List.of("a", "dog"), pair.source());
        assertEquals(List.of("ein", "hund"), pair.target());
        assertThrows(UnsupportedOperationException.class, () -> pair.source().add("x"));
    }

    @Test
    void rejectsEmptyOrNullSidesNamingTheSide() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new SentencePair(List.of("a"), List.of()));
        assertTrue(empty.getMessage().contains("target"), empty.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> new SentencePair(null, List.of("a")));
        assertTrue(nul.getMessage().contains("source"), nul.getMessage());
        IllegalArgumentException nullToken = assertThrows(IllegalArgumentException.class,
                () -> new SentencePair(Arrays.asList("a", null), List.of("b")));
        assertTrue(nullToken.getMessage().contains("null"), nullToken.getMessage());
    }
}

package dev.mnemo.experiments.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The seven grammars against hand-listed strings, an independent regular-expression check, and the generator. */
class TomitaTest {

    private static void check(int grammar, List<String> accepted, List<String> rejected) {
        for (String s : accepted) {
            assertTrue(Tomita.accepts(grammar, s), "tomita" + grammar + " should accept '" + s + "'");
        }
        for (String s : rejected) {
            assertFalse(Tomita.accepts(grammar, s), "tomita" + grammar + " should reject '" + s + "'");
        }
    }

    @Test
    void tomita1() {
        check(1, List.of("", "1", "11", "1111111"), List.of("0", "10", "01", "11110", "0111"));
    }

    @Test
    void tomita2() {
        check(2, List.of("", "10", "1010", "101010"), List.of("1", "0", "01", "101", "1001", "0101", "10100", "11"));
    }

    @Test
    void tomita3() {
        check(3, List.of("", "0", "1", "11", "100", "1100", "110", "00100", "1001", "11000", "10011", "01", "0110"),
                List.of("10", "1110", "100000", "0010", "1000", "10010", "1001110", "10110", "0101", "111000", "1001100010"));
    }

    @Test
    void tomita4() {
        check(4, List.of("", "0", "00", "1", "1001", "100100", "0010011"), List.of("000", "1000", "0001", "110001100",
                "0000"));
    }

    @Test
    void tomita5() {
        check(5, List.of("", "00", "11", "0101", "1001", "110011", "0110"), List.of("0", "1", "01", "10", "000", "0111",
                "1100101"));
    }

    @Test
    void tomita6() {
        check(6, List.of("", "01", "10", "000", "111", "0011", "1010", "000000", "000111"),
                List.of("0", "1", "00", "11", "001", "0111", "0000"));
    }

    @Test
    void tomita7() {
        check(7, List.of("", "0", "1", "01", "10", "0101", "0011000111", "1110011",
                        "00110", "11100"),
                List.of("1010", "01010", "10101", "0101011110", "110101"));
    }

    /** Independent definitions (regular expressions, counting) agree with {@link Tomita#accepts} on every string up to 12. */
    @Test
    void agreesWithIndependentDefinitionsOnEveryShortString() {
        Pattern t1 = Pattern.compile("1*");
        Pattern t2 = Pattern.compile("(10)*");
        // an odd run of 1s (maximal: not preceded/followed by 1), anything, then an odd run of 0s (maximal)
        Pattern t3reject = Pattern.compile("(?<!1)1(11)*(?!1).*?(?<!0)0(00)*(?!0)");
        Pattern t4 = Pattern.compile(".*000.*");
        Pattern t7 = Pattern.compile("0*1*0*1*");
        for (int len = 0; len <= 12; len++) {
            for (int b = 0; b < 1 << len; b++) {
                String s = Tomita.text(b, len);
                long zeros = s.chars().filter(c -> c == '0').count();
                long ones = len - zeros;
                assertEquals(t1.matcher(s).matches(), Tomita.accepts(1, s), s);
                assertEquals(t2.matcher(s).matches(), Tomita.accepts(2, s), s);
                assertEquals(!t3reject.matcher(s).find(), Tomita.accepts(3, s), "tomita3 '" + s + "'");
                assertEquals(!t4.matcher(s).matches(), Tomita.accepts(4, s), s);
                assertEquals(zeros % 2 == 0 && ones % 2 == 0, Tomita.accepts(5, s), s);
                assertEquals((zeros - ones) % 3 == 0, Tomita.accepts(6, s), s);
                assertEquals(t7.matcher(s).matches(), Tomita.accepts(7, s), s);
            }
        }
    }

    @Test
    void generatorIsBalancedDistinctLabelledAndSeeded() {
        for (int g = 1; g <= 7; g++) {
            Tomita.Data d = Tomita.generate(g, 0, 12, 20, 5);
            assertTrue(d.size() > 0, "tomita" + g);
            assertEquals(0.5, d.positiveShare(), 1e-12, "tomita" + g);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < d.size(); i++) {
                assertEquals(Tomita.accepts(g, d.text(i)), d.labels()[i] == 1);
                assertTrue(seen.add(d.text(i)), "duplicate " + d.text(i));
            }
            Tomita.Data again = Tomita.generate(g, 0, 12, 20, 5);
            assertArrayEquals(d.bits(), again.bits());
            assertArrayEquals(d.lengths(), again.lengths());
        }
        // Tomita 1: one accepted string per length, so one of each class per length; length 0 (only "", accepted) none
        assertEquals(2 * 12, Tomita.generate(1, 0, 12, 20, 1).size());
        // Tomita 4, long strings: 20 per class per length
        assertEquals(2 * 20 * 8, Tomita.generate(4, 13, 20, 20, 1).size());
        assertThrows(IllegalArgumentException.class, () -> Tomita.generate(8, 1, 2, 1, 1));
    }

    /** A set drawn with an exclusion shares no string with it, stays balanced, and without one is the plain draw. */
    @Test
    void aHeldOutSetSharesNoStringWithTraining() {
        for (int g = 1; g <= 7; g++) {
            Tomita.Data train = Tomita.generate(g, 1, 12, 64, 5);
            Tomita.Data held = Tomita.generate(g, 1, 12, 64, 7, train);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < train.size(); i++) {
                seen.add(train.lengths()[i] + ":" + train.bits()[i]);
            }
            int positives = 0;
            for (int i = 0; i < held.size(); i++) {
                assertFalse(seen.contains(held.lengths()[i] + ":" + held.bits()[i]), "tomita" + g + " string " + i);
                positives += held.labels()[i];
            }
            assertEquals(held.size(), 2 * positives, "tomita" + g + " balanced");
            Tomita.Data plain = Tomita.generate(g, 1, 12, 64, 7);
            Tomita.Data none = Tomita.generate(g, 1, 12, 64, 7, null);
            assertArrayEquals(plain.bits(), none.bits());
            assertArrayEquals(plain.lengths(), none.lengths());
        }
        // tomita4 at 1..12, 64 per class: lengths up to 6 are used up by training, longer ones are not
        Tomita.Data held4 = Tomita.generate(4, 1, 12, 64, 7, Tomita.generate(4, 1, 12, 64, 5));
        assertTrue(held4.size() > 0);
        for (int len : held4.lengths()) {
            assertTrue(len >= 7, "length " + len);
        }
    }

    @Test
    void oneHotIsRightPaddedAndEachStringEndsAtItsOwnStep() {
        Tomita.Data d = new Tomita.Data(4, new int[] {0b01, 0b1, 0}, new int[] {2, 1, 0}, new int[] {1, 1, 1});
        Tensor x = Tomita.oneHot(d, new int[] {0, 1, 2}, 0, 3);
        assertEquals(List.of(2, 3, 2), List.of(x.dim(0), x.dim(1), x.dim(2)));
        // "10": symbol 1 at t=0, symbol 0 at t=1
        assertEquals(1.0, x.get(0, 0, 1));
        assertEquals(0.0, x.get(0, 0, 0));
        assertEquals(1.0, x.get(1, 0, 0));
        // "1": symbol 1 at t=0, then padding
        assertEquals(1.0, x.get(0, 1, 1));
        assertEquals(0.0, x.get(1, 1, 0) + x.get(1, 1, 1));
        // the empty string: all zeros
        for (int t = 0; t < 2; t++) {
            assertEquals(0.0, x.get(t, 2, 0) + x.get(t, 2, 1));
        }
        assertArrayEquals(new int[] {2, 1, 1}, Tomita.steps(d, new int[] {0, 1, 2}, 0, 3));
        assertArrayEquals(new int[] {1}, Tomita.steps(d, new int[] {0, 1, 2}, 1, 2));
    }

    @Test
    void parsesTasks() {
        assertEquals(4, Tomita.parseTask("tomita4"));
        assertEquals(7, Tomita.parseTask("Tomita7"));
        assertThrows(IllegalArgumentException.class, () -> Tomita.parseTask("tomita8"));
        assertThrows(IllegalArgumentException.class, () -> Tomita.parseTask("mnist"));
    }
}

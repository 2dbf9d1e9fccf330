package dev.mnemo.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link IntegerProperty}: the rules of every integer knob. {@code Integer.getInteger}, which the eigen knobs
 * used, took " 64" and "abc" for the default, "010" for 8 and −5 for a batch size.
 */
class IntegerPropertyTest {
    static final String NAME = "mnemo.test.integerProperty";

    @Test
    void blanksAreTheDefaultAndValuesAreDecimal() {
        assertEquals(7, SystemProperty.with(NAME, null, () -> IntegerProperty.atLeast(NAME, 1, 7)));
        assertEquals(7, SystemProperty.with(NAME, "  ", () -> IntegerProperty.atLeast(NAME, 1, 7)));
        assertEquals(64, SystemProperty.with(NAME, " 64 ", () -> IntegerProperty.atLeast(NAME, 1, 7)));
        assertEquals(10, SystemProperty.with(NAME, "010", () -> IntegerProperty.atLeast(NAME, 1, 7)));
        assertEquals(0, SystemProperty.with(NAME, "0", () -> IntegerProperty.atLeast(NAME, 0, 7)));
    }

    @Test
    void anythingElseIsRefusedNamingTheProperty() {
        for (String bad : new String[] {"abc", "0x40", "4.0", "0", "-5", "99999999999"}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> SystemProperty.run(NAME, bad, () -> IntegerProperty.atLeast(NAME, 1, 7)));
            assertEquals("-D" + NAME + " must be an integer >= 1, got '" + bad + "'", e.getMessage());
        }
    }
}

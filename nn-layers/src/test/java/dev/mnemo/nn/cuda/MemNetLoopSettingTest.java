package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.SystemProperty;
import org.junit.jupiter.api.Test;

/** {@code mnemo.cuda.memnetLoop}: on unless it says off, and a bad value named. */
class MemNetLoopSettingTest {
    @Test
    void parsesOnAndOffAndNamesTheBadValue() {
        assertTrue(MemNetLoopSetting.parse(" ON "));
        assertFalse(MemNetLoopSetting.parse("off"));
        // true/false as mnemo.cuda.graphs takes them, which the README shows beside it
        assertTrue(MemNetLoopSetting.parse("True"));
        assertFalse(MemNetLoopSetting.parse(" false"));
        var e = assertThrows(IllegalArgumentException.class, () -> MemNetLoopSetting.parse("auto"));
        assertEquals("mnemo.cuda.memnetLoop must be on or off, got 'auto'", e.getMessage());
    }

    @Test
    void configuredIsOnUnlessTurnedOff() {
        assertTrue(SystemProperty.with(MemNetLoopSetting.PROPERTY, null, MemNetLoopSetting::configured));
        assertTrue(SystemProperty.with(MemNetLoopSetting.PROPERTY, " ", MemNetLoopSetting::configured));
        assertFalse(SystemProperty.with(MemNetLoopSetting.PROPERTY, "off", MemNetLoopSetting::configured));
        assertThrows(IllegalArgumentException.class,
                () -> SystemProperty.with(MemNetLoopSetting.PROPERTY, "no", MemNetLoopSetting::configured));
    }
}

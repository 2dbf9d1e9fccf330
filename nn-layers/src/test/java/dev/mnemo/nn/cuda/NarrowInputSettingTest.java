package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.SystemProperty;
import org.junit.jupiter.api.Test;

/** {@code mnemo.cuda.narrowInput}: on unless it says off, and a bad value named. */
class NarrowInputSettingTest {
    @Test
    void parsesOnAndOffAndNamesTheBadValue() {
        assertTrue(NarrowInputSetting.parse(" ON "));
        assertFalse(NarrowInputSetting.parse("off"));
        var e = assertThrows(IllegalArgumentException.class, () -> NarrowInputSetting.parse("auto"));
        assertEquals("mnemo.cuda.narrowInput must be on or off, got 'auto'", e.getMessage());
    }

    @Test
    void configuredIsOnUnlessTurnedOff() {
        assertTrue(SystemProperty.with(NarrowInputSetting.PROPERTY, null, NarrowInputSetting::configured));
        assertTrue(SystemProperty.with(NarrowInputSetting.PROPERTY, " ", NarrowInputSetting::configured));
        assertFalse(SystemProperty.with(NarrowInputSetting.PROPERTY, "off", NarrowInputSetting::configured));
        assertThrows(IllegalArgumentException.class,
                () -> SystemProperty.with(NarrowInputSetting.PROPERTY, "no", NarrowInputSetting::configured));
    }
}

package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.SystemProperty;
import org.junit.jupiter.api.Test;

/** {@code mnemo.persistent.inputProjection}: off unless it says on, and a bad value named. */
class InputProjectionSettingTest {
    @Test
    void parsesOnAndOffAndNamesTheBadValue() {
        assertTrue(InputProjectionSetting.parse(" On"));
        assertFalse(InputProjectionSetting.parse("OFF"));
        var e = assertThrows(IllegalArgumentException.class, () -> InputProjectionSetting.parse("x1"));
        assertEquals("mnemo.persistent.inputProjection must be on or off, got 'x1'", e.getMessage());
    }

    @Test
    void configuredIsOnUnlessTurnedOff() {
        assertTrue(SystemProperty.with(InputProjectionSetting.PROPERTY, null, InputProjectionSetting::configured));
        assertTrue(SystemProperty.with(InputProjectionSetting.PROPERTY, "", InputProjectionSetting::configured));
        assertFalse(SystemProperty.with(InputProjectionSetting.PROPERTY, "off", InputProjectionSetting::configured));
    }
}

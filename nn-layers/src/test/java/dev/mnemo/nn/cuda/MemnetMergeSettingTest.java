package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.SystemProperty;
import org.junit.jupiter.api.Test;

/** {@code mnemo.cuda.memnetMerge}: split unless it says kernel, and a bad value named. */
class MemnetMergeSettingTest {
    @Test
    void parsesSplitAndKernelAndNamesTheBadValue() {
        assertTrue(MemnetMergeSetting.parse(" SPLIT "));
        assertFalse(MemnetMergeSetting.parse("kernel"));
        var e = assertThrows(IllegalArgumentException.class, () -> MemnetMergeSetting.parse("auto"));
        assertEquals("mnemo.cuda.memnetMerge must be split or kernel, got 'auto'", e.getMessage());
    }

    @Test
    void configuredIsSplitUnlessKernel() {
        assertTrue(SystemProperty.with(MemnetMergeSetting.PROPERTY, null, MemnetMergeSetting::configured));
        assertTrue(SystemProperty.with(MemnetMergeSetting.PROPERTY, " ", MemnetMergeSetting::configured));
        assertFalse(SystemProperty.with(MemnetMergeSetting.PROPERTY, "kernel", MemnetMergeSetting::configured));
        assertThrows(IllegalArgumentException.class,
                () -> SystemProperty.with(MemnetMergeSetting.PROPERTY, "no", MemnetMergeSetting::configured));
    }
}

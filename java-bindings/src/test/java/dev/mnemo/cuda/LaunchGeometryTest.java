package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A launch past CUDA's grid and block limits is refused with the limit, not left to the driver's "invalid argument". */
class LaunchGeometryTest {

    @Test
    void limitsAreCheckedBeforeTheDriver() {
        new LaunchGeometry(Integer.MAX_VALUE, 65535, 65535, 1024, 1, 1, 0);
        new LaunchGeometry(1, 1, 1, 16, 16, 4, 0);
        var y = assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 65536, 1, 32, 1, 1, 0));
        assertEquals("grid sizes in y and z must be <= 65535, got (1, 65536, 1)", y.getMessage());
        var block = assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 1025, 1, 1, 0));
        assertEquals("a block holds at most 1024 threads (z at most 64), got (1025, 1, 1)", block.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 32, 32, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 1, 1, 65, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(0, 1, 1, 32, 1, 1, 0));
    }
}

package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@value CudaBackend#DEVICE_PROPERTY}: which device {@code CudaBackend.float32()} opens (no GPU needed). */
class CudaDeviceSettingTest {

    @Test
    void unsetOrBlankIsDeviceZero() {
        assertEquals(0, CudaBackend.parseDevice(null));
        assertEquals(0, CudaBackend.parseDevice(""));
        assertEquals(0, CudaBackend.parseDevice("  "));
    }

    @Test
    void anOrdinalIsThatDevice() {
        assertEquals(0, CudaBackend.parseDevice("0"));
        assertEquals(1, CudaBackend.parseDevice("1"));
        assertEquals(7, CudaBackend.parseDevice(" 7 "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "one", "cuda:1", "1.0", "99999999999"})
    void anythingElseNamesTheProperty(String value) {
        var e = assertThrows(IllegalArgumentException.class, () -> CudaBackend.parseDevice(value));
        assertEquals("-Dmnemo.cuda.device must be a CUDA device ordinal (0, 1, ...), got '" + value + "'",
                e.getMessage());
    }
}

package dev.mnemo.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The device names a run accepts: cpu, cuda, auto, and PyTorch's cuda:N. */
class RunSettingsTest {

    static RunSettings withDevice(String device) {
        return new RunSettings("lstm", "xavier", Map.of(), 8, 1, 1, 4, 1e-3, 0, 1, device);
    }

    /** config.txt names the device auto chose, not just "auto". */
    @Test
    void autoSaysWhichDeviceItChose() {
        String chosen = dev.mnemo.nn.cuda.CudaBackend.isAvailable() ? "cuda" : "cpu";
        assertEquals("auto (" + chosen + ")", withDevice("auto").deviceUsed());
        assertTrue(withDevice("auto").describe().contains("\ndevice: auto (" + chosen
                + ")"));
        assertEquals("cuda:1", withDevice("cuda:1").deviceUsed());
    }

    /**
     * config.txt records the mnemo.* properties set (they choose kernels and paths, and some change the result:
     * identical config files came from runs that differed in every weight).
     */
    @Test
    void theMnemoPropertiesSetAreRecorded() {
        String line;
        System.setProperty("mnemo.recurrent.path", "per-step");
        System.setProperty("mnemo.cuda.stepSplits", "4");
        try {
            line = withDevice("cpu").describe();
        } finally {
            System.clearProperty("mnemo.recurrent.path");
            System.clearProperty("mnemo.cuda.stepSplits");
        }
        assertTrue(line.contains("\nmnemo properties: ") && line.contains("-Dmnemo.cuda.stepSplits=4 ")
                && line.contains("-Dmnemo.recurrent.path=per-step"), line);
    }

    @Test
    void cudaNNamesADevice() {
        assertEquals(0, RunSettings.cudaOrdinal("cuda:0"));
        assertEquals(3, RunSettings.cudaOrdinal("cuda:3"));
        assertEquals(12, RunSettings.cudaOrdinal("cuda:12"));
        assertEquals(-1, RunSettings.cudaOrdinal("cuda"));
        assertEquals("cuda:1", withDevice(" CUDA:1 ").device(), "trimmed and lower-cased, as the other names");
        assertTrue(withDevice("cuda").device().equals("cuda"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda:", "cuda:-1", "cuda:x", "cuda:1.0", "cuda1", "gpu:0", "cuda:12345"})
    void otherSpellingsAreRefusedWithTheValidNames(String device) {
        var e = assertThrows(IllegalArgumentException.class, () -> withDevice(device));
        assertEquals("unknown device '" + device + "'; valid: cpu, cuda, auto, or cuda:N for CUDA device N (cuda:0, "
                + "cuda:1, ...)", e.getMessage());
    }
}

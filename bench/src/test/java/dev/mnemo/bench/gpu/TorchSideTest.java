package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lines above the memnet and eigen tables: where the torch numbers come from, or why there are none. */
class TorchSideTest {

    private static String header(Object doc, Path file, Map<?, ?>[] rows) {
        var bytes = new ByteArrayOutputStream();
        rows[0] = TorchSide.header(new PrintStream(bytes, true, StandardCharsets.UTF_8), doc, file, "median of 5");
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMissingSideSaysWhyAndGivesNoRows() {
        Map<?, ?>[] rows = new Map<?, ?>[1];
        String none = header(null, null, rows);
        assertTrue(none.contains("- **PyTorch side missing**: no --torch file given"), none);
        assertTrue(none.contains("- card: ") && none.contains("- policy: median of 5"), none);
        assertEquals(Map.of(), rows[0]);
        var unavailable = MiniJson.parse("{\"available\": false, \"reason\": \"torch unavailable: x\", "
                + "\"info\": {}, \"results\": {\"copy/1x1x1\": {\"median_ms\": 1}}}");
        String text = header(unavailable, Path.of("t.json"), rows);
        assertTrue(text.contains("- **PyTorch side missing**: torch unavailable: x"), text);
        assertEquals(Map.of(), rows[0]);
    }

    @Test
    void aPresentSideNamesItsVersionAndDevice() {
        Map<?, ?>[] rows = new Map<?, ?>[1];
        var doc = MiniJson.parse("{\"available\": true, \"reason\": \"\", \"info\": {\"version\": \"2.11.0\", "
                + "\"device\": \"" + String.valueOf(GpuBenchmarkRunner.cardName()).replace("\"", "") + "\"}, "
                + "\"results\": {\"copy/1x1x1\": {\"median_ms\": 1}}}");
        String text = header(doc, Path.of("t.json"), rows);
        assertTrue(text.contains("- torch: 2.11.0 on "), text);
        assertEquals(1, rows[0].size());
    }
}

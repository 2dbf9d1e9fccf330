package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuiteReportTest {
    static final String JMH = """
            [
              {"benchmark": "dev.mnemo.bench.LaunchOverheadBenchmark.mnemoFfmAsync", "mode": "avgt",
               "primaryMetric": {"score": 2.5, "scoreError": 0.1, "scoreUnit": "us/op"}},
              {"benchmark": "dev.mnemo.bench.LaunchOverheadBenchmark.jcudaSync", "mode": "avgt",
               "primaryMetric": {"score": 9000.0, "scoreError": 50.0, "scoreUnit": "ns/op"}},
              {"benchmark": "dev.mnemo.bench.RecurrentBenchmark.forward", "mode": "avgt",
               "primaryMetric": {"score": 7.0, "scoreError": 0.1, "scoreUnit": "ms/op"}}
            ]
            """;
    static final String HARNESS = "mnemo_tensor_fill_f32[launch+1 sync]  n=1  launches=10000 rounds=5 "
            + "median_us_per_launch=2.000 min=1.900\n";

    @Test
    void readsOnlyTheLaunchBenchmarkAndConvertsUnits() {
        List<SuiteReport.LaunchRow> rows = SuiteReport.jmhRows(JMH);
        assertEquals(2, rows.size());
        assertEquals("Mnemo FFM (cuLaunchKernel)", rows.get(0).path());
        assertEquals("back to back", rows.get(0).mode());
        assertEquals(2.5, rows.get(0).micros(), 1e-12);
        assertEquals("launch + stream sync", rows.get(1).mode());
        assertEquals(9.0, rows.get(1).micros(), 1e-12);
        assertEquals(0.05, rows.get(1).error(), 1e-12);
    }

    @Test
    void parsesTheHarnessLine() {
        var row = SuiteReport.harnessRow("info...\n" + HARNESS).orElseThrow();
        assertEquals(2.0, row.micros(), 1e-12);
        assertTrue(SuiteReport.harnessRow("no such line").isEmpty());
        assertTrue(SuiteReport.harnessRow(null).isEmpty());
    }

    @Test
    void ratiosAreToTheCHarnessForBackToBackRows() {
        var rows = new java.util.ArrayList<>(SuiteReport.jmhRows(JMH));
        rows.add(SuiteReport.harnessRow(HARNESS).orElseThrow());
        var env = new LinkedHashMap<String, String>(Map.of("card", "NVIDIA H100"));
        String json = SuiteReport.toJson(env, rows, List.of("torch missing"), "{\"rows\": []}");
        Object parsed = MiniJson.parse(json);
        assertTrue(parsed instanceof Map<?, ?>);
        assertTrue(json.contains("\"ratio_over_c\": 1.2500"), json);
        assertTrue(json.contains("\"benchmarks\": {\"rows\": []}"), json);
        String md = SuiteReport.toMarkdown(env, rows, List.of("torch missing"), "# Mnemo cells\n\n| a |\n");
        assertTrue(md.contains("| Mnemo FFM (cuLaunchKernel) | back to back | 2.500 | 0.100 | 1.25 |"), md);
        assertTrue(md.contains("| JCuda (cuLaunchKernel, JNI) | launch + stream sync | 9.000 | 0.050 | — |"), md);
        assertTrue(md.contains("### Mnemo cells"), md);
        assertTrue(md.contains("- **note**: torch missing"), md);
    }

    @Test
    void missingInputsGiveAnEmptyTableNotAnError() {
        assertTrue(SuiteReport.jmhRows(null).isEmpty());
        assertTrue(SuiteReport.jmhRows("").isEmpty());
        String json = SuiteReport.toJson(new LinkedHashMap<>(), List.of(), List.of(), null);
        assertTrue(MiniJson.parse(json) instanceof Map<?, ?>, json);
    }
}

package dev.mnemo.bench.gpu;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    private static final String TORCH_JSON = """
            {"available": true, "reason": "", "info": {"version": "2.11.0+cu130", "cudnn": "91900",
              "device": "NVIDIA H100 80GB HBM3"},
             "results": {
               "LSTM/large/fp32": {"fwd": {"median_ms": 4.6, "p10_ms": 4.5, "p90_ms": 4.8, "n": 20},
                                   "fwd_train": {"median_ms": 5.0, "p10_ms": 4.9, "p90_ms": 5.2, "n": 20},
                                   "fwd_bwd": {"median_ms": 13.5, "p10_ms": 13.0, "p90_ms": 14.0, "n": 10},
                                   "measured": {"T": 100, "B": 64, "I": 1024, "H": 1024, "math": "fp32",
                                                "repeats_fwd": 20, "repeats_fwd_bwd": 10}},
               "GRU/large/fp32": {"error": "RuntimeError: out of memory"}}}
            """;

    private static Report sample() {
        List<BenchShape> shapes = BenchShape.select(List.of("LSTM", "GRU"), List.of("large"), List.of("fp32"));
        Map<String, Timing> fwd = Map.of("LSTM/large/fp32", Timing.of(2.3, 2.2, 2.4));
        Map<String, Timing> fwdTrain = Map.of("LSTM/large/fp32", Timing.of(4.0, 3.9, 4.1));
        Map<String, Timing> fwdBwd = Map.of("LSTM/large/fp32", new Timing(5.4, 5.0, 6.0, 10));
        Map<String, String> errors = Map.of("GRU/large/fp32", "IllegalStateException: boom");
        var env = new LinkedHashMap<String, String>();
        env.put("card", "NVIDIA H100 80GB HBM3");
        env.put("driver", "13000 (supports CUDA 13.0)");
        return new Report(env, "", "", Report.join(shapes, fwd, fwdTrain, fwdBwd, errors,
                TorchResults.parse(TORCH_JSON).comparableTo(shapes, "NVIDIA H100 80GB HBM3", 20, 10)));
    }

    @Test
    void onlyTorchRowsTimedAsOursOnOurCardAreCompared() {
        List<BenchShape> shapes = BenchShape.select(List.of("LSTM"), List.of("large"), List.of("fp32"));
        TorchResults t = TorchResults.parse(TORCH_JSON);
        assertEquals(4.6, t.comparableTo(shapes, "NVIDIA H100 80GB HBM3", 20, 10).forward().get("LSTM/large/fp32")
                .medianMs());
        // other repeat counts than ours
        TorchResults other = t.comparableTo(shapes, "NVIDIA H100 80GB HBM3", 5, 3);
        assertNull(other.forward().get("LSTM/large/fp32"));
        assertTrue(other.errors().get("LSTM/large/fp32").endsWith("ours T=100 B=64 I=1024 H=1024 P=0 fp32, 5/3 runs: "
                + "not compared"), other.errors().toString());
        // a file from another card: no PyTorch side at all, and why
        TorchResults elsewhere = t.comparableTo(shapes, "NVIDIA H200", 20, 10);
        assertTrue(!elsewhere.available() && elsewhere.reason().startsWith("PyTorch ran on NVIDIA H100 80GB HBM3, "
                + "Mnemo on NVIDIA H200"), elsewhere.reason());
        // a row that does not say what it measured (an older rnn_bench.py)
        TorchResults old = TorchResults.parse(TORCH_JSON.replace("\"measured\"", "\"was\""))
                .comparableTo(shapes, null, 20, 10);
        assertNull(old.forward().get("LSTM/large/fp32"));
        assertTrue(old.errors().get("LSTM/large/fp32").startsWith("the row does not say what it measured"));
    }

    @Test
    void torchResultsParse() {
        TorchResults t = TorchResults.parse(TORCH_JSON);
        assertTrue(t.available());
        assertEquals("91900", t.info().get("cudnn"));
        assertEquals(new Timing(4.6, 4.5, 4.8, 20), t.forward().get("LSTM/large/fp32"));
        assertEquals(List.of("LSTM/large/fp32"), t.keys());
        assertEquals("RuntimeError: out of memory", t.errors().get("GRU/large/fp32"));
        TorchResults none = TorchResults.parse("{\"available\": false, \"reason\": \"torch unavailable: x\", "
                + "\"info\": {}, \"results\": {}}");
        assertEquals("torch unavailable: x", none.reason());
        assertTrue(none.forward().isEmpty());
        assertEquals(new Timing(5.0, 4.9, 5.2, 20), t.trainingForward().get("LSTM/large/fp32"));
    }

    @Test
    void ratiosAreTorchOverOurs() {
        Report.Row lstm = sample().rows().getFirst();
        assertEquals(2.0, lstm.forwardRatio(), 1e-12);
        assertEquals(2.5, lstm.forwardBackwardRatio(), 1e-12);
        assertEquals(1.25, lstm.trainingForwardRatio(), 1e-12);
        Report.Row gru = sample().rows().get(1);
        assertTrue(Double.isNaN(gru.forwardRatio()));
        assertEquals("mnemo: IllegalStateException: boom; torch: RuntimeError: out of memory", gru.note());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesTimingsRatiosAndNulls() {
        String json = sample().toJson();
        var root = (Map<String, Object>) MiniJson.parse(json);
        assertEquals("NVIDIA H100 80GB HBM3", ((Map<String, Object>) root.get("environment")).get("card"));
        assertEquals("", root.get("skipped"));
        var rows = (List<Map<String, Object>>) root.get("rows");
        assertEquals(2, rows.size());
        var lstm = rows.getFirst();
        assertEquals("LSTM/large/fp32", lstm.get("key"));
        assertEquals(100.0, lstm.get("T"));
        assertEquals(1024.0, lstm.get("H"));
        var ours = (Map<String, Object>) lstm.get("ours");
        assertEquals(2.3, ((Map<String, Object>) ours.get("fwd")).get("median_ms"));
        assertEquals(3.0, ((Map<String, Object>) ours.get("fwd")).get("n"));
        var ratio = (Map<String, Object>) lstm.get("ratio_torch_over_ours");
        assertEquals(2.0, ratio.get("fwd"));
        assertEquals(2.5, ratio.get("fwd_bwd"));
        assertEquals(1.25, ratio.get("fwd_train"));
        assertEquals(4.0, ((Map<String, Object>) ours.get("fwd_train")).get("median_ms"));
        assertEquals(5.0, ((Map<String, Object>) ((Map<String, Object>) lstm.get("torch")).get("fwd_train"))
                .get("median_ms"));
        assertEquals(4.636, ((Map<String, Object>) lstm.get("anchor_h100")).get("fwd"));
        var gru = rows.get(1);
        assertNull(((Map<String, Object>) gru.get("ours")).get("fwd"));
        assertNull(((Map<String, Object>) gru.get("ratio_torch_over_ours")).get("fwd"));
    }

    @Test
    void markdownHasOneRowPerCaseWithRatios() {
        String md = sample().toMarkdown();
        assertTrue(md.contains("- card: NVIDIA H100 80GB HBM3\n"), md);
        assertTrue(md.contains("| LSTM | large | 100 | 64 | 1024 | 1024 | fp32 | 2.300 | 4.600 | 2.00 | 4.000 | 5.000 "
                + "| 1.25 | 5.400 | 13.500 | 2.50 |\n"), md);
        assertTrue(md.contains("| GRU | large | 100 | 64 | 1024 | 1024 | fp32 | — | — | — | — | — | — | — | — | — |\n"),
                md);
        assertTrue(md.contains("- GRU/large/fp32: mnemo: IllegalStateException: boom"), md);
        assertTrue(md.contains("ratio = torch / ours, above 1 means Mnemo is faster"), md);
    }

    /** The packed and projected rows say in the notes what their shape name leaves out. */
    @Test
    void markdownNotesThePackedAndProjectedDimensions() {
        List<BenchShape> shapes = BenchShape.select(List.of("LSTM"), List.of("packed", "projected", "small"), null);
        String md = new Report(new LinkedHashMap<>(), "", "", Report.join(shapes, Map.of(), Map.of(), Map.of(),
                Map.of(), TorchResults.parse(TORCH_JSON))).toMarkdown();
        assertTrue(md.contains("- LSTM/packed/fp32: T=100 B=64 I=256 H=256 lengths 100..51\n"), md);
        assertTrue(md.contains("- LSTM/projected/fp32: T=100 B=64 I=1024 H=1024 P=256\n"), md);
        assertTrue(!md.contains("- LSTM/small/fp32: T="), md);
    }

    @Test
    void skippedAndMissingTorchAreStated() {
        Report r = new Report(new LinkedHashMap<>(), "no CUDA GPU: x", "torch unavailable: y", List.of());
        assertTrue(r.toMarkdown().contains("- **Mnemo side skipped**: no CUDA GPU: x\n"));
        assertTrue(r.toMarkdown().contains("- **PyTorch side missing**: torch unavailable: y\n"));
        var root = (Map<?, ?>) MiniJson.parse(r.toJson());
        assertEquals("no CUDA GPU: x", root.get("skipped"));
        assertEquals(List.of(), root.get("rows"));
    }

    @Test
    void jsonStringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", MiniJson.quote("a\"b\\c\nd\u0001"));
        assertEquals("a\"b\\c\nd\u0001", MiniJson.parse(MiniJson.quote("a\"b\\c\nd\u0001")));
        assertEquals("null", MiniJson.number(Double.NaN));
    }
}

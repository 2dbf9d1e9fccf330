package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumSummary;
import dev.mnemo.nn.io.SafeTensors;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.Rnn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo spectrum} in-process: saved LSTM / GRU / RNN weights, and bad input. */
class SpectrumCommandTest {

    @Test
    void lstmWeightsGiveOneRowAndPlotPerBlock(@TempDir Path dir) throws Exception {
        var lstm = new Lstm(RecurrentOptions.builder(3, 6).numLayers(2).bidirectional(true).seed(5).build());
        var weights = new LinkedHashMap<String, Tensor>(SafeTensors.withPrefix("rnn.", lstm.parameters()));
        weights.put("head.weight", Tensor.zeros(2, 12));
        Path file = dir.resolve("weights.safetensors");
        SafeTensors.write(file, weights);
        Path out = dir.resolve("spec");

        CliRun run = run("spectrum", "--weights", file.toString(), "--horizon", "5", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> summary = Files.readAllLines(out.resolve("spectrum-summary.csv"));
        assertEquals("layer,gate,cell,n,radius,modes_tau_gt_5,sigma_max", summary.getFirst());
        assertEquals(1 + 2 * 2 * 4, summary.size());   // layers × directions × gates
        assertTrue(summary.get(1).startsWith("rnn-l0,i,lstm,6,"), summary.get(1));
        assertTrue(summary.contains(summary.stream().filter(l -> l.startsWith("rnn-l1-reverse,o,lstm,6,")).findFirst()
                .orElseThrow()));
        assertEquals(1 + 16 * 6, Files.readAllLines(out.resolve("spectrum.csv")).size());
        for (String layer : List.of("rnn-l0", "rnn-l0-reverse", "rnn-l1", "rnn-l1-reverse")) {
            for (String gate : List.of("i", "f", "g", "o")) {
                assertTrue(Files.size(out.resolve("eigenvalues-" + layer + "-" + gate + ".png")) > 0, layer + gate);
            }
        }
        // the numbers are those of the block itself
        Tensor f = lstm.parameters().get("weight_hh_l0").slice(6, 12);
        SpectrumSummary expected = SpectrumSummary.of("l0", "f", f);
        String row = summary.get(2);
        String[] cols = row.split(",");
        assertEquals("f", cols[1]);
        assertEquals(expected.spectralRadius(), Double.parseDouble(cols[4]), 1e-9);
        assertEquals(expected.modesLongerThan(5), Integer.parseInt(cols[5]));
        assertEquals(expected.singularValues()[0], Double.parseDouble(cols[6]), 1e-9);
        assertTrue(run.out().contains(String.format(Locale.ROOT, "%.4f", expected.spectralRadius())), run.out());
        assertTrue(run.out().contains("wrote 16 block(s)"), run.out());
    }

    @Test
    void gruAndRnnAreInferredFromTheShape(@TempDir Path dir) throws Exception {
        var weights = new LinkedHashMap<String, Tensor>(new Gru(RecurrentOptions.builder(2, 4).seed(1).build()).parameters());
        weights.putAll(SafeTensors.withPrefix("enc.", new Rnn(RecurrentOptions.builder(2, 3).seed(2).build()).parameters()));
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, weights);
        CliRun run = run("spectrum", "--weights", file.toString());   // default: spectrum/ beside the file
        assertEquals(0, run.exitCode(), run.err());
        List<String> summary = Files.readAllLines(dir.resolve("spectrum").resolve("spectrum-summary.csv"));
        assertEquals("layer,gate,cell,n,radius,modes_tau_gt_100,sigma_max", summary.getFirst());
        assertEquals(List.of("l0,r,gru,4", "l0,z,gru,4", "l0,n,gru,4", "enc-l0,h,rnn,3"),
                summary.subList(1, 5).stream().map(l -> String.join(",", List.of(l.split(",")).subList(0, 4))).toList());
        assertTrue(Files.size(dir.resolve("spectrum").resolve("eigenvalues-enc-l0-h.png")) > 0);
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        assertOneLineFailure(run("spectrum", "--weights", dir.resolve("nope.safetensors").toString()),
                "weights file not found");
        Path text = dir.resolve("notes.safetensors");
        Files.writeString(text, "this is not a safetensors file at all");
        assertOneLineFailure(run("spectrum", "--weights", text.toString()), "is not a readable safetensors file");
        Path empty = dir.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        assertOneLineFailure(run("spectrum", "--weights", empty.toString()), "is not a readable safetensors file");
        Path headOnly = dir.resolve("head.safetensors");
        var head = new LinkedHashMap<String, Tensor>();
        head.put("head.weight", Tensor.zeros(2, 3));
        SafeTensors.write(headOnly, head);
        assertOneLineFailure(run("spectrum", "--weights", headOnly.toString()), "holds no recurrent weights");
        Path odd = dir.resolve("odd.safetensors");
        var bad = new LinkedHashMap<String, Tensor>();
        bad.put("weight_hh_l0", Tensor.zeros(8, 4));
        SafeTensors.write(odd, bad);
        assertOneLineFailure(run("spectrum", "--weights", odd.toString()), "cannot tell the cell");
        Path diverged = dir.resolve("diverged.safetensors");
        var nan = new LinkedHashMap<String, Tensor>();
        nan.put("weight_hh_l0", Tensor.zeros(12, 4));
        nan.get("weight_hh_l0").setFlat(4 * 4 + 6, Double.NaN);   // GRU (3 gates of 4), gate z, row 1 col 2
        SafeTensors.write(diverged, nan);
        CliRun d = run("spectrum", "--weights", diverged.toString());
        assertOneLineFailure(d, diverged + ": gate z of l0's weight_hh holds NaN at [1, 2]; a diverged run's weights "
                + "have no spectrum");
        assertEquals("", d.out(), "nothing printed before the refusal");
        assertOneLineFailure(run("spectrum", "--weights", headOnly.toString(), "--horizon", "-1"), "--horizon");
        assertOneLineFailure(run("spectrum"), "--weights");
    }
}

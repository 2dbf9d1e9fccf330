package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.assertOneLineFailure;
import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo train --task translation}: synthetic and file-based runs end to end, and bad input. */
class TranslationTrainTest {

    @Test
    void syntheticRunWritesTheRunFolderAndEndsWithTheTestBleu(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun run = run("train", "--task", "translation", "--cell", "gru", "--init", "orthogonal", "--hidden", "16",
                "--epochs", "2", "--pairs", "200", "--test-pairs", "40", "--batch", "32", "--device", "cpu",
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().strip().lines().toList();
        assertTrue(lines.getLast().matches("test bleu: \\d+\\.\\d{2}"), lines.getLast());
        assertTrue(run.out().contains("SYNTHETIC parallel corpus"), run.out());
        assertTrue(run.out().contains("test (synthetic data): BLEU"), run.out());
        for (String f : List.of("config.txt", "metrics.csv", "spectrum.csv", "weights.safetensors", "translations.tsv",
                "source-vocabulary.txt", "target-vocabulary.txt", "result.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());   // header + 2 epochs
        List<String> translations = Files.readAllLines(out.resolve("translations.tsv"));
        assertEquals("source\treference\ttranslation", translations.getFirst());
        assertEquals(41, translations.size());
        var weights = SafeTensors.read(out.resolve("weights.safetensors"));
        for (String name : List.of("encoder.weight_hh_l0", "decoder.weight_hh_l0", "source_embedding.weight",
                "target_embedding.weight", "head.weight")) {
            assertTrue(weights.tensors().containsKey(name), weights.tensors().keySet().toString());
        }
        String config = Files.readString(out.resolve("config.txt"));
        assertTrue(config.contains("source order: reversed"), config);
        assertTrue(config.contains("attention: Luong dot attention"), config);
        assertTrue(weights.tensors().containsKey("attention.context.weight"), weights.tensors().keySet().toString());
        // line i of a vocabulary is the word of id i: as many lines as the embedding and head have rows
        List<String> targetWords = Files.readAllLines(out.resolve("target-vocabulary.txt"));
        assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>"), targetWords.subList(0, 4));
        assertEquals(targetWords.size(), weights.tensors().get("head.weight").shape()[0]);
        assertEquals(Files.readAllLines(out.resolve("source-vocabulary.txt")).size(),
                weights.tensors().get("source_embedding.weight").shape()[0]);
    }

    /** The saved run translates new input as the run itself did: the same words for its test sentences. */
    @Test
    void translateLoadsARunAndGivesItsTestTranslations(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun train = run("train", "--task", "translation", "--cell", "lstm", "--init", "xavier", "--hidden", "16",
                "--epochs", "2", "--pairs", "300", "--test-pairs", "20", "--device", "cpu", "--out", out.toString());
        assertEquals(0, train.exitCode(), train.err());
        List<String[]> rows = Files.readAllLines(out.resolve("translations.tsv")).stream().skip(1)
                .map(l -> l.split("\t", -1)).toList();
        // every test source, the first as a user might type it: the same batches as the run's own scoring
        Path input = dir.resolve("input.txt");
        List<String> sources = new java.util.ArrayList<>(rows.stream().map(r -> r[0]).toList());
        sources.set(0, sources.getFirst().toUpperCase(java.util.Locale.ROOT));
        Files.writeString(input, String.join("\n", sources) + "\n");
        CliRun t = run("translate", "--run", out.toString(), "--input", input.toString(), "--device", "cpu");
        assertEquals(0, t.exitCode(), t.err());
        assertEquals(rows.stream().map(r -> r[2]).toList(), t.out().lines().toList());
        // a blank line gives a blank line; a word the model never saw is <unk>, not an error
        Files.writeString(input, "\n" + rows.getFirst()[0] + " zebra\n");
        CliRun odd = run("translate", "--run", out.toString(), "--input", input.toString(), "--device", "cpu");
        assertEquals(0, odd.exitCode(), odd.err());
        assertEquals(2, odd.out().lines().count(), odd.out());
        assertEquals("", odd.out().lines().findFirst().orElseThrow());
        // a lone \r stays inside its line, as in training's corpus: it was a line end, one output line too many
        Files.writeString(input, rows.get(0)[0] + "\r" + rows.get(1)[0] + "\r\n" + rows.get(2)[0] + "\n");
        CliRun cr = run("translate", "--run", out.toString(), "--input", input.toString(), "--device", "cpu");
        assertEquals(0, cr.exitCode(), cr.err());
        assertEquals(2, cr.out().lines().count(), cr.out());
        assertEquals(rows.get(2)[2], cr.out().lines().toList().getLast());
        assertEquals(0, run("translate", "--run", out.toString(), "--input", input.toString(), "--device", "cpu",
                "--beam", "3").exitCode());
        assertOneLineFailure(run("translate", "--run", dir.toString(), "--input", input.toString()), "missing");
        assertOneLineFailure(run("translate", "--run", out.toString(), "--input", dir.resolve("none.txt").toString()),
                "is not a readable file");
        assertOneLineFailure(run("translate", "--run", out.toString(), "--beam", "0"), "--beam must be >= 1");
    }

    @Test
    void readsParallelFilesInTheMulti30kLayout(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("multi30k");
        Files.createDirectories(data);
        String en = "A dog runs.\nTwo men sit on a bench.\nA girl plays.\n";
        String fr = "Un chien court.\nDeux hommes sont assis sur un banc.\nUne fille joue.\n";
        for (String split : List.of("train", "val", "test_2016_flickr")) {
            Files.writeString(data.resolve(split + ".en"), en);
            Files.writeString(data.resolve(split + ".fr"), fr);
        }
        Path out = dir.resolve("run");
        CliRun run = run("train", "--task", "translation", "--data", data.toString(), "--pair", "en-fr",
                "--min-frequency", "1", "--cell", "lstm", "--init", "xavier", "--hidden", "8", "--epochs", "1",
                "--attention", "none", "--beam", "3",
                "--device", "cpu", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("test (parallel text files): BLEU"), run.out());
        assertTrue(run.out().contains("3 training"), run.out());
        assertTrue(run.out().contains("decoding: beam search, 3 hypotheses, length-normalized"), run.out());
        String tsv = Files.readString(out.resolve("translations.tsv"));
        assertTrue(tsv.contains("two men sit on a bench .\tdeux hommes sont assis sur un banc ."), tsv);
    }

    @Test
    void badTranslationOptionsAreOneLine(@TempDir Path dir) {
        String o = dir.resolve("x").toString();
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "lstm", "--init", "xavier", "--pair",
                "en-en", "--data", dir.toString(), "--out", o), "--pair must be SRC-TGT");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "lstm", "--init", "xavier",
                "--source-order", "sideways", "--out", o), "--source-order must be reversed or forward");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "lstm", "--init", "xavier",
                "--attention", "bahdanau", "--out", o), "--attention must be dot or none");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "lstm", "--init", "xavier", "--beam", "0",
                "--out", o), "beam must be >= 1");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "memnet", "--init", "pytorch", "--out", o),
                "translation needs a recurrent encoder and decoder");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "gru", "--init", "xavier", "--data",
                dir.resolve("missing").toString(), "--out", o), "missing");
        assertOneLineFailure(run("train", "--task", "translation", "--cell", "gru", "--init", "xavier", "--pairs", "0",
                "--out", o), "pairs must be >= 1");
    }
}

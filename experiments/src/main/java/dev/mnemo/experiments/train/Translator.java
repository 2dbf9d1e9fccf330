package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import dev.mnemo.nn.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trained translator with its vocabularies: tokenized source sentences in, tokenized translations
 * out. Built from a model in memory (the trainer's scoring) or loaded from a run folder
 * ({@code mnemo translate}).
 */
public final class Translator {

    /** Sentences translated at once, at most. */
    private static final int BATCH = 128;

    /** Metadata keys of a translation run's {@code weights.safetensors}: what rebuilds the model. */
    static final String HIDDEN = "hidden";
    static final String LAYERS = "layers";
    static final String EMBEDDING = "embedding";
    static final String ATTENTION = "attention";
    static final String SOURCE_ORDER = "source_order";

    private final Seq2SeqModel model;
    private final TranslationVocabulary sourceWords;
    private final TranslationVocabulary targetWords;
    private final boolean reverseSource;

    public Translator(Seq2SeqModel model, TranslationVocabulary sourceWords, TranslationVocabulary targetWords,
                      boolean reverseSource) {
        this.model = model;
        this.sourceWords = sourceWords;
        this.targetWords = targetWords;
        this.reverseSource = reverseSource;
    }

    /** The metadata {@link #load} needs, for the run's weights file. */
    static Map<String, String> metadata(TranslationTrainer.Config c) {
        RunSettings s = c.settings();
        return Map.of("task", TranslationTrainer.TASK, "cell", s.cell(), "init", s.init(), "data", c.dataLabel(),
                HIDDEN, Integer.toString(s.hidden()), LAYERS, Integer.toString(s.layers()),
                EMBEDDING, Integer.toString(c.embedding()), ATTENTION, c.attention() ? "dot" : "none",
                SOURCE_ORDER, c.reverseSource() ? "reversed" : "forward");
    }

    /**
     * The translator a {@code mnemo train --task translation} run folder holds: its weights
     * ({@code weights.safetensors}, whose metadata names the architecture) and both vocabularies.
     *
     * @param device cpu, cuda, cuda:N or auto
     * @throws IllegalArgumentException when a file is missing, is not a translation run's, or its
     *                                  tensors do not fit the model it describes
     */
    public static Translator load(Path run, String device) {
        Path weights = run.resolve("weights.safetensors");
        for (Path f : List.of(weights, run.resolve("source-vocabulary.txt"), run.resolve("target-vocabulary.txt"))) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("missing " + f + ": --run must be the folder of a "
                        + "'mnemo train --task translation' run");
            }
        }
        try {
            SafeTensors.Contents contents = SafeTensors.read(weights);
            Map<String, String> m = contents.metadata();
            if (!TranslationTrainer.TASK.equals(m.get("task"))) {
                throw new IllegalArgumentException(weights + " is not a translation model's (its task is '"
                        + m.get("task") + "')");
            }
            TranslationVocabulary source = TranslationVocabulary.of(Files.readAllLines(run.resolve("source-vocabulary.txt")));
            TranslationVocabulary target = TranslationVocabulary.of(Files.readAllLines(run.resolve("target-vocabulary.txt")));
            RunSettings s = new RunSettings(m.get("cell"), m.get("init"), Map.of(), number(m, HIDDEN, weights),
                    number(m, LAYERS, weights), 1, 1, 0.01, 0, 1, device);
            Seq2SeqModel model = Seq2SeqModel.build(s, source.size(), target.size(), number(m, EMBEDDING, weights),
                    "dot".equals(m.get(ATTENTION)), SequenceModels.backend(s.device()));
            SafeTensors.loadInto(model.parameters(), contents.tensors(), true);
            return new Translator(model, source, target, !"forward".equals(m.get(SOURCE_ORDER)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + run + ": " + e.getMessage(), e);
        }
    }

    private static int number(Map<String, String> metadata, String key, Path file) {
        try {
            return Integer.parseInt(metadata.getOrDefault(key, ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + " has no model size '" + key + "' in its metadata (written "
                    + "by an older Mnemo?)");
        }
    }

    /**
     * The translations of {@code sources}, in their order: {@code beam} hypotheses per sentence (1 is
     * greedy), at most min(2 × length + 10, 256) words each. Sentences of one length are translated
     * together (no padding: a translation does not depend on the others); an empty source gives an
     * empty translation. The model is in evaluation mode meanwhile, and back in its own mode after.
     */
    public List<List<String>> translate(List<List<String>> sources, int beam) {
        Map<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < sources.size(); i++) {
            if (!sources.get(i).isEmpty()) {
                byLength.computeIfAbsent(sources.get(i).size(), k -> new ArrayList<>()).add(i);
            }
        }
        List<List<String>> out = new ArrayList<>(Collections.nCopies(sources.size(), List.of()));
        boolean training = model.isTraining();
        model.setTraining(false);
        try {
            for (var e : byLength.entrySet()) {
                List<Integer> same = e.getValue();
                for (int from = 0; from < same.size(); from += BATCH) {
                    List<Integer> chunk = same.subList(from, Math.min(same.size(), from + BATCH));
                    int[] ids = TranslationBatch.sourceIds(chunk.stream().map(sources::get).toList(), sourceWords,
                            reverseSource);
                    int[][] words = model.translate(ids, e.getKey(), chunk.size(), Math.min(2 * e.getKey() + 10, 256),
                            beam);
                    for (int k = 0; k < chunk.size(); k++) {
                        out.set(chunk.get(k), targetWords.decode(words[k]));
                    }
                }
            }
        } finally {
            model.setTraining(training);   // it set training mode whatever the mode was before
        }
        return out;
    }
}

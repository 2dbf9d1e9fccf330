package dev.mnemo.experiments.train;

import dev.mnemo.experiments.tasks.translation.Bleu;
import dev.mnemo.experiments.tasks.translation.ParallelCorpus;
import dev.mnemo.experiments.tasks.translation.SentencePair;
import dev.mnemo.experiments.tasks.translation.SyntheticParallelCorpus;
import dev.mnemo.experiments.tasks.translation.TranslationVocabulary;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumTracker;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.GradientClipping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains an encoder-decoder ({@link Seq2SeqModel}) to translate, and scores it with corpus BLEU-4 on
 * greedy translations: on parallel text files in the Multi30k layout, or on Mnemo's synthetic
 * language pair ({@link SyntheticParallelCorpus}: <b>synthetic data</b>, and every output says so).
 * Adam, global-norm clipping, batches of sources of one length.
 */
public final class TranslationTrainer {

    /** The {@code --task} name. */
    public static final String TASK = "translation";

    /**
     * Every setting of a run.
     *
     * @param data           a folder with Multi30k-style files ({@code train.<lang>}, {@code val.<lang>},
     *                       {@code test_2016_flickr.<lang>} or {@code test.<lang>}), or null for the synthetic pair
     * @param sourceLanguage the source files' suffix, e.g. {@code en} (files only)
     * @param targetLanguage the target files' suffix, e.g. {@code de} (files only)
     * @param trainPairs     synthetic training pairs (unused with files)
     * @param testPairs      synthetic validation and test pairs, each (unused with files)
     * @param minFrequency   training-set count a word needs to get its own id; rarer words are {@code <unk>}
     * @param maxLength      training pairs with a side longer than this many tokens are left out
     * @param embedding      the width of both embeddings
     * @param reverseSource  whether the encoder reads each source sentence backwards
     * @param attention      whether the decoder attends to the encoder's outputs (Luong dot attention)
     * @param beam           hypotheses per sentence when translating for BLEU: 1 is greedy decoding
     */
    public record Config(RunSettings settings, Path data, String sourceLanguage, String targetLanguage,
                         int trainPairs, int testPairs, int minFrequency, int maxLength, int embedding,
                         boolean reverseSource, boolean attention, int beam) {

        public Config {
            RunSettings.positive("pairs", trainPairs);
            RunSettings.positive("test pairs", testPairs);
            RunSettings.positive("min frequency", minFrequency);
            RunSettings.positive("max length", maxLength);
            RunSettings.positive("embedding", embedding);
            RunSettings.positive("beam", beam);
        }

        /** {@code synthetic data} or {@code parallel text files}: what every output names the data as. */
        public String dataLabel() {
            return data == null ? "synthetic data" : "parallel text files";
        }

        /** The settings as {@code key: value} lines. */
        public String describe() {
            return "task: " + TASK + "\n" + settings.describe() + "\n" + String.join("\n",
                    "embedding: " + embedding,
                    "attention: " + (attention ? "Luong dot attention over the encoder's outputs" : "none"),
                    "source order: " + (reverseSource ? "reversed (Sutskever et al. 2014)" : "as written"),
                    "vocabulary: words seen >= " + minFrequency + " times in training, others <unk>",
                    "training pairs: at most " + maxLength + " tokens a side",
                    "decoding: " + (beam == 1 ? "greedy" : "beam search, " + beam + " hypotheses, length-normalized")
                            + "; score: corpus BLEU-4 on lower-cased tokens (not sacreBLEU)");
        }
    }

    /** What a run measured. */
    public record Result(Bleu.Score validation, Bleu.Score test, double lastLoss, int steps, double seconds,
                         Seq2SeqModel model, int trainSize, int testSize) {
    }

    /** The three splits and one line saying where they came from. */
    record Corpus(List<SentencePair> train, List<SentencePair> validation, List<SentencePair> test, String description) {
    }

    private TranslationTrainer() {
    }

    /** The splits of {@code c}: read from its folder, or generated (validation and test free of training sentences). */
    static Corpus corpus(Config c) {
        if (c.data() != null) {
            ParallelCorpus.Split s = ParallelCorpus.multi30k(c.data(), c.sourceLanguage(), c.targetLanguage());
            return new Corpus(s.train(), s.validation(), s.test(), s.description());
        }
        long seed = c.settings().seed();
        List<SentencePair> train = SyntheticParallelCorpus.generate(c.trainPairs(), seed);
        Set<List<String>> seen = new HashSet<>();
        train.forEach(p -> seen.add(p.source()));
        List<SentencePair> validation = unseen(SyntheticParallelCorpus.generate(4 * c.testPairs(), seed + 1_000_003L),
                seen, c.testPairs());
        List<SentencePair> test = unseen(SyntheticParallelCorpus.generate(4 * c.testPairs(), seed + 2_000_003L),
                seen, c.testPairs());
        return new Corpus(train, validation, test, SyntheticParallelCorpus.DESCRIPTION + "; " + train.size()
                + " training pairs, " + validation.size() + " validation and " + test.size()
                + " test pairs, none of whose source sentences is in training");
    }

    /** The first {@code n} pairs of {@code pairs} whose source is not in {@code seen} (each source once). */
    private static List<SentencePair> unseen(List<SentencePair> pairs, Set<List<String>> seen, int n) {
        Set<List<String>> taken = new HashSet<>(seen);
        List<SentencePair> out = new ArrayList<>();
        for (SentencePair p : pairs) {
            if (out.size() < n && taken.add(p.source())) {
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("the synthetic generator made no sentence unseen in training; "
                    + "use fewer --pairs");
        }
        return out;
    }

    /**
     * Runs {@code c}; {@code out} (may be null) gets config, metrics, spectra, weights, both
     * vocabularies (a word per line, line i = id i), translations, result.
     */
    public static Result run(Config c, Path out, Consumer<String> progress) {
        Consumer<String> log = progress == null ? s -> { } : progress;
        long start = System.nanoTime();
        if (out != null) {
            RunFolder.prepare(out);
        }
        RunSettings s = c.settings();
        Corpus corpus = corpus(c);
        List<SentencePair> train = corpus.train().stream()
                .filter(p -> p.source().size() <= c.maxLength() && p.target().size() <= c.maxLength()).toList();
        if (train.isEmpty() || corpus.validation().isEmpty() || corpus.test().isEmpty()) {
            throw new IllegalArgumentException("translation needs training, validation and test pairs; got "
                    + train.size() + " (of at most " + c.maxLength() + " tokens a side), " + corpus.validation().size()
                    + " and " + corpus.test().size());
        }
        TranslationVocabulary sourceWords = TranslationVocabulary.fit(train.stream().map(SentencePair::source).toList(),
                c.minFrequency());
        TranslationVocabulary targetWords = TranslationVocabulary.fit(train.stream().map(SentencePair::target).toList(),
                c.minFrequency());
        Seq2SeqModel model = Seq2SeqModel.build(s, sourceWords.size(), targetWords.size(), c.embedding(),
                c.attention(), SequenceModels.backend(s.device()));
        String settings = c.describe() + "\nmodel: " + model.describe() + " (" + model.parameterCount()
                + " parameters)\ninitializer: " + model.initDescription() + "\ndata: " + corpus.description()
                + String.format(Locale.ROOT, "%npairs: %d training (%d longer left out), %d validation, %d test (%s); "
                        + "vocabulary %d source, %d target words (with 4 special tokens)", train.size(),
                corpus.train().size() - train.size(), corpus.validation().size(), corpus.test().size(), c.dataLabel(),
                sourceWords.size(), targetWords.size());
        log.accept(settings);
        if (out != null) {
            RunFolder.startRun(out, settings + "\n");
        }
        Adam adam = new Adam(AdamOptions.of(s.lr()), model.parameterBuffers());
        SplittableRandom rnd = new SplittableRandom(s.seed() * 31 + 23);
        int stepsPerEpoch = (train.size() + s.batch() - 1) / s.batch();
        StringBuilder metrics = new StringBuilder("epoch,step,loss,validation_bleu,seconds\n");
        SpectrumTracker tracker = RunFolder.tracker(out, model.recurrentLayers(), stepsPerEpoch, 50);
        double lastLoss = Double.NaN;
        Bleu.Score validation = null;
        int step = 0;
        try {
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                double sum = 0;
                long words = 0;
                for (List<SentencePair> pairs : TranslationBatch.buckets(train, s.batch(), rnd)) {
                    if (tracker != null) {
                        tracker.onStep(step);
                    }
                    TranslationBatch b = TranslationBatch.of(pairs, sourceWords, targetWords, c.reverseSource());
                    adam.zeroGrad();
                    int scored = b.scoredRows().length;
                    sum += model.lossAndGradients(b) * scored;
                    words += scored;
                    if (s.clip() > 0) {
                        Tensor norm = GradientClipping.clipGlobalNormOnDevice(adam, s.clip());
                        Backend.of(norm).release(norm);   // never read, so nothing waits for the clip
                    }
                    adam.step();
                    step++;
                }
                lastLoss = sum / words;
                if (!Double.isFinite(lastLoss)) {
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d  loss %s — diverged, stopping", epoch,
                            s.epochs(), lastLoss));
                    break;
                }
                validation = score(model, corpus.validation(), sourceWords, targetWords, c.reverseSource(), c.beam()).bleu();
                double secs = (System.nanoTime() - start) / 1e9;
                metrics.append(String.format(Locale.ROOT, "%d,%d,%.6f,%.4f,%.2f%n", epoch, step, lastLoss,
                        validation.bleu(), secs));
                log.accept(String.format(Locale.ROOT, "epoch %d/%d  %s  loss %.4f per word  validation BLEU %.2f  (%.1f s)",
                        epoch, s.epochs(), RunFolder.bar(epoch, s.epochs()), lastLoss, validation.bleu(), secs));
            }
            if (validation == null) {
                validation = score(model, corpus.validation(), sourceWords, targetWords, c.reverseSource(), c.beam()).bleu();
            }
            Scored test = score(model, corpus.test(), sourceWords, targetWords, c.reverseSource(), c.beam());
            if (out != null) {
                RunFolder.write(out.resolve("metrics.csv"), metrics.toString());
                RunFolder.writeWeights(out, model.parameters(), Translator.metadata(c));
                RunFolder.write(out.resolve("translations.tsv"), translations(corpus.test(), test.hypotheses()));
                // the weights' rows and the head's outputs are these ids: without the words they are unusable
                RunFolder.write(out.resolve("source-vocabulary.txt"), String.join("\n", sourceWords.tokens()) + "\n");
                RunFolder.write(out.resolve("target-vocabulary.txt"), String.join("\n", targetWords.tokens()) + "\n");
                RunFolder.write(out.resolve("result.txt"), RunFolder.divergedNote(lastLoss)
                        + lines(c, validation, test.bleu()));
            }
            if (tracker != null) {
                tracker.snapshot(step);
                tracker.writePlots();
            }
            return new Result(validation, test.bleu(), lastLoss, step, (System.nanoTime() - start) / 1e9, model,
                    train.size(), corpus.test().size());
        } finally {
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    /** The result lines; the last is {@code test bleu: xx.xx}. */
    public static String lines(Config c, Bleu.Score validation, Bleu.Score test) {
        return String.format(Locale.ROOT, "validation bleu: %.2f%ntest (%s): %s%ntest bleu: %.2f%n", validation.bleu(),
                c.dataLabel(), test, test.bleu());
    }

    /** Translations of {@code pairs} (in their order) and their corpus BLEU against the targets. */
    record Scored(List<List<String>> hypotheses, Bleu.Score bleu) {
    }

    /**
     * Translations of {@code pairs} ({@code beam} hypotheses per sentence, 1 = greedy; see
     * {@link Translator#translate}), scored against their targets.
     */
    static Scored score(Seq2SeqModel model, List<SentencePair> pairs, TranslationVocabulary sourceWords,
                        TranslationVocabulary targetWords, boolean reverseSource, int beam) {
        List<List<String>> hypotheses = new Translator(model, sourceWords, targetWords, reverseSource)
                .translate(pairs.stream().map(SentencePair::source).toList(), beam);
        List<List<String>> references = pairs.stream().map(SentencePair::target).toList();
        return new Scored(hypotheses, Bleu.corpus(hypotheses, references));
    }

    /** One line per test pair: source, reference and the model's translation, tab-separated, with a header. */
    static String translations(List<SentencePair> pairs, List<List<String>> hypotheses) {
        StringBuilder sb = new StringBuilder("source\treference\ttranslation\n");
        for (int i = 0; i < pairs.size(); i++) {
            sb.append(String.join(" ", pairs.get(i).source())).append('\t')
                    .append(String.join(" ", pairs.get(i).target())).append('\t')
                    .append(String.join(" ", hypotheses.get(i))).append('\n');
        }
        return sb.toString();
    }
}

package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.TranslationTrainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The options {@code mnemo train --task translation} adds, as one picocli mixin of {@link TrainCommand}. */
final class TranslationOptions {

    private static final Pattern PAIR = Pattern.compile("([a-z]{2,3})-([a-z]{2,3})");

    @Option(names = "--pair", defaultValue = "en-de",
            description = "translation with --data: source and target language, the files' suffixes (default ${DEFAULT-VALUE})")
    String pair;

    @Option(names = "--pairs", defaultValue = "4000",
            description = "translation without --data: synthetic training pairs (default ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--test-pairs", defaultValue = "500",
            description = "translation without --data: synthetic validation and test pairs, each (default ${DEFAULT-VALUE})")
    int testPairs;

    @Option(names = "--min-frequency", defaultValue = "2",
            description = "translation: training count a word needs for its own id, rarer ones are <unk> (default ${DEFAULT-VALUE})")
    int minFrequency;

    @Option(names = "--max-length", defaultValue = "50",
            description = "translation: training pairs with a longer side (tokens) are left out (default ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--embedding", description = "translation: embedding width (default: --hidden)")
    Integer embedding;

    @Option(names = "--source-order", defaultValue = "reversed",
            description = "translation: reversed (the encoder reads each source backwards) | forward (default ${DEFAULT-VALUE})")
    String sourceOrder;

    @Option(names = "--attention", defaultValue = "dot",
            description = "translation: dot (the decoder attends to every encoder output, Luong et al. 2015) | none "
                    + "(only the encoder's final state) (default ${DEFAULT-VALUE})")
    String attention;

    @Option(names = "--beam", defaultValue = "1",
            description = "translation: hypotheses per sentence when translating for BLEU, 1 = greedy; 5 is usual in "
                    + "papers (default ${DEFAULT-VALUE})")
    int beam;

    /** The run's configuration: {@code data} a Multi30k-style folder or null (synthetic). */
    TranslationTrainer.Config config(RunSettings s, Path data) {
        Matcher m = PAIR.matcher(pair.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(1).equals(m.group(2))) {
            throw new IllegalArgumentException("--pair must be SRC-TGT, two different 2- or 3-letter language codes "
                    + "(the files' suffixes, e.g. en-de), got '" + pair + "'");
        }
        boolean reversed = switch (sourceOrder.trim().toLowerCase(Locale.ROOT)) {
            case "reversed" -> true;
            case "forward" -> false;
            default -> throw new IllegalArgumentException("--source-order must be reversed or forward, got '"
                    + sourceOrder + "'");
        };
        boolean attends = switch (attention.trim().toLowerCase(Locale.ROOT)) {
            case "dot" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("--attention must be dot or none, got '" + attention + "'");
        };
        if (embedding != null && embedding < 1) {
            throw new IllegalArgumentException("--embedding must be >= 1, got " + embedding);
        }
        return new TranslationTrainer.Config(s, data, m.group(1), m.group(2), pairs, testPairs, minFrequency, maxLength,
                embedding != null ? embedding : s.hidden(), reversed, attends, beam);
    }
}

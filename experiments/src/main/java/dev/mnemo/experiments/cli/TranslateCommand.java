package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.tasks.translation.TextLines;
import dev.mnemo.experiments.tasks.translation.TranslationTokenizer;
import dev.mnemo.experiments.train.Translator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mnemo translate}: a trained translation run's model on new sentences, one per line. */
@Command(name = "translate", mixinStandardHelpOptions = true, versionProvider = MnemoVersion.class, sortOptions = false,
        description = {"Translate sentences with the model of a 'mnemo train --task translation' run folder.",
                "Reads one sentence per line (--input, or standard input), tokenizes it as training did, and prints "
                        + "one translation per line, its tokens separated by spaces (an empty line for an empty one)."})
final class TranslateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--run", required = true, paramLabel = "DIR",
            description = "the run folder: weights.safetensors, source-vocabulary.txt, target-vocabulary.txt")
    Path run;

    @Option(names = "--input", paramLabel = "FILE", description = "sentences, one per line, UTF-8 (default: standard input)")
    Path input;

    @Option(names = "--beam", defaultValue = "1", description = "hypotheses per sentence, 1 = greedy (default ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--device", defaultValue = "auto", description = "cpu | cuda | cuda:N (CUDA device N) | auto (default ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() {
        if (beam < 1) {
            throw new IllegalArgumentException("--beam must be >= 1, got " + beam);
        }
        if (input != null && !Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input " + input + " is not a readable file");
        }
        Translator translator = Translator.load(run, device);
        List<List<String>> sources = lines().stream().map(TranslationTokenizer::tokenize).toList();
        PrintWriter o = spec.commandLine().getOut();
        for (List<String> words : translator.translate(sources, beam)) {
            o.println(String.join(" ", words));
        }
        o.flush();
        return 0;
    }

    /** The sentences, split as training split its corpus: a lone \r (readAllLines' line end) stays inside. */
    private List<String> lines() {
        try {
            byte[] bytes = input != null ? Files.readAllBytes(input) : System.in.readAllBytes();
            return TextLines.split(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + input + ": " + e.getMessage(), e);
        }
    }
}

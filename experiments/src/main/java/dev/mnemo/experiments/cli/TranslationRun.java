package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.TranslationTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code mnemo train --task translation}: the run folder, progress, and the result lines. */
final class TranslationRun {

    private TranslationRun() {
    }

    /** Runs the task; the last printed line is {@code test bleu: xx.xx}. */
    static int run(PrintWriter o, RunSettings s, TranslationOptions options, Path data, Path out) {
        TranslationTrainer.Config c = options.config(s, data);
        Path dir = out != null ? out : Path.of("runs", TranslationTrainer.TASK + "-" + s.cell() + "-" + s.init() + "-s"
                + s.seed());
        o.println("run folder: " + dir.toAbsolutePath().normalize());
        var r = TranslationTrainer.run(c, dir, line -> {
            o.println(line);
            o.flush();
        });
        o.print(RunFolder.divergedNote(r.lastLoss()) + TranslationTrainer.lines(c, r.validation(), r.test()));
        o.flush();
        return 0;
    }
}

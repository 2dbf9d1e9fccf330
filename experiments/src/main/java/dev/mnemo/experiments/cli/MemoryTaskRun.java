package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.BabiTrainer;
import dev.mnemo.experiments.train.RunFolder;
import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.experiments.train.SymbolicTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code mnemo train} on a memory task: the symbolic tasks and bAbI, with their run folder and result lines. */
final class MemoryTaskRun {

    private MemoryTaskRun() {
    }

    /** Whether {@code task} is one of these tasks. */
    static boolean isTask(String task) {
        return SymbolicTrainer.TASKS.contains(task) || BabiTrainer.isTask(task);
    }

    /** Runs {@code task}; the last printed line is {@code test accuracy: 0.xxxx}. */
    static int run(PrintWriter o, String task, RunSettings s, MemoryTaskOptions m, Path data, Path out) {
        Path dir = out != null ? out : Path.of("runs", task + "-" + s.cell() + "-" + s.init() + "-s" + s.seed());
        String result;
        if (SymbolicTrainer.TASKS.contains(task)) {
            int[] len = m.lengths(task);
            var c = new SymbolicTrainer.Config(task, s, m.alphabet(), len[0], len[1], m.trainSize, m.testSize);
            o.println("run folder: " + dir.toAbsolutePath().normalize());
            var r = SymbolicTrainer.run(c, dir, line -> print(o, line));
            result = RunFolder.divergedNote(r.lastLoss()) + SymbolicTrainer.lines(r.train(), r.test(), r.testUnseen());
        } else {
            var c = new BabiTrainer.Config(BabiTrainer.Config.taskNumber(task), s, m.stories, m.testStories, m.maxFacts,
                    data);
            o.println("run folder: " + dir.toAbsolutePath().normalize());
            var r = BabiTrainer.run(c, dir, line -> print(o, line));
            result = RunFolder.divergedNote(r.lastLoss()) + BabiTrainer.lines(c, r.trainAccuracy(), r.perTask(),
                    r.testAccuracy());
        }
        o.print(result);
        o.flush();
        return 0;
    }

    private static void print(PrintWriter o, String line) {
        o.println(line);
        o.flush();
    }
}

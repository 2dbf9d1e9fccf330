package dev.mnemo.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code mnemo} command line, as the CLI tests see it. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = MnemoCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** A user's mistake: non-zero exit, one line on stderr containing {@code expected}, no stack trace. */
    static void assertOneLineFailure(CliRun run, String expected) {
        assertNotEquals(0, run.exitCode(), run.out());
        String message = run.err().strip();
        assertTrue(message.contains(expected), message);
        assertEquals(1, message.lines().count(), "one line expected:\n" + message);
        assertFalse(message.contains("\tat ") || message.contains("Exception"), "no stack trace expected:\n" + message);
    }
}

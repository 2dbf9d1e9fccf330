package dev.mnemo.experiments.cli;

import static dev.mnemo.experiments.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mnemo --help} lists every command; each command's help documents every one of its options. */
class HelpTest {

    @Test
    void everyOptionOfEveryCommandIsDocumented() {
        CommandLine cli = MnemoCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        CliRun top = run("--help");
        assertEquals(0, top.exitCode());
        for (var e : cli.getSubcommands().entrySet()) {
            assertTrue(top.out().contains(e.getKey()), e.getKey());
            if (e.getKey().equals("help")) {
                continue;
            }
            // every command offers --version (the mixin): it printed an empty line below the top level
            CliRun version = run(e.getKey(), "--version");
            assertEquals(0, version.exitCode(), e.getKey());
            assertTrue(version.out().startsWith("mnemo "), e.getKey() + " --version: '" + version.out() + "'");
            CliRun help = run(e.getKey(), "--help");
            assertEquals(0, help.exitCode(), e.getKey());
            assertEquals("", help.err(), "picocli warnings in the help of " + e.getKey());
            for (var option : e.getValue().getCommandSpec().options()) {
                assertTrue(help.out().contains(option.longestName()), e.getKey() + " " + option.longestName());
                assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                        e.getKey() + " " + option.longestName() + " has no description");
            }
        }
    }
}

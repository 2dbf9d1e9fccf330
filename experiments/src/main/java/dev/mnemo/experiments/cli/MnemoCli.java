package dev.mnemo.experiments.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mnemo} command. Subcommands do the work; this class only wires them and turns every
 * failure into one line on stderr and a non-zero exit (a user should never see a stack trace for a
 * mistake of theirs). Set {@code MNEMO_DEBUG=1} to get the stack trace anyway.
 */
@Command(
        name = "mnemo",
        mixinStandardHelpOptions = true,
        versionProvider = MnemoVersion.class,
        description = "GPU-native recurrent networks for the JVM.",
        subcommands = {InfoCommand.class, TrainCommand.class, ReproduceCommand.class, SpectrumCommand.class, TranslateCommand.class,
                CommandLine.HelpCommand.class})
public final class MnemoCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // `mnemo` alone: show what it can do.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with Mnemo's error handling; tests call this to run commands in-process. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new MnemoCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, line, parseResult) -> {
            if (debug(System.getenv("MNEMO_DEBUG"))) {
                ex.printStackTrace(line.getErr());
            }
            String message = oneLine(ex);
            if (message.startsWith("the CUDA backend is unavailable")) {   // the library's advice names its Java API
                message = message.replace("use Device.CPU (Backend.cpu())", "run with --device cpu, or --device auto "
                        + "(CUDA when it is there, else the CPU)");
            }
            line.getErr().println("mnemo: " + message);
            return 1;
        });
        // a mistake on the command line: one line (and where to look), not the whole usage text
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine bad = ex.getCommandLine();
            String path = bad.getCommandSpec().qualifiedName(" ");
            bad.getErr().println(path + ": " + oneLine(ex) + " (see '" + path + " --help')");
            return bad.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    /** Whether MNEMO_DEBUG asks for stack traces: set, and not blank, 0, false or off. */
    static boolean debug(String value) {
        return value != null && !java.util.List.of("", "0", "false", "off", "no")
                .contains(value.strip().toLowerCase(java.util.Locale.ROOT));
    }

    private static String oneLine(Throwable ex) {
        String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName()
                : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code;
        try {
            code = commandLine(out, err).execute(args);
        } catch (OutOfMemoryError e) {   // an Error passes picocli's handler: it printed a JVM stack trace
            err.println("mnemo: out of memory (" + e.getMessage() + "): the sizes asked for (--hidden, --batch, "
                    + "--length, --beam, the data) need more than this JVM's " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB; choose smaller ones, or give Java more with MNEMO_JAVA_OPTS=-Xmx<size> (./mnemo)");
            code = 1;
        }
        System.exit(code);
    }
}

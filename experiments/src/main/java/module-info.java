/** The {@code mnemo} command line: environment report, training runs and the papers' experiments. */
module dev.mnemo.experiments {
    requires dev.mnemo.cuda;
    requires dev.mnemo.nn;
    requires info.picocli;

    opens dev.mnemo.experiments.cli to info.picocli;
}

/** The {@code mnemo} command line: environment report, training runs and the papers' experiments. */
module dev.mnemo.experiments {
    requires dev.mnemo.cuda;
    requires transitive dev.mnemo.nn;  // its public API takes and returns nn types (Tensor, layers)
    requires info.picocli;
    requires org.jfree.jfreechart;
    requires java.desktop;

    exports dev.mnemo.experiments.tasks;
    exports dev.mnemo.experiments.tasks.babi;
    exports dev.mnemo.experiments.tasks.symbolic;
    exports dev.mnemo.experiments.tasks.translation;
    exports dev.mnemo.experiments.train;

    opens dev.mnemo.experiments.cli to info.picocli;
}

/**
 * Mnemo layers: tensors, the backend interface with its CPU reference implementation, and the
 * recurrent layers ({@code Rnn}, {@code Lstm}, {@code Gru}) with explicit sequence-level backward,
 * losses, optimizers with learning-rate schedules, and safetensors weight files.
 */
module dev.mnemo.nn {
    exports dev.mnemo.nn;
    exports dev.mnemo.nn.layers;
    exports dev.mnemo.nn.loss;
    exports dev.mnemo.nn.optim;
    exports dev.mnemo.nn.optim.schedule;
    exports dev.mnemo.nn.io;
    exports dev.mnemo.nn.cuda;
    exports dev.mnemo.nn.linalg;
    exports dev.mnemo.nn.analysis;
    exports dev.mnemo.nn.init;
    requires transitive dev.mnemo.cuda;
    requires ejml.core;
    requires ejml.ddense;
    requires org.jfree.jfreechart;
    requires java.desktop;
}

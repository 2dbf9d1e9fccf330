package dev.mnemo.nn.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link Sgd}, named and defaulted as in PyTorch's {@code torch.optim.SGD}.
 *
 * @param lr          learning rate; ≥ 0, default 1e-3
 * @param momentum    momentum factor; ≥ 0, default 0 (plain SGD, no momentum buffer)
 * @param dampening   dampening of the gradient entering the momentum buffer; finite, default 0
 * @param weightDecay L2 penalty: {@code weightDecay·param} is added to the gradient; ≥ 0, default 0
 * @param nesterov    Nesterov momentum; needs momentum > 0 and dampening = 0; default false
 */
public record SgdOptions(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {

    /** Validates every option; messages give the rule, then the value. */
    public SgdOptions {
        OptionChecks.atLeastZero("lr", lr);
        OptionChecks.atLeastZero("momentum", momentum);
        OptionChecks.finite("dampening", dampening);
        OptionChecks.atLeastZero("weightDecay", weightDecay);
        if (nesterov && (momentum <= 0.0 || dampening != 0.0)) {
            throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
        if (dampening != 0.0 && momentum == 0.0) {
            BufferOptimizer.LOG.log(System.Logger.Level.WARNING, "dampening " + dampening
                    + " has no effect with momentum 0: it scales the gradient entering the momentum buffer");
        }
    }

    /** The defaults with learning rate {@code lr}. */
    public static SgdOptions of(double lr) {
        return builder().lr(lr).build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().lr(lr).momentum(momentum).dampening(dampening).weightDecay(weightDecay)
                .nesterov(nesterov);
    }

    /** {@code lr=0.1, momentum=0.9}: the non-default options, PyTorch's repr style. */
    String nonDefaults() {
        List<String> parts = new ArrayList<>();
        Builder d = builder();
        if (lr != d.lr) {
            parts.add("lr=" + lr);
        }
        if (momentum != d.momentum) {
            parts.add("momentum=" + momentum);
        }
        if (dampening != d.dampening) {
            parts.add("dampening=" + dampening);
        }
        if (weightDecay != d.weightDecay) {
            parts.add("weightDecay=" + weightDecay);
        }
        if (nesterov) {
            parts.add("nesterov=true");
        }
        return String.join(", ", parts);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private double lr = 1e-3;
        private double momentum;
        private double dampening;
        private double weightDecay;
        private boolean nesterov;

        private Builder() {
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public SgdOptions build() {
            return new SgdOptions(lr, momentum, dampening, weightDecay, nesterov);
        }
    }
}

package dev.mnemo.nn.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link RmsProp}, named and defaulted as in PyTorch's {@code torch.optim.RMSprop}.
 *
 * @param lr          learning rate; ≥ 0, default 1e-2
 * @param alpha       smoothing constant of the squared-gradient average; ≥ 0, default 0.99
 * @param eps         added to the denominator; > 0, default 1e-8
 * @param weightDecay L2 penalty: {@code weightDecay·param} is added to the gradient; ≥ 0, default 0
 * @param momentum    momentum factor; ≥ 0, default 0 (no momentum buffer)
 * @param centered    divide by an estimate of the gradient's variance ({@code E[g²] − E[g]²}) instead of
 *                    its raw second moment; default false
 */
public record RmsPropOptions(double lr, double alpha, double eps, double weightDecay, double momentum,
                             boolean centered) {

    /**
     * Validates every option; messages give the rule, then the value. <b>Differs from PyTorch</b>:
     * {@code eps} must be > 0.
     */
    public RmsPropOptions {
        OptionChecks.atLeastZero("lr", lr);
        OptionChecks.atLeastZero("alpha", alpha);
        OptionChecks.aboveZero("eps", eps);
        OptionChecks.atLeastZero("weightDecay", weightDecay);
        OptionChecks.atLeastZero("momentum", momentum);
    }

    /** The defaults with learning rate {@code lr}. */
    public static RmsPropOptions of(double lr) {
        return builder().lr(lr).build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().lr(lr).alpha(alpha).eps(eps).weightDecay(weightDecay).momentum(momentum)
                .centered(centered);
    }

    /** The non-default options, PyTorch's repr style. */
    String nonDefaults() {
        List<String> parts = new ArrayList<>();
        Builder d = builder();
        if (lr != d.lr) {
            parts.add("lr=" + lr);
        }
        if (alpha != d.alpha) {
            parts.add("alpha=" + alpha);
        }
        if (eps != d.eps) {
            parts.add("eps=" + eps);
        }
        if (weightDecay != d.weightDecay) {
            parts.add("weightDecay=" + weightDecay);
        }
        if (momentum != d.momentum) {
            parts.add("momentum=" + momentum);
        }
        if (centered) {
            parts.add("centered=true");
        }
        return String.join(", ", parts);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private double lr = 1e-2;
        private double alpha = 0.99;
        private double eps = 1e-8;
        private double weightDecay;
        private double momentum;
        private boolean centered;

        private Builder() {
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        public RmsPropOptions build() {
            return new RmsPropOptions(lr, alpha, eps, weightDecay, momentum, centered);
        }
    }
}

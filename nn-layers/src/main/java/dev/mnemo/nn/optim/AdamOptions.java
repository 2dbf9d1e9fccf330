package dev.mnemo.nn.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link Adam}, named and defaulted as in PyTorch's {@code torch.optim.Adam}; with
 * {@code decoupled} the optimizer is {@code torch.optim.AdamW}.
 *
 * @param lr          learning rate; ≥ 0, default 1e-3
 * @param beta1       decay of the running gradient average (PyTorch's {@code betas[0]}); in [0, 1),
 *                    default 0.9
 * @param beta2       decay of the running squared-gradient average ({@code betas[1]}); in [0, 1),
 *                    default 0.999
 * @param eps         added to the denominator; > 0, default 1e-8
 * @param weightDecay ≥ 0, default 0: Adam adds {@code weightDecay·param} to the gradient (L2); AdamW
 *                    multiplies the parameters by {@code 1 − lr·weightDecay} before the update
 * @param decoupled   AdamW's decoupled weight decay; default false. {@link #adamW()} starts from
 *                    PyTorch's AdamW defaults (decoupled, weightDecay 0.01)
 */
public record AdamOptions(double lr, double beta1, double beta2, double eps, double weightDecay,
                          boolean decoupled) {

    /**
     * Validates every option; messages give the rule, then the value. <b>Differs from PyTorch</b>:
     * {@code eps} must be > 0 (PyTorch accepts 0, which divides 0 by 0 wherever a gradient stays 0).
     */
    public AdamOptions {
        OptionChecks.atLeastZero("lr", lr);
        OptionChecks.unitInterval("beta1", beta1);
        OptionChecks.unitInterval("beta2", beta2);
        OptionChecks.aboveZero("eps", eps);
        OptionChecks.atLeastZero("weightDecay", weightDecay);
    }

    /** Adam's defaults with learning rate {@code lr}. */
    public static AdamOptions of(double lr) {
        return builder().lr(lr).build();
    }

    /** A builder holding Adam's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding AdamW's defaults: {@code decoupled} true, {@code weightDecay} 0.01. */
    public static Builder adamW() {
        return new Builder().decoupled(true).weightDecay(0.01);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().lr(lr).betas(beta1, beta2).eps(eps).weightDecay(weightDecay).decoupled(decoupled);
    }

    /** The non-default options (against Adam's defaults), PyTorch's repr style. */
    String nonDefaults() {
        List<String> parts = new ArrayList<>();
        Builder d = builder();
        if (lr != d.lr) {
            parts.add("lr=" + lr);
        }
        if (beta1 != d.beta1 || beta2 != d.beta2) {
            parts.add("betas=(" + beta1 + ", " + beta2 + ")");
        }
        if (eps != d.eps) {
            parts.add("eps=" + eps);
        }
        if (weightDecay != d.weightDecay) {
            parts.add("weightDecay=" + weightDecay);
        }
        if (decoupled) {
            parts.add("decoupled=true");
        }
        return String.join(", ", parts);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private double lr = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay;
        private boolean decoupled;

        private Builder() {
        }

        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** PyTorch's {@code betas=(beta1, beta2)}. */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
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

        public Builder decoupled(boolean decoupled) {
            this.decoupled = decoupled;
            return this;
        }

        public AdamOptions build() {
            return new AdamOptions(lr, beta1, beta2, eps, weightDecay, decoupled);
        }
    }
}

package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.GruKernels;
import dev.mnemo.cuda.kernels.LstmKernels;
import dev.mnemo.nn.BackendChecks;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;

/**
 * The CUDA backend's recurrent cells: the {@link dev.mnemo.nn.Backend} contract of
 * {@code rnnCellForward} … {@code gruCellBackward} on the per-step kernels (families rnn, lstm, gru
 * of {@code mnemo_kernels.h}), every argument checked first: by {@link BackendChecks}, as on the CPU, except
 * the recurrent product {@code rh}, which may come in partials here ({@link CudaRecurrentProduct}). The gates
 * may overwrite the input projection.
 */
final class CudaCells extends CudaOps {
    CudaCells(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** {@link dev.mnemo.nn.Backend#rnnCellForward}. */
    void rnnForward(Nonlinearity f, Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor h) {
        BackendChecks.rnnCellForward(wx, bih, bhh, h);
        int b = h.dim(0);
        int hs = h.dim(1);
        CudaRecurrentProduct.Partials parts = CudaRecurrentProduct.Partials.of("rh", rh, b, hs);
        DeviceMemory gx = mem("wx", wx);
        DeviceMemory gh = mem("rh", rh);
        DeviceMemory bi = memOrNull("bih", bih);
        DeviceMemory bh = memOrNull("bhh", bhh);
        DeviceMemory out = mem("h", h);
        if (f == Nonlinearity.TANH) {
            rt.rnn.pointwiseFwdTanh(gx, gh, bi, bh, out, hs, b, hs, parts.splits(), parts.stride());
        } else {
            rt.rnn.pointwiseFwdRelu(gx, gh, bi, bh, out, hs, b, hs, parts.splits(), parts.stride());
        }
    }

    /** {@link dev.mnemo.nn.Backend#rnnCellBackward}. */
    void rnnBackward(Nonlinearity f, Tensor h, Tensor dhOut, Tensor dh, Tensor dPre) {
        BackendChecks.rnnCellBackward(h, dhOut, dh, dPre);
        int b = h.dim(0);
        int hs = h.dim(1);
        DeviceMemory hm = mem("h", h);
        DeviceMemory dy = mem("dhOut", dhOut);
        DeviceMemory dhm = mem("dh", dh);
        DeviceMemory dp = mem("dPre", dPre);
        if (f == Nonlinearity.TANH) {
            rt.rnn.pointwiseBwdTanh(dy, hs, dhm, hm, hs, dp, b, hs);
        } else {
            rt.rnn.pointwiseBwdRelu(dy, hs, dhm, hm, hs, dp, b, hs);
        }
        rt.tensor.fill(dhm, dh.numel(), 0f);     // the contract: dh ← 0 (nothing bypasses W_hh)
    }

    /** {@link dev.mnemo.nn.Backend#lstmCellForward}. */
    void lstmForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor cPrev,
                                Tensor gates, Tensor c, Tensor h) {
        BackendChecks.lstmCellForward(wx, bih, bhh, cPrev, gates, c, h);
        int b = h.dim(0);
        int hs = h.dim(1);
        CudaRecurrentProduct.Partials parts = CudaRecurrentProduct.Partials.of("rh", rh, b, 4 * hs);
        DeviceMemory gx = mem("wx", wx);
        DeviceMemory gm = memOrNull("gates", gates);
        LstmKernels.FwdParams p = new LstmKernels.FwdParams(gx, mem("rh", rh), memOrNull("bih", bih),
                memOrNull("bhh", bhh), mem("cPrev", cPrev), mem("h", h), mem("c", c), gm, b, hs, hs, parts.splits(),
                parts.stride());
        if (gates == null) {
            rt.lstm.pointwiseFwdInfer(p);   // inference: the activated gates are not written
        } else {
            rt.lstm.pointwiseFwdTrain(p);
        }
    }

    /** {@link dev.mnemo.nn.Backend#lstmCellBackward}. */
    void lstmBackward(Tensor gates, Tensor cPrev, Tensor c, Tensor dhOut, Tensor dh, Tensor dc,
                                 Tensor dGates) {
        BackendChecks.lstmCellBackward(gates, cPrev, c, dhOut, dh, dc, dGates);
        int b = c.dim(0);
        int hs = c.dim(1);
        DeviceMemory dhm = mem("dh", dh);
        DeviceMemory dy = mem("dhOut", dhOut);
        DeviceMemory dcm = mem("dc", dc);
        DeviceMemory gm = mem("gates", gates);
        DeviceMemory cp = mem("cPrev", cPrev);
        DeviceMemory cm = mem("c", c);
        DeviceMemory dg = mem("dGates", dGates);
        rt.lstm.pointwiseBwd(dy, hs, dhm, dcm, gm, cp, cm, dg, b, hs);
        rt.tensor.fill(dhm, dh.numel(), 0f);     // the contract: dh ← 0 (nothing bypasses W_hh)
    }

    /** {@link dev.mnemo.nn.Backend#gruCellForward}. */
    void gruForward(Tensor wx, Tensor rh, Tensor bih, Tensor bhh, Tensor hPrev,
                               Tensor gates, Tensor hn, Tensor h) {
        boolean keeps = BackendChecks.gruCellForward(wx, bih, bhh, hPrev, gates, hn, h);
        int b = h.dim(0);
        int hs = h.dim(1);
        CudaRecurrentProduct.Partials parts = CudaRecurrentProduct.Partials.of("rh", rh, b, 3 * hs);
        DeviceMemory gx = mem("wx", wx);
        GruKernels.FwdParams p = new GruKernels.FwdParams(gx, mem("rh", rh), memOrNull("bih", bih),
                memOrNull("bhh", bhh), mem("hPrev", hPrev), mem("h", h), memOrNull("gates", gates),
                memOrNull("hn", hn), b, hs, hs, hs, parts.splits(), parts.stride());
        if (keeps) {
            rt.gru.pointwiseFwdTrain(p);
        } else {
            rt.gru.pointwiseFwdInfer(p);    // inference: neither the gates nor hn are written
        }
    }

    /** {@link dev.mnemo.nn.Backend#gruCellBackward}. */
    void gruBackward(Tensor gates, Tensor hn, Tensor hPrev, Tensor dhOut, Tensor dh,
                                Tensor dWx, Tensor dRh) {
        BackendChecks.gruCellBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh);
        int b = hn.dim(0);
        int hs = hn.dim(1);
        DeviceMemory dhm = mem("dh", dh);
        // dh carries ∂L/∂h_t in and dh ⊙ z out: the header lets dhPrevDirect alias dhRec.
        GruKernels.BwdParams p = new GruKernels.BwdParams(mem("dhOut", dhOut), dhm, mem("gates", gates),
                mem("hn", hn), mem("hPrev", hPrev), mem("dWx", dWx), mem("dRh", dRh), dhm, b, hs, hs, hs);
        rt.gru.pointwiseBwd(p);
    }
}

package dev.mnemo.jcuda;

import jcuda.driver.CUresult;

/** A JCuda driver call that returned an error code, with the call's and the code's names. */
public final class JCudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    JCudaException(String call, int code) {
        super(call + " failed: " + CUresult.stringFor(code) + " (" + code + ")");
        this.code = code;
    }

    /** The {@code CUresult}. */
    public int code() {
        return code;
    }

    /** Throws unless {@code code} is {@code CUDA_SUCCESS}. */
    static void check(int code, String call) {
        if (code != CUresult.CUDA_SUCCESS) {
            throw new JCudaException(call, code);
        }
    }
}

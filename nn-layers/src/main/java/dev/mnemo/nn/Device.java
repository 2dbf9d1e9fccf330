package dev.mnemo.nn;

/** Where a tensor's storage lives. */
public enum Device {
    /** Java heap memory, computed on by {@link CpuBackend}. */
    CPU("cpu"),
    /** GPU memory, computed on by {@link dev.mnemo.nn.cuda.CudaBackend}. */
    CUDA("cuda");

    private final String label;

    Device(String label) {
        this.label = label;
    }

    /** Lower-case name used in messages: {@code cpu}, {@code cuda}. */
    public String label() {
        return label;
    }
}

package dev.mnemo.nn;

/**
 * A flat run of elements that tensors view. Host storage ({@link Device#CPU}) is a Java array; a CUDA
 * backend adds its own implementation over device memory. Tensors never own more than a reference to
 * their storage: views share it.
 */
public interface Storage {

    /** Where the elements live. */
    Device device();

    /** Element type. */
    DType dtype();

    /** Number of elements. */
    long length();

    /**
     * How many tracked writes changed these elements so far (PyTorch's {@code _version}): a backward
     * compares it with the count its forward saw, so it refuses to mix new weights or inputs with the
     * old activations. Tracked: {@link Tensor}'s setters ({@code copyFrom}, {@code set},
     * {@code setFlat}, {@code fill}), {@link Backend#copy}, {@link Backend#fill}, {@link Backend#scale}
     * and every optimizer step; the other backend operations write outputs uncounted.
     */
    long version();

    /** Counts one tracked write (see {@link #version()}). */
    void recordWrite();

    /** Whether its memory was handed back ({@link Backend#release}); host storage never is. */
    default boolean released() {
        return false;
    }
}

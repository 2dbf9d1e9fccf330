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

    /** Whether its memory was handed back ({@link Backend#release}); host storage never is. */
    default boolean released() {
        return false;
    }
}

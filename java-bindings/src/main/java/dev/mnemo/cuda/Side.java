package dev.mnemo.cuda;

/** On which side a diagonal matrix multiplies ({@code cublasSideMode_t}), as the row-major caller sees it. */
public enum Side {
    /** {@code CUBLAS_SIDE_LEFT}: {@code diag(x)·A}. */
    LEFT(0),
    /** {@code CUBLAS_SIDE_RIGHT}: {@code A·diag(x)}. */
    RIGHT(1);

    private final int nativeValue;

    Side(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value. */
    public int nativeValue() {
        return nativeValue;
    }

    /** The other side: a row-major product is the column-major product of the transposes. */
    Side mirrored() {
        return this == LEFT ? RIGHT : LEFT;
    }
}

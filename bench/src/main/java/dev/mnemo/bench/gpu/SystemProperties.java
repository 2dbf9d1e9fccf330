package dev.mnemo.bench.gpu;

import java.util.function.Supplier;

/**
 * The benches time one operation under several settings in one run; each setting is a system property
 * read when the operation runs. These set one for a body and put back what was there before (or
 * nothing), so a bench leaves the JVM's settings as it found them, also when the body throws.
 */
final class SystemProperties {
    private SystemProperties() {
    }

    /** {@code body} with {@code property} set to {@code value}; the previous value restored after. */
    static <T> T with(String property, String value, Supplier<T> body) {
        String before = System.setProperty(property, value);
        try {
            return body.get();
        } finally {
            restore(property, before);
        }
    }

    /** Sets {@code property} back to {@code before}, or clears it when {@code before} is null (it was unset). */
    static void restore(String property, String before) {
        if (before == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, before);
        }
    }
}

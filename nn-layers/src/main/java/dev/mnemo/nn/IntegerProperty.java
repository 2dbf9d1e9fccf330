package dev.mnemo.nn;

/**
 * An integer system property read as every Mnemo knob is: unset or blank means the default, blanks around
 * the value are ignored, decimal only, and a value that is not an integer of the range is refused naming the
 * property. {@link Integer#getInteger} ignored such values silently (" 64" and "abc" meant the default) and
 * decoded "010" as 8.
 */
public final class IntegerProperty {
    private IntegerProperty() {
    }

    /**
     * The value of {@code property}, at least {@code min}; {@code unset} when it is unset or blank.
     *
     * @throws IllegalArgumentException "-DPROPERTY must be an integer >= MIN, got 'TEXT'"
     */
    public static int atLeast(String property, int min, int unset) {
        String text = System.getProperty(property);
        if (text == null || text.isBlank()) {
            return unset;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("-D" + property + " must be an integer >= " + min + ", got '" + text + "'");
    }
}

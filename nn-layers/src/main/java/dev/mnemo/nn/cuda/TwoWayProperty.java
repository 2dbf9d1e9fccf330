package dev.mnemo.nn.cuda;

import java.util.Locale;

/**
 * A system property with two values (on / off, caching / direct): read case-insensitively with blanks
 * ignored, unset or blank meaning the default, any other value refused by name.
 */
final class TwoWayProperty {
    private TwoWayProperty() {
    }

    /**
     * True for {@code yes}, false for {@code no}; else "PROPERTY must be YES or NO, got 'TEXT'". An on/off knob
     * also takes true/false, as {@code mnemo.cuda.graphs} does (its README neighbours took only on/off).
     */
    static boolean parse(String property, String yes, String no, String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        boolean onOff = yes.equals("on") && no.equals("off");
        if (value.equals(yes) || onOff && value.equals("true")) {
            return true;
        }
        if (value.equals(no) || onOff && value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException(property + " must be " + yes + " or " + no + ", got '" + text + "'");
    }

    /** {@link #parse} of the property's value, or {@code unset} when it is unset or blank. */
    static boolean read(String property, String yes, String no, boolean unset) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? unset : parse(property, yes, no, value);
    }
}

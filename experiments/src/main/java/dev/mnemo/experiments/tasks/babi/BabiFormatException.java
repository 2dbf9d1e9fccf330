package dev.mnemo.experiments.tasks.babi;

/** A line that is not in the bAbI v1.2 format; the message starts with {@code source:line:}. */
public final class BabiFormatException extends IllegalArgumentException {

    private final String source;
    private final int line;

    public BabiFormatException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
        this.source = source;
        this.line = line;
    }

    /** The file (or other source) name. */
    public String source() {
        return source;
    }

    /** The 1-based line number in the source. */
    public int line() {
        return line;
    }
}

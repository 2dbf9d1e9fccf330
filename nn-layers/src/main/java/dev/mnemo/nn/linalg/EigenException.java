package dev.mnemo.nn.linalg;

import java.util.List;

/**
 * No solver produced a spectrum that passes the checks of {@link EigenChecks}: Mnemo refuses to
 * return a possibly wrong one. {@link #notes()} lists every attempt and why it failed.
 */
public final class EigenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> notes;

    EigenException(String message, List<String> notes) {
        super(message);
        this.notes = List.copyOf(notes);
    }

    /** One line per attempt: the solver and the check it failed (or the exception it threw). */
    public List<String> notes() {
        return notes == null ? List.of() : notes;
    }
}

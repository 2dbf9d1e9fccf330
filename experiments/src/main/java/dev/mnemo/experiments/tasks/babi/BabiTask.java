package dev.mnemo.experiments.tasks.babi;

import java.util.Locale;

/** The bAbI task types {@link BabiGenerator} can generate, with their public numbers and file-name slugs. */
public enum BabiTask {
    /** qa1: "Where is Mary?" — one fact (her last move) answers it. */
    SINGLE_SUPPORTING_FACT(1, "single-supporting-fact"),
    /** qa2: "Where is the football?" — who took it (or where it was dropped) and where that person went. */
    TWO_SUPPORTING_FACTS(2, "two-supporting-facts"),
    /** qa6: "Is Mary in the kitchen?" — yes / no. */
    YES_NO_QUESTIONS(6, "yes-no-questions"),
    /** qa7: "How many objects is Mary carrying?" — none, one, two, three. */
    COUNTING(7, "counting");

    private final int number;
    private final String slug;

    BabiTask(int number, String slug) {
        this.number = number;
        this.slug = slug;
    }

    /** The public task number (qa1 → 1). */
    public int number() {
        return number;
    }

    /** The public file-name slug ({@code single-supporting-fact}). */
    public String slug() {
        return slug;
    }

    /**
     * The file name of generated data for a split: {@code qa1_single-supporting-fact_generated_train.txt}
     * ({@code generated} marks it as ours, not the public files; {@link BabiReader#taskNumber} still reads N).
     */
    public String generatedFileName(String split) {
        return "qa" + number + "_" + slug + "_generated_" + split + ".txt";
    }

    /** {@code qa1}, {@code 1} or the slug, any case; an error listing the valid names otherwise. */
    public static BabiTask parse(String name) {
        String s = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (BabiTask t : values()) {
            if (s.equals("qa" + t.number) || s.equals(String.valueOf(t.number)) || s.equals(t.slug)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown bAbI task '" + name + "'; generated tasks: qa1, qa2, qa6, qa7 "
                + "(with --data, the public files' qa1 … qa20)");
    }
}

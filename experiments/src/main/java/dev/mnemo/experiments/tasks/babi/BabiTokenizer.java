package dev.mnemo.experiments.tasks.babi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Words of a bAbI sentence: lower case, split at white space, and each punctuation mark
 * ({@code . , ? ! ; :}) its own token: {@code "Where is Mary?"} → {@code [where, is, mary, ?]}.
 * Letters, digits, apostrophes and hyphens stay inside words.
 */
public final class BabiTokenizer {

    private static final String PUNCTUATION = ".,?!;:";

    private BabiTokenizer() {
    }

    public static List<String> tokenize(String sentence) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        String s = sentence.toLowerCase(Locale.ROOT);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean punct = PUNCTUATION.indexOf(c) >= 0;
            if (Character.isWhitespace(c) || punct) {
                if (!word.isEmpty()) {
                    out.add(word.toString());
                    word.setLength(0);
                }
                if (punct) {
                    out.add(String.valueOf(c));
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            out.add(word.toString());
        }
        return out;
    }
}

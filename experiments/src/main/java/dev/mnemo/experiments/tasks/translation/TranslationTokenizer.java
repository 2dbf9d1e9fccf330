package dev.mnemo.experiments.tasks.translation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a line of Multi30k-style text into lower-case tokens; the same tokens are used for training and
 * for {@link Bleu}, so the BLEU reported is <b>tokenized, lower-cased BLEU</b> as multi-bleu.perl computes
 * it on such text, not sacreBLEU (which detokenizes and applies its own tokenizer, and is case-sensitive by
 * default); the two are not directly comparable.
 *
 * <p>The line is lower-cased with {@link Locale#ROOT}, then read left to right as:
 * <ul>
 *   <li>a word: letters ({@code \p{L}}, each optionally followed by combining marks), with internal
 *       apostrophes ({@code '} or {@code ’}) or hyphens joining letter runs: {@code don't}, {@code t-shirt};</li>
 *   <li>a number: digits ({@code \p{N}}) with internal {@code .} or {@code ,}: {@code 3.5}, {@code 1,000};</li>
 *   <li>any other character, alone: punctuation such as {@code .} {@code ,} {@code "} {@code (}.</li>
 * </ul>
 * Unicode white space (including no-break space) separates tokens; format characters (a byte order
 * mark, a soft hyphen, a zero-width space) and control characters other than white space are dropped
 * first, so they never split a word: {@code Ein\u00ADhorn} → {@code einhorn}.
 * {@code "A man's T-shirt costs 3.50$."} → {@code [a, man's, t-shirt, costs, 3.50, $, .]}.
 * A blank line gives no tokens.
 */
public final class TranslationTokenizer {

    private static final String LETTERS = "\\p{L}[\\p{L}\\p{M}]*";
    private static final Pattern TOKEN = Pattern.compile(
            LETTERS + "(?:['’-]" + LETTERS + ")*"
            + "|\\p{N}+(?:[.,]\\p{N}+)*"
            + "|[^\\s\\p{Cc}\\p{Cf}]", Pattern.UNICODE_CHARACTER_CLASS);
    /** Format characters and the control characters that are not white space: dropped before matching. */
    private static final Pattern DROPPED = Pattern.compile("[\\p{Cf}[\\p{Cc}&&[^\\s]]]", Pattern.UNICODE_CHARACTER_CLASS);

    private TranslationTokenizer() {
    }

    /** The tokens of {@code line} (see the class comment); an empty list for a blank line. */
    public static List<String> tokenize(String line) {
        Objects.requireNonNull(line, "line to tokenize must not be null");
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(DROPPED.matcher(line).replaceAll("").toLowerCase(Locale.ROOT));
        while (m.find()) {
            tokens.add(m.group());
        }
        return tokens;
    }
}

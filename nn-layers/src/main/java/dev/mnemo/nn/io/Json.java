package dev.mnemo.nn.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small, strict JSON (RFC 8259) reader and string writer that the safetensors header needs.
 *
 * <p>Values map to: object → {@code Map<String, Object>} (insertion order; a repeated key is an
 * error), array → {@code List<Object>}, string → {@code String}, number → {@code Long} when it is an
 * integer literal that fits, {@code BigInteger} when it is a larger integer literal, else
 * {@code Double}; {@code true}/{@code false} → {@code Boolean}; {@code null} → {@link #NULL}.
 * Rejected: anything after the value but whitespace, nesting deeper than {@value #MAX_DEPTH}, a number
 * literal longer than {@value #MAX_NUMBER_CHARS} characters, raw
 * control characters in strings, invalid escapes and lone surrogates, leading zeros, {@code NaN}.
 * Errors are {@link JsonException}s that say what was expected and at which character.
 */
final class Json {

    /** Longest number literal read; no safetensors field needs more than 20 digits. */
    static final int MAX_NUMBER_CHARS = 400;

    /** JSON {@code null} (a map cannot hold Java's null unambiguously). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_DEPTH = 64;

    /** A syntax error, with the character offset where it was found. */
    static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message);
        }
    }

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value that makes up the whole of {@code text} (whitespace around it allowed). */
    static Object parse(String text) throws JsonException {
        Json p = new Json(text);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("end of input after the value");
        }
        return v;
    }

    private Object value(int depth) throws JsonException {
        if (depth >= MAX_DEPTH) {
            throw error("at most " + MAX_DEPTH + " levels of nesting");
        }
        if (pos >= s.length()) {
            throw error("a value");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> object(int depth) throws JsonException {
        pos++;      // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("a string key");
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth + 1);
            if (map.putIfAbsent(key, v) != null) {
                pos = keyAt;
                throw error("no repeated key, got \"" + key + "\" a second time");
            }
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') {
                return Collections.unmodifiableMap(map);
            }
            if (c != ',') {
                pos--;
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws JsonException {
        pos++;      // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth + 1));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') {
                return Collections.unmodifiableList(list);
            }
            if (c != ',') {
                pos--;
                throw error("',' or ']'");
            }
        }
    }

    private String string() throws JsonException {
        pos++;      // '"'
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("a closing '\"'");
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("no raw control character in a string (escape it), got U+"
                        + String.format("%04X", (int) c));
            }
            if (Character.isSurrogate(c)) {
                // the text came from a strict UTF-8 decode, so a surrogate here is half of a valid pair
                sb.append(c);
                continue;
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) {
                throw error("an escape character");
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (!s.startsWith("\\u", pos)) {
                            throw error("a low surrogate escape after \\u" + String.format("%04X", (int) u));
                        }
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            pos -= 6;
                            throw error("a low surrogate escape after \\u" + String.format("%04X", (int) u));
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        pos -= 6;
                        throw error("no lone low surrogate escape");
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw error("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
            }
        }
    }

    private char hex4() throws JsonException {
        if (pos + 4 > s.length()) {
            throw error("four hex digits");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            char c = s.charAt(pos + i);   // ASCII only: Character.digit also takes other scripts' digits
            int d = c < 128 ? Character.digit(c, 16) : -1;
            if (d < 0) {
                throw error("four hex digits");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws JsonException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("no leading zero in a number");
            }
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("a digit");
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("a digit after '.'");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a digit in the exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (pos - start > MAX_NUMBER_CHARS) {
            // BigInteger's parse takes time quadratic in the digits: a 1.6 MB literal took 73 s
            pos = start;
            throw error("a number of at most " + MAX_NUMBER_CHARS + " characters");
        }
        String lit = s.substring(start, pos);
        if (!integer) {
            return Double.parseDouble(lit);
        }
        BigInteger big = new BigInteger(lit);
        if (big.signum() == 0 && lit.startsWith("-")) {
            return -0.0;   // as serde_json: -0 is a float, so no unsigned integer field takes it
        }
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private Object literal(String word, Object v) throws JsonException {
        if (!s.startsWith(word, pos)) {
            throw error("a value");
        }
        pos += word.length();
        return v;
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private JsonException error(String expected) {
        String found = pos >= s.length() ? "the end of the text"
                : "'" + (s.charAt(pos) < 0x20 ? String.format("\\u%04x", (int) s.charAt(pos)) : s.charAt(pos)) + "'";
        return new JsonException("expected " + expected + " at character " + pos + " (found " + found + ")");
    }

    // ---- writing ----

    /** {@code text} as a JSON string literal: quotes, backslashes and control characters escaped. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}

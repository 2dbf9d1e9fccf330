package dev.mnemo.nn.io;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() throws Json.JsonException {
        Object v = Json.parse(" {\"s\": \"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u0041\\ud83d\\ude00\", \"n\": [0, -12, 9223372036854775807,"
                + " 9223372036854775808, 1.5e3, -0.25], \"t\": true, \"f\": false, \"z\": null, \"o\": {}, \"a\": []} ");
        var m = (Map<?, ?>) v;
        assertEquals("a\"b\\c/\b\f\n\r\tA\uD83D\uDE00", m.get("s"));
        assertEquals(List.of(0L, -12L, Long.MAX_VALUE, new BigInteger("9223372036854775808"), 1500.0, -0.25), m.get("n"));
        assertEquals(true, m.get("t"));
        assertEquals(false, m.get("f"));
        assertSame(Json.NULL, m.get("z"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of(), m.get("a"));
        assertEquals(List.of("s", "n", "t", "f", "z", "o", "a"), List.copyOf(m.keySet()));
        // as serde_json: -0 is a float, so no unsigned integer field takes it
        assertEquals(List.of(-0.0, 0L), Json.parse("[-0, 0]"));
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        for (String bad : new String[]{"", "{", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "01", "-", "1.", "1e", "+1", "NaN",
                "tru", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u\u0660\u0660\u0664\u0661\"", "\"\\u00\uFF14\uFF41\"", "\"a\nb\"", "\"\\udc00\"", "\"\\ud800x\"", "{a:1}", "[1] [2]"}) {
            assertThrows(Json.JsonException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void limitsNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        var e = assertThrows(Json.JsonException.class, () -> Json.parse(deep));
        assertEquals("expected at most 64 levels of nesting at character 64 (found '[')", e.getMessage());
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertDoesNotThrow(ok);
    }

    @Test
    void refusesANumberTooLongToParseQuickly() {
        // a million digits took BigInteger's quadratic parse about a minute before the file was refused
        String digits = "9".repeat(1_000_000);
        var e = assertThrows(Json.JsonException.class, () -> Json.parse("[" + digits + "]"));
        assertEquals("expected a number of at most 400 characters at character 1 (found '9')", e.getMessage());
        assertThrows(Json.JsonException.class, () -> Json.parse("[0." + digits + "]"));
        String longest = "9".repeat(Json.MAX_NUMBER_CHARS);
        assertEquals(List.of(new BigInteger(longest)),
                org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> Json.parse("[" + longest + "]")));
    }

    static void assertDoesNotThrow(String text) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> Json.parse(text));
    }

    @Test
    void quoteRoundTrips() throws Json.JsonException {
        String s = "q\"b\\n\n\u0000\u001f é \uD83D\uDE00";
        assertEquals("\"q\\\"b\\\\n\\n\\u0000\\u001f é \uD83D\uDE00\"", Json.quote(s));
        assertEquals(s, Json.parse(Json.quote(s)));
    }
}

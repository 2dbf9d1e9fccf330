package dev.mnemo.nn.io;

import dev.mnemo.nn.DType;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Linear;
import dev.mnemo.nn.layers.LinearOptions;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @TempDir
    Path dir;

    /** A file laid out by hand: length prefix, header padded with spaces to 8, then the data bytes. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) 0x20);
        }
        return b.put(data).array();
    }

    static byte[] file(String header, int dataBytes) {
        return file(header, new byte[dataBytes]);
    }

    // ---- the spec, by hand ----

    @Test
    void readsAndWritesTheSpecByteForByte() throws IOException {
        // as written: float64 data first, so each tensor starts at a multiple of its element size
        String header = "{\"b\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putFloat(1.0f)
                .putFloat(-2.5f).array();
        byte[] bytes = file(header, data);
        assertEquals(0, (8 + (bytes.length - 16)) % 8, "header padded to a multiple of 8");

        var c = SafeTensors.read(bytes);
        assertEquals(List.of("b", "a"), List.copyOf(c.tensors().keySet()));
        Tensor a = c.tensors().get("a");
        assertEquals(DType.FLOAT32, a.dtype());
        assertArrayEquals(new int[]{2}, a.shape());
        assertArrayEquals(new float[]{1.0f, -2.5f}, a.toFloatArray());
        Tensor b = c.tensors().get("b");
        assertEquals(DType.FLOAT64, b.dtype());
        assertArrayEquals(new int[]{1, 1}, b.shape());
        assertEquals(0.1, b.get(0, 0));
        assertTrue(c.metadata().isEmpty());

        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[]{1.0f, -2.5f}, 2));
        m.put("b", Tensor.of(new double[]{0.1}, 1, 1));
        assertArrayEquals(bytes, SafeTensors.toBytes(m, Map.of()));
    }

    @Test
    void tensorsLongerThanOneReadChunkRoundTrip() throws IOException {
        // the reader fills each tensor 64 KiB at a time: several chunks, the last one partial, both types
        float[] f = new float[7 * 5_729];
        double[] d = new double[20_001];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) Math.sin(i) * i;
        }
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.cos(i) / (i + 1);
        }
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("f", Tensor.of(f, 7, 5_729));
        m.put("d", Tensor.of(d, 20_001));
        Path file = dir.resolve("long.safetensors");
        SafeTensors.write(file, m, Map.of());
        var back = SafeTensors.read(file);
        assertArrayEquals(f, back.tensors().get("f").toFloatArray());
        assertArrayEquals(new int[]{7, 5_729}, back.tensors().get("f").shape());
        assertArrayEquals(d, back.tensors().get("d").toDoubleArray());
    }

    @Test
    void headerOrderNeedNotBeOffsetOrderAndWhitespaceAndMetadataAreRead() throws IOException {
        String header = "{ \"b\" : {\"shape\": [1], \"dtype\": \"F32\", \"data_offsets\": [4, 8]},\n"
                + "  \"__metadata__\": {\"format\": \"pt\", \"note\": \"\\u00e9t\\u00e9 \\ud83d\\ude00\"},\n"
                + "  \"a\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4]} }";
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(7f).putFloat(9f).array();
        var c = SafeTensors.read(file(header, data));
        assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()));    // offset order
        assertEquals(0, c.tensors().get("a").rank());
        assertEquals(7.0, c.tensors().get("a").getFlat(0));
        assertEquals(9.0, c.tensors().get("b").getFlat(0));
        assertEquals(Map.of("format", "pt", "note", "été \uD83D\uDE00"), c.metadata());
    }

    @Test
    void emptyFileOfNoTensors() throws IOException {
        var c = SafeTensors.read(SafeTensors.toBytes(new LinkedHashMap<>(), Map.of()));
        assertTrue(c.tensors().isEmpty());
        byte[] bytes = SafeTensors.toBytes(new LinkedHashMap<>(), Map.of());
        assertEquals(16, bytes.length);         // "{}" padded to 8
        assertEquals("{}      ", new String(bytes, 8, 8, StandardCharsets.UTF_8));
    }

    // ---- round trips through layers ----

    /**
     * The same call writes the same bytes: unordered metadata (Map.of, whose order changes from JVM to JVM) is
     * written sorted by key; ordered metadata in its order.
     */
    @Test
    void metadataOrderIsTheMapsOrElseSorted() throws IOException {
        var t = new LinkedHashMap<String, Tensor>();
        t.put("w", Tensor.zeros(2));
        Path f = dir.resolve("m.safetensors");
        var unordered = new java.util.HashMap<String, String>();
        for (String k : new String[] {"task", "cell", "init", "zeta", "alpha"}) {
            unordered.put(k, k.toUpperCase(java.util.Locale.ROOT));
        }
        SafeTensors.write(f, t, unordered);
        String header = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("{\"alpha\":\"ALPHA\",\"cell\":\"CELL\",\"init\":\"INIT\",\"task\":\"TASK\","
                + "\"zeta\":\"ZETA\"}"), header);
        var ordered = new LinkedHashMap<String, String>();
        ordered.put("zeta", "1");
        ordered.put("alpha", "2");
        SafeTensors.write(f, t, ordered);
        header = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("{\"zeta\":\"1\",\"alpha\":\"2\"}"), header);
    }

    @Test
    void lstmRoundTripThroughAFile() throws IOException {
        var options = RecurrentOptions.builder(4, 5).numLayers(2).bidirectional(true).seed(11).build();
        Lstm saved = new Lstm(options);
        Path f = dir.resolve("lstm.safetensors");
        SafeTensors.write(f, saved.parameters(), Map.of("format", "pt", "model", "Lstm(4, 5)"));
        SafeTensors.write(f, saved.parameters(), Map.of("format", "pt", "model", "Lstm(4, 5)"));   // replaces
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }

        var c = SafeTensors.read(f);
        assertEquals(List.copyOf(saved.parameters().keySet()), List.copyOf(c.tensors().keySet()));
        assertEquals("Lstm(4, 5)", c.metadata().get("model"));
        assertArrayEquals(new int[]{20, 10}, c.tensors().get("weight_ih_l1_reverse").shape());

        Lstm loaded = new Lstm(options.toBuilder().seed(12).build());
        SafeTensors.load(f, loaded.parameters());
        assertArrayEquals(saved.flatParameters().toFloatArray(), loaded.flatParameters().toFloatArray());
    }

    @Test
    void wholeModelUnderPrefixesAndFloat64Conversion() throws IOException {
        Lstm lstm = new Lstm(RecurrentOptions.builder(3, 4).seed(1).build());
        Linear head = new Linear(LinearOptions.builder(4, 2).seed(2).build());
        SequencedMap<String, Tensor> model = new LinkedHashMap<>(SafeTensors.withPrefix("lstm.", lstm.parameters()));
        model.putAll(SafeTensors.withPrefix("head.", head.parameters()));
        // as a float64 file (a PyTorch model saved in double)
        SequencedMap<String, Tensor> asDouble = new LinkedHashMap<>();
        model.forEach((k, v) -> asDouble.put(k, Tensor.of(v.toDoubleArray(), v.shape())));
        var c = SafeTensors.read(SafeTensors.toBytes(asDouble, Map.of()));
        assertEquals(DType.FLOAT64, c.tensors().get("head.weight").dtype());
        assertEquals(List.of("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                "head.weight", "head.bias"), List.copyOf(c.tensors().keySet()));

        Lstm lstm2 = new Lstm(RecurrentOptions.builder(3, 4).seed(5).build());
        Linear head2 = new Linear(LinearOptions.builder(4, 2).seed(6).build());
        SequencedMap<String, Tensor> target = new LinkedHashMap<>(SafeTensors.withPrefix("lstm.", lstm2.parameters()));
        target.putAll(SafeTensors.withPrefix("head.", head2.parameters()));
        SafeTensors.loadInto(target, c.tensors(), true);
        assertArrayEquals(lstm.flatParameters().toFloatArray(), lstm2.flatParameters().toFloatArray());
        assertArrayEquals(head.flatParameters().toFloatArray(), head2.flatParameters().toFloatArray());
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapesAndCopiesNothing() {
        Lstm four = new Lstm(RecurrentOptions.builder(4, 5).build());
        Lstm three = new Lstm(RecurrentOptions.builder(3, 5).seed(9).build());
        float[] before = three.flatParameters().toFloatArray();
        var e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.loadInto(three.parameters(), four.parameters(), true));
        assertEquals("cannot load 4 tensors into 4 (nothing was copied): weight_ih_l0: shape [20, 4] in the source, "
                + "[20, 3] in the target", e.getMessage());
        assertArrayEquals(before, three.flatParameters().toFloatArray());
    }

    @Test
    void missingAndUnexpectedNamesAreListed() {
        Lstm withBias = new Lstm(RecurrentOptions.builder(2, 3).build());
        Lstm noBias = new Lstm(RecurrentOptions.builder(2, 3).bias(false).seed(4).build());
        var e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.loadInto(noBias.parameters(), withBias.parameters(), true));
        assertEquals("cannot load 4 tensors into 2 (nothing was copied): unexpected [bias_hh_l0, bias_ih_l0]",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.loadInto(withBias.parameters(), noBias.parameters(), true));
        assertEquals("cannot load 2 tensors into 4 (nothing was copied): missing [bias_ih_l0, bias_hh_l0]",
                e.getMessage());
        var r = SafeTensors.loadInto(noBias.parameters(), withBias.parameters(), false);
        assertEquals(List.of("bias_hh_l0", "bias_ih_l0"), r.unexpected());
        assertEquals(List.of(), r.missing());
        assertArrayEquals(withBias.parameters().get("weight_hh_l0").toFloatArray(),
                noBias.parameters().get("weight_hh_l0").toFloatArray());
    }

    @Test
    void badNamesAreRejectedOnWrite() {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("__metadata__", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(m, Map.of()));
        assertEquals("tensor name must be non-empty and not __metadata__, got \"__metadata__\"", e.getMessage());
        SequencedMap<String, Tensor> lone = new LinkedHashMap<>();
        lone.put("x\uD800", Tensor.zeros(1));
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(lone, Map.of()));
        assertTrue(e.getMessage().startsWith("tensor name must be valid Unicode"), e.getMessage());
    }

    @Test
    void namesWithQuotesAndControlCharactersRoundTrip() throws IOException {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("a\"b\\c\nd\u0001é", Tensor.of(new float[]{3}, 1));
        var c = SafeTensors.read(SafeTensors.toBytes(m, Map.of("k\"", "v\t")));
        assertEquals(List.copyOf(m.keySet()), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("k\"", "v\t"), c.metadata());
    }

    /** Readers that map the file in place need each tensor at a multiple of its element size. */
    @Test
    void float64DataComesFirstSoEveryTensorIsAligned() throws IOException {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("bias", Tensor.of(new float[]{1, 2, 3}, 3));
        m.put("weight", Tensor.of(new double[]{4, 5}, 2));
        m.put("scale", Tensor.of(new float[]{6}, 1));
        byte[] bytes = SafeTensors.toBytes(m, Map.of());
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        var c = SafeTensors.read(bytes);
        assertEquals(List.of("weight", "bias", "scale"), List.copyOf(c.tensors().keySet()), "offset order");
        String header = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"weight\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}"), header);
        assertEquals(0, (8 + headerLength) % 8);
        assertArrayEquals(new double[]{4, 5}, c.tensors().get("weight").toDoubleArray());
    }

    /** As the reference: a tensor's other fields are ignored, and a null __metadata__ is none. */
    @Test
    void unknownTensorFieldsAndNullMetadataAreRead() throws IOException {
        var c = SafeTensors.read(file("{\"__metadata__\":null,\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[0,8],\"offset\":3}}", 8));
        assertEquals(List.of("a"), List.copyOf(c.tensors().keySet()));
        assertTrue(c.metadata().isEmpty());
    }

    /** The bits go out as stored: a trip through double would quiet a signalling NaN. */
    @Test
    void float32BitsAreWrittenAsStored() throws IOException {
        float signalling = Float.intBitsToFloat(0x7f800001);
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(new float[]{signalling, -0.0f}, 2));
        Tensor back = SafeTensors.read(SafeTensors.toBytes(m, Map.of())).tensors().get("x");
        assertEquals(0x7f800001, Float.floatToRawIntBits(back.toFloatArray()[0]));
        assertEquals(0x80000000, Float.floatToRawIntBits(back.toFloatArray()[1]));
    }

    @Test
    void aHeaderAboveTheReadersLimitIsNotWritten() {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.toBytes(m, Map.of("big", "a".repeat((int) SafeTensors.MAX_HEADER_BYTES))));
        assertTrue(e.getMessage().contains("more than the 100000000 a reader accepts"), e.getMessage());
    }

    /** Written through a temporary file, the result keeps the replaced file's permissions, not owner-only. */
    @Test
    void aRewrittenFileKeepsItsPermissionsAndALinkItsTarget(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        java.nio.file.Path file = dir.resolve("w.safetensors");
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(new float[]{1}, 1));
        SafeTensors.write(file, m);
        var readable = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        java.nio.file.Files.setPosixFilePermissions(file, readable);
        SafeTensors.write(file, m);
        assertEquals(readable, java.nio.file.Files.getPosixFilePermissions(file));
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link.safetensors"), file);
        m.put("x", Tensor.of(new float[]{2}, 1));
        SafeTensors.write(link, m);
        assertTrue(java.nio.file.Files.isSymbolicLink(link), "the link stays a link");
        assertEquals(2f, SafeTensors.read(file).tensors().get("x").toFloatArray()[0]);
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(2, left.count(), "no temporary file left behind");
        }
    }

    // ---- malformed files: each a clear IOException ----

    static final String A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}|8|tensor a: dtype BF16 is not supported (only F32 and F64)
            {"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}|8|tensor a: dtype F33 is not a safetensors dtype
            {"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}|8|tensor a: shape must be an array of integers >= 0 (below 2^63), got -2 at index 0
            {"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}|8|tensor a: shape must be an array of integers >= 0 (below 2^63), got 1.5 at index 0
            {"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}|8|tensor a: shape must be an array of integers >= 0, got 2
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}|8|tensor a: data_offsets must be [begin, end], got 1 numbers
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}|8|tensor a: data_offsets [8, 0] end before they begin
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}|4|tensor a: data_offsets [0, 4] span 4 bytes, but shape [2] of F32 needs 8
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}|4|tensor a: data_offsets [0, 8) exceed the 4 data bytes after the header
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}|12|the tensors end at data byte 8 but the file has 12 data bytes after the header
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}|12|tensor b (bytes [4, 12)) overlaps tensor a (bytes [0, 8))
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}|20|data bytes [8, 12) belong to no tensor (before b): tensors must be packed without gaps
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}|8|the header is not valid JSON: expected no repeated key, got "a" a second time at character 54 (found '"')
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[-0,8]}}|8|tensor a: data_offsets must be an array of integers >= 0 (below 2^63), got -0.0 at index 0
            {"a":{"shape":[2],"data_offsets":[0,8]}}|8|tensor a: dtype must be a string, got null
            {"a":[1,2]}|8|tensor a must be an object with dtype, shape and data_offsets, got an array
            {"__metadata__":{"k":1}}|0|__metadata__.k must be a string, got 1
            {"__metadata__":[]}|0|__metadata__ must be an object of strings, got an array
            {"a":|0|the header is not valid JSON: expected a value at character 8 (found the end of the text)
            {"a":{}} x|0|the header is not valid JSON: expected end of input after the value at character 9 (found 'x')
            ["a"]|0|the header must be a JSON object starting with '{', it starts with byte 0x5b
            """)
    void malformedHeadersAreRejected(String header, int dataBytes, String problem) {
        assertRejected(header, dataBytes, problem);
    }

    @Test
    void aLongValueIsCutInTheMessage() {
        String digits = "1234567890".repeat(30);
        assertRejected("{\"__metadata__\":{\"k\":" + digits + "}}", 0,
                "__metadata__.k must be a string, got " + digits.substring(0, 60) + "… (300 characters)");
        String letters = "ab".repeat(500);
        assertRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"" + letters + "\"],\"data_offsets\":[0,8]}}", 8,
                "tensor a: shape must be an array of integers >= 0 (below 2^63), got \"" + letters.substring(0, 60)
                        + "… (1000 characters)\" at index 0");
    }

    private static void assertRejected(String header, int dataBytes, String problem) {
        var e = assertThrows(IOException.class, () -> SafeTensors.read(file(header, dataBytes)));
        assertEquals("not a valid safetensors file (the bytes): " + problem, e.getMessage());
    }

    @Test
    void malformedFramesAreRejected() {
        var e = assertThrows(IOException.class, () -> SafeTensors.read(new byte[5]));
        assertEquals("not a valid safetensors file (the bytes): it has 5 bytes, fewer than the 8 of the header length",
                e.getMessage());
        byte[] tooLong = file("{" + A8 + "}", 8);
        ByteBuffer.wrap(tooLong).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        e = assertThrows(IOException.class, () -> SafeTensors.read(tooLong));
        assertEquals("not a valid safetensors file (the bytes): the header length 1000 exceeds the " + (tooLong.length - 8)
                + " bytes after the length", e.getMessage());
        byte[] huge = file("{}", 0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        e = assertThrows(IOException.class, () -> SafeTensors.read(huge));
        assertTrue(e.getMessage().contains("the header length 18446744073709551615 exceeds"), e.getMessage());
        byte[] empty = new byte[8];
        e = assertThrows(IOException.class, () -> SafeTensors.read(empty));
        assertEquals("not a valid safetensors file (the bytes): the header must be a JSON object starting with '{', "
                + "it is empty", e.getMessage());
        byte[] notUtf8 = file("{\"\u00ff\":1}", 0);
        notUtf8[10] = (byte) 0xff;      // a lone continuation-less lead byte inside the string
        e = assertThrows(IOException.class, () -> SafeTensors.read(notUtf8));
        assertTrue(e.getMessage().startsWith("not a valid safetensors file (the bytes): the header is not valid UTF-8"),
                e.getMessage());
    }

    @Test
    void truncatedFileOnDiskNamesTheFile() throws IOException {
        Path f = dir.resolve("cut.safetensors");
        byte[] bytes = file("{" + A8 + "}", 8);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        var e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertEquals("not a valid safetensors file (" + f + "): tensor a: data_offsets [0, 8) exceed the 5 data bytes "
                + "after the header", e.getMessage());
    }
}

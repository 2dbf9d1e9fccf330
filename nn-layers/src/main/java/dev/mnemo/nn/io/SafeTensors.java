package dev.mnemo.nn.io;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, so
 * weights move between Mnemo and PyTorch ({@code safetensors.torch.save_file(model.state_dict(), …)}
 * and {@code load_file}) under PyTorch's state_dict names ({@code weight_ih_l0}, …).
 *
 * <h2>The format</h2>
 * <pre>
 *   [8 bytes]  N, unsigned 64-bit little-endian: the length of the header
 *   [N bytes]  the header: a UTF-8 JSON object
 *                {"__metadata__": {"key": "value", …},                       (optional, strings only)
 *                 "name": {"dtype": "F32", "shape": [4, 3], "data_offsets": [begin, end]}, …}
 *              padded with spaces (0x20) so that 8 + N is a multiple of 8
 *   [rest]     the data: each tensor's elements row-major, little-endian, at bytes [begin, end)
 *              counted from the first byte after the header
 * </pre>
 * This class writes the header compactly with {@code __metadata__} first, then the tensors, their
 * data back to back in the header's order: float64 tensors first, then float32, each in the order
 * given, so every tensor's data starts at a multiple of its element size (8 + N is a multiple of 8),
 * which readers that map the file in place need.
 * It reads dtypes {@code F32} and {@code F64} (Mnemo's {@link DType}s). Like the reference
 * implementation it rejects, with an {@link IOException} that names the problem: a file shorter than
 * 8 bytes, a header length beyond the file or above {@value #MAX_HEADER_BYTES} bytes, a header that is
 * not UTF-8 or not a JSON object (or does not start with '{'), a tensor entry without exactly
 * {@code dtype}, {@code shape} and {@code data_offsets} (other fields are ignored, and a
 * {@code __metadata__} of {@code null} is none, as the reference does), negative or non-integer sizes, a byte range
 * whose length is not {@code numel · dtype size}, ranges that overlap, leave gaps, or do not end
 * exactly at the end of the file, and an unsupported dtype.
 *
 * <h2>Loading into a layer</h2>
 * {@link #loadInto} copies a name → tensor map (from {@link #read}) into a layer's {@code parameters()}
 * (views into its flat buffer), after checking every name and shape: PyTorch's
 * {@code load_state_dict(strict)}. Elements are converted to the layer's element type.
 *
 * <p><b>Differs from the reference writer</b>: it sorts tensors by alignment, then name; this one
 * keeps the caller's (state_dict) order within an alignment. Both are valid, aligned files.
 */
public final class SafeTensors {

    /** The reference implementation's limit on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";
    /** Largest element count of a CPU tensor ({@link Tensor#zeros}). */
    private static final long MAX_NUMEL = Integer.MAX_VALUE - 8;
    /** Bytes converted per chunk while reading or writing tensor data. */
    private static final int CHUNK_BYTES = 1 << 16;
    /** Every dtype of the format, to tell "unsupported" from "unknown". */
    private static final Set<String> FORMAT_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16",
            "I32", "U32", "F32", "F64", "I64", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3",
            "F6_E3M2", "C64");

    private SafeTensors() {
    }

    /**
     * What a file holds.
     *
     * @param tensors  float32 or float64 CPU tensors by name, in the file's offset order
     * @param metadata the {@code __metadata__} map; empty when absent
     */
    public record Contents(SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * What {@link #loadInto} with {@code strict} false skipped (PyTorch's {@code _IncompatibleKeys}).
     *
     * @param missing    names of the target that the source does not have (left unchanged)
     * @param unexpected names of the source that the target does not have (ignored)
     */
    public record LoadResult(List<String> missing, List<String> unexpected) {
        public LoadResult {
            missing = List.copyOf(missing);
            unexpected = List.copyOf(unexpected);
        }
    }

    // ---- writing ----

    /** Writes {@code tensors} without metadata; see {@link #write(Path, SequencedMap, Map)}. */
    public static void write(Path file, SequencedMap<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (a layer's {@code parameters()}, say) to {@code file}, replacing it. The
     * bytes go to a temporary file in the same directory first, which is then moved over
     * {@code file}, so a failed write leaves no half-written file under that name.
     *
     * @param tensors  by name: names non-empty, not {@code __metadata__}; float32 or float64 tensors
     *                 on any device (copied to the host)
     * @param metadata the {@code __metadata__} strings; empty for none. Written in its order when it has one
     *                 (a {@link SequencedMap}), else sorted by key, so the same call writes the same bytes
     * @throws IllegalArgumentException on a bad name or metadata entry
     */
    public static void write(Path file, SequencedMap<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        SequencedMap<String, Tensor> ordered = aligned(tensors);
        byte[] header = header(ordered, metadata);
        // A link is written through, to the file it names; the new file gets the old one's permissions, else
        // the umask's (createTempFile's would be owner-only)
        Path target = Files.isSymbolicLink(file) && Files.exists(file) ? file.toRealPath() : file;
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(target.getFileName() + "." + Long.toUnsignedString(System.nanoTime(), 36) + ".tmp");
        Files.createFile(tmp);
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), CHUNK_BYTES)) {
                writeTo(out, header, ordered);
            }
            // after the bytes: a read-only file's permissions, set first, refused the write into the temp file
            if (Files.exists(target) && Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The bytes of a safetensors file holding {@code tensors} and {@code metadata} (at most 2 GiB). */
    public static byte[] toBytes(SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
        SequencedMap<String, Tensor> ordered = aligned(tensors);
        byte[] header = header(ordered, metadata);
        var out = new ByteArrayOutputStream();
        try {
            writeTo(out, header, ordered);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);      // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    /** {@code tensors}, float64 ones first (8-byte elements, then 4), each group in the order given. */
    private static SequencedMap<String, Tensor> aligned(SequencedMap<String, Tensor> tensors) {
        Objects.requireNonNull(tensors, "tensors");
        SequencedMap<String, Tensor> out = new LinkedHashMap<>();
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            tensors.forEach((name, t) -> {
                if (t == null || t.dtype() == dtype) {
                    out.put(name, t);
                }
            });
        }
        return out;
    }

    /** The length prefix and the padded header. */
    private static byte[] header(SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(Json.quote(METADATA)).append(":{");
            boolean first = true;
            // an unordered map (Map.of) iterates in an order that changes from JVM to JVM: sorted, the same run
            // writes the same bytes (the trainers' weights files differed between identical runs)
            Map<String, String> ordered = metadata;
            if (!(metadata instanceof java.util.SequencedMap<String, String>)) {
                ordered = new java.util.TreeMap<>(java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
                ordered.putAll(metadata);
            }
            for (var e : ordered.entrySet()) {
                requireText("metadata key", e.getKey());
                requireText("metadata value of " + e.getKey(), e.getValue());
                json.append(first ? "" : ",").append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                first = false;
            }
            json.append('}');
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            requireText("tensor name", name);
            if (name.isEmpty() || name.equals(METADATA)) {
                throw new IllegalArgumentException("tensor name must be non-empty and not " + METADATA + ", got \""
                        + name + "\"");
            }
            Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name + " is null");
            long bytes = t.numel() * t.dtype().byteSize();
            json.append(json.length() > 1 ? "," : "").append(Json.quote(name)).append(":{\"dtype\":\"")
                    .append(code(t.dtype())).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int d = 0; d < shape.length; d++) {
                json.append(d == 0 ? "" : ",").append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) & ~7;        // 8 + N a multiple of 8, as the reference pads
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would take " + padded + " bytes, more than the "
                    + MAX_HEADER_BYTES + " a reader accepts (the reference's limit): fewer tensors or less metadata");
        }
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(text);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return b.array();
    }

    private static void writeTo(OutputStream out, byte[] header, SequencedMap<String, Tensor> tensors)
            throws IOException {
        out.write(header);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : tensors.values()) {
            Tensor h = t.to(Device.CPU);
            boolean f64 = h.dtype() == DType.FLOAT64;
            float[] floats = f64 ? null : h.toFloatArray();   // the stored bits, NaN payloads included
            for (long i = 0; i < h.numel(); i++) {
                if (chunk.remaining() < 8) {
                    out.write(chunk.array(), 0, chunk.position());
                    chunk.clear();
                }
                if (f64) {
                    chunk.putDouble(h.getFlat(i));
                } else {
                    chunk.putFloat(floats[(int) i]);
                }
            }
        }
        out.write(chunk.array(), 0, chunk.position());
    }

    private static void requireText(String what, String s) {
        Objects.requireNonNull(s, () -> what + " is null");
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " must be valid Unicode (no lone surrogate), got \"" + s + "\"");
        }
    }

    private static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
        };
    }

    // ---- reading ----

    /** Random-access bytes: a file or an array. */
    private interface Source {
        long size();

        /** Fills {@code dst} from byte {@code position} on; the range is known to be in the source. */
        void read(long position, ByteBuffer dst) throws IOException;
    }

    /** Reads a safetensors file into float32 / float64 CPU tensors. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            return read(new Source() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public void read(long position, ByteBuffer dst) throws IOException {
                    while (dst.hasRemaining()) {
                        int n = ch.read(dst, position);
                        if (n < 0) {
                            throw new IOException(file + " ended at byte " + position + " while reading (was it "
                                    + "truncated while being read?)");
                        }
                        position += n;
                    }
                }
            }, file.toString());
        }
    }

    /** Reads the bytes of a safetensors file (see {@link #read(Path)}). */
    public static Contents read(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        return read(new Source() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void read(long position, ByteBuffer dst) {
                dst.put(bytes, (int) position, dst.remaining());
            }
        }, "the bytes");
    }

    /** A tensor entry of the header. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {
    }

    private static Contents read(Source src, String what) throws IOException {
        long size = src.size();
        if (size < 8) {
            throw bad(what, "it has " + size + " bytes, fewer than the 8 of the header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.read(0, lenBuf);
        long n = lenBuf.flip().getLong();
        if (n < 0 || n > size - 8) {
            throw bad(what, "the header length " + Long.toUnsignedString(n) + " exceeds the " + (size - 8)
                    + " bytes after the length");
        }
        if (n > MAX_HEADER_BYTES) {
            throw bad(what, "the header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        src.read(8, headerBytes);
        headerBytes.flip();
        if (n == 0 || headerBytes.get(0) != '{') {
            throw bad(what, "the header must be a JSON object starting with '{'" + (n == 0 ? ", it is empty"
                    : ", it starts with byte 0x" + Integer.toHexString(headerBytes.get(0) & 0xff)));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw bad(what, "the header is not valid UTF-8 (" + e.getMessage() + ")");
        }
        Object json;
        try {
            json = Json.parse(text);
        } catch (Json.JsonException e) {
            throw bad(what, "the header is not valid JSON: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> top)) {
            throw bad(what, "the header must be a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) {
                metadata = metadata(what, e.getValue());
            } else {
                entries.add(entry(what, name, e.getValue()));
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.end > dataSize) {
                throw bad(what, "tensor " + e.name + ": data_offsets " + range(e) + " exceed the " + dataSize
                        + " data bytes after the header");
            }
            if (e.begin < expected) {
                throw bad(what, "tensor " + e.name + " (bytes " + range(e) + ") overlaps tensor " + previous.name
                        + " (bytes " + range(previous) + ")");
            }
            if (e.begin > expected) {
                throw bad(what, "data bytes [" + expected + ", " + e.begin + ") belong to no tensor (before "
                        + e.name + "): tensors must be packed without gaps");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataSize) {
            throw bad(what, "the tensors end at data byte " + expected + " but the file has " + dataSize
                    + " data bytes after the header");
        }
        SequencedMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : byOffset) {
            tensors.put(e.name, data(src, dataStart, e));
        }
        return new Contents(tensors, metadata);
    }

    private static Map<String, String> metadata(String what, Object v) throws IOException {
        if (v == Json.NULL) {
            return Map.of();   // the reference reads it as no metadata
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw bad(what, METADATA + " must be an object of strings, got " + describe(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw bad(what, METADATA + "." + e.getKey() + " must be a string, got " + describe(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String what, String name, Object v) throws IOException {
        if (!(v instanceof Map<?, ?> m)) {
            throw bad(what, "tensor " + name + " must be an object with dtype, shape and data_offsets, got "
                    + describe(v));
        }
        if (!(m.get("dtype") instanceof String code)) {
            throw bad(what, "tensor " + name + ": dtype must be a string, got " + describe(m.get("dtype")));
        }
        DType dtype = switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            default -> throw bad(what, "tensor " + name + ": dtype " + code + (FORMAT_DTYPES.contains(code)
                    ? " is not supported (only F32 and F64)" : " is not a safetensors dtype"));
        };
        long[] shape = naturals(what, name, "shape", m.get("shape"));
        long[] offsets = naturals(what, name, "data_offsets", m.get("data_offsets"));
        if (offsets.length != 2) {
            throw bad(what, "tensor " + name + ": data_offsets must be [begin, end], got " + offsets.length
                    + " numbers");
        }
        BigInteger product = BigInteger.ONE;
        int[] intShape = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > Integer.MAX_VALUE) {
                throw bad(what, "tensor " + name + ": dimension " + d + " of shape is " + shape[d]
                        + ", more than a tensor dimension holds (" + Integer.MAX_VALUE + ")");
            }
            intShape[d] = (int) shape[d];
            product = product.multiply(BigInteger.valueOf(shape[d]));
        }
        if (product.compareTo(BigInteger.valueOf(MAX_NUMEL)) > 0) {
            throw bad(what, "tensor " + name + " of shape " + java.util.Arrays.toString(shape) + " has more than "
                    + MAX_NUMEL + " elements, the most a CPU tensor holds");
        }
        long numel = product.longValueExact();
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw bad(what, "tensor " + name + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long bytes = numel * dtype.byteSize();
        if (end - begin != bytes) {
            throw bad(what, "tensor " + name + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                    + " bytes, but shape " + Tensor.shapeString(intShape) + " of " + code + " needs " + bytes);
        }
        return new Entry(name, dtype, intShape, begin, end);
    }

    /** A JSON array of integers in [0, 2⁶³). */
    private static long[] naturals(String what, String name, String field, Object v) throws IOException {
        if (!(v instanceof List<?> list)) {
            throw bad(what, "tensor " + name + ": " + field + " must be an array of integers >= 0, got "
                    + describe(v));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw bad(what, "tensor " + name + ": " + field + " must be an array of integers >= 0 (below 2^63), "
                        + "got " + describe(list.get(i)) + " at index " + i);
            }
            out[i] = l;
        }
        return out;
    }

    private static Tensor data(Source src, long dataStart, Entry e) throws IOException {
        // read chunk by chunk into the one tensor that is returned: a whole second array (and Tensor.of's
        // copy of it) tripled the peak memory, so a file that fitted the heap once ran out
        Tensor t = Tensor.zeros(e.dtype, e.shape);
        int numel = (int) t.numel();
        Tensor flat = t.reshape(numel);
        int size = e.dtype.byteSize();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK_BYTES / size;
        double[] d = e.dtype == DType.FLOAT64 ? new double[Math.min(perChunk, numel)] : null;
        float[] f = e.dtype == DType.FLOAT32 ? new float[Math.min(perChunk, numel)] : null;
        for (int i = 0; i < numel; i += perChunk) {
            int count = Math.min(perChunk, numel - i);
            chunk.clear().limit(count * size);
            src.read(dataStart + e.begin + (long) i * size, chunk);
            chunk.flip();
            Tensor part;
            if (d != null) {
                chunk.asDoubleBuffer().get(d, 0, count);
                part = Tensor.of(count == d.length ? d : Arrays.copyOf(d, count), count);
            } else {
                chunk.asFloatBuffer().get(f, 0, count);
                part = Tensor.of(count == f.length ? f : Arrays.copyOf(f, count), count);
            }
            flat.slice(i, i + count).copyFrom(part);
        }
        return t;
    }

    private static String range(Entry e) {
        return "[" + e.begin + ", " + e.end + ")";
    }

    /** Longest text of a value quoted whole in an error message; a longer one is cut (a file may hold any). */
    static final int DESCRIBED_CHARS = 60;

    private static String describe(Object v) {
        if (v instanceof Map<?, ?>) {
            return "an object";
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        String text = v instanceof String s ? s : String.valueOf(v);
        String cut = text.length() <= DESCRIBED_CHARS ? text
                : text.substring(0, DESCRIBED_CHARS) + "… (" + text.length() + " characters)";
        return v instanceof String ? Json.quote(cut) : cut;
    }

    private static IOException bad(String what, String problem) {
        return new IOException("not a valid safetensors file (" + what + "): " + problem);
    }

    // ---- into layers ----

    /**
     * Copies {@code source} tensors into the same-named {@code target} tensors (a layer's
     * {@code parameters()}, which are views into its flat buffer), converting the element type:
     * PyTorch's {@code load_state_dict}. Every name and shape is checked before anything is copied.
     *
     * @param target the layer's tensors by name
     * @param source tensors by name, e.g. {@link Contents#tensors()}
     * @param strict whether a name in only one of the two maps is an error (PyTorch's default true)
     * @return the names skipped (always empty lists when strict)
     * @throws IllegalArgumentException listing the missing names, the unexpected names (when strict)
     *                                  and every shape mismatch, naming the tensor and both shapes
     */
    public static LoadResult loadInto(SequencedMap<String, Tensor> target, Map<String, Tensor> source,
                                      boolean strict) {
        LoadResult result = checkLoad(target, source, strict);
        for (var e : target.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src != null) {
                Tensor dst = e.getValue();
                Backend.of(dst).copy(src, dst);
            }
        }
        return result;
    }

    /** The checks of {@link #loadInto}, copying nothing. */
    static LoadResult checkLoad(SequencedMap<String, Tensor> target, Map<String, Tensor> source, boolean strict) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(source, "source");
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var e : target.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.hasShape(e.getValue().shape())) {
                mismatched.add(e.getKey() + ": shape " + Tensor.shapeString(src.shape()) + " in the source, "
                        + Tensor.shapeString(e.getValue().shape()) + " in the target");
            }
        }
        List<String> unexpected = source.keySet().stream().filter(k -> !target.containsKey(k)).sorted().toList();
        List<String> problems = new ArrayList<>();
        if (strict && !missing.isEmpty()) {
            problems.add("missing " + missing);
        }
        if (strict && !unexpected.isEmpty()) {
            problems.add("unexpected " + unexpected);
        }
        problems.addAll(mismatched);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load " + source.size() + " tensors into " + target.size()
                    + " (nothing was copied): " + String.join("; ", problems));
        }
        return new LoadResult(missing, unexpected);
    }

    /** Reads {@code file} and loads it into {@code target} strictly; see {@link #loadInto}. */
    public static void load(Path file, SequencedMap<String, Tensor> target) throws IOException {
        loadInto(target, read(file).tensors(), true);
    }

    /**
     * The same tensors under {@code prefix + name}: a sub-module's names in a PyTorch model's
     * state_dict ({@code withPrefix("lstm.", lstm.parameters())} gives {@code lstm.weight_ih_l0}, …).
     * Combine several into one map to save or load a whole model.
     */
    public static SequencedMap<String, Tensor> withPrefix(String prefix, SequencedMap<String, Tensor> tensors) {
        Objects.requireNonNull(prefix, "prefix");
        SequencedMap<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(prefix + k, v));
        return Collections.unmodifiableSequencedMap(out);
    }
}

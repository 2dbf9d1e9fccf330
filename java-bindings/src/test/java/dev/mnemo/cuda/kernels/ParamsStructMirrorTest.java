package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every params struct of {@code mnemo_kernels.h} against its Java {@link StructLayout}: the C
 * definition is read from the header text and laid out with the C rules of the x86-64 / aarch64
 * ABIs that nvcc shares with the host compiler (each member at the next multiple of its size,
 * pointers, {@code long long} and {@code double} 8 bytes, {@code int} and {@code float} 4; the size
 * rounded up to the largest member), then compared member by member: order, name, size, kind
 * (integer or floating point), offset, total size and alignment. (The offsets were also checked once
 * with g++ {@code offsetof} on the header itself; the .cu files {@code static_assert} them.)
 */
class ParamsStructMirrorTest {
    static final Pattern STRUCT = Pattern.compile(
            "typedef\\s+struct\\s+(\\w+)\\s*\\{([^}]*)\\}\\s*(\\w+)\\s*;");
    static final Pattern FIELD = Pattern.compile("^(.*?)(\\w+)$", Pattern.DOTALL);

    /** One C member: name, size in bytes, whether it is floating point. */
    record CField(String name, long size, boolean floating, long offset) {
    }

    /** A C struct laid out. */
    record CStruct(String name, List<CField> fields, long size, long alignment) {
    }

    static Map<String, CStruct> header;

    @BeforeAll
    static void readHeader() throws IOException {
        header = parse(Files.readString(KernelHeaderMirrorTest.findHeader()));
        assertTrue(!header.isEmpty(), "no typedef struct found in mnemo_kernels.h");
    }

    static Map<String, CStruct> parse(String source) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
        Map<String, CStruct> out = new LinkedHashMap<>();
        Matcher m = STRUCT.matcher(code);
        while (m.find()) {
            if (!m.group(1).equals(m.group(3))) {
                fail("typedef struct " + m.group(1) + " is named " + m.group(3) + ": the header uses one name");
            }
            List<CField> fields = new ArrayList<>();
            long offset = 0;
            long alignment = 1;
            for (String decl : m.group(2).split(";")) {
                String d = decl.trim();
                if (d.isEmpty()) {
                    continue;
                }
                Matcher fm = FIELD.matcher(d);
                if (!fm.matches()) {
                    fail("cannot read member '" + d + "' of " + m.group(1));
                }
                String type = KernelParameter.normalize(fm.group(1).replace("const ", ""));
                long size;
                boolean floating;
                if (type.endsWith("*")) {
                    size = 8;
                    floating = false;
                } else {
                    switch (type) {
                        case "long long" -> { size = 8; floating = false; }
                        case "double" -> { size = 8; floating = true; }
                        case "int" -> { size = 4; floating = false; }
                        case "float" -> { size = 4; floating = true; }
                        default -> throw new AssertionError("member type '" + type + "' of " + m.group(1)
                                + " is not one the mirror knows (pointer, long long, double, int, float)");
                    }
                }
                offset = (offset + size - 1) / size * size;
                fields.add(new CField(fm.group(2), size, floating, offset));
                offset += size;
                alignment = Math.max(alignment, size);
            }
            long total = (offset + alignment - 1) / alignment * alignment;
            out.put(m.group(1), new CStruct(m.group(1), fields, total, alignment));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyHeaderStructHasAJavaLayoutWithTheSameBytes() {
        return header.values().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            StructLayout java = KernelCatalog.structs().stream()
                    .filter(l -> l.name().orElse("").equals(c.name())).findFirst()
                    .orElseThrow(() -> new AssertionError(c.name() + " has no Java layout in KernelCatalog.structs()"));
            List<MemoryLayout> members = java.memberLayouts().stream()
                    .filter(l -> !(l instanceof PaddingLayout)).toList();
            assertEquals(c.fields().stream().map(CField::name).toList(),
                    members.stream().map(l -> l.name().orElse("?")).toList(), () -> "members of " + c.name());
            for (CField f : c.fields()) {
                MemoryLayout member = members.stream().filter(l -> l.name().orElse("").equals(f.name())).findFirst()
                        .orElseThrow();
                assertEquals(f.size(), member.byteSize(), () -> c.name() + "." + f.name() + " size");
                boolean floating = member instanceof ValueLayout.OfDouble || member instanceof ValueLayout.OfFloat;
                assertEquals(f.floating(), floating, () -> c.name() + "." + f.name() + " floating point");
                assertEquals(f.offset(), java.byteOffset(MemoryLayout.PathElement.groupElement(f.name())),
                        () -> c.name() + "." + f.name() + " offset");
            }
            assertEquals(c.size(), java.byteSize(), () -> c.name() + " size");
            assertEquals(c.alignment(), java.byteAlignment(), () -> c.name() + " alignment");
        }));
    }

    @Test
    void everyJavaLayoutIsInTheHeaderAndEveryStructParameterHasOne() throws IOException {
        for (StructLayout l : KernelCatalog.structs()) {
            assertNotNull(header.get(l.name().orElse("")), () -> l + " is not a typedef struct of mnemo_kernels.h");
        }
        for (KernelSignature k : KernelHeaderMirrorTest.parse(Files.readString(KernelHeaderMirrorTest.findHeader())).values()) {
            for (KernelParameter p : k.parameters()) {
                if (p.isStruct()) {
                    assertTrue(KernelCatalog.structs().stream().anyMatch(l -> l.name().orElse("").equals(p.cType())),
                            () -> p.cType() + " (of " + k.name() + ") has no Java layout");
                }
            }
        }
    }

    @Test
    void theParserAppliesCPaddingRules() {
        Map<String, CStruct> parsed = parse("""
                /* typedef struct fake { int a; } fake; */
                typedef struct mnemo_x_params {
                  const float* p;   // a pointer
                  int a;
                  double d;
                  int tail;
                } mnemo_x_params;
                """);
        CStruct x = parsed.get("mnemo_x_params");
        assertEquals(List.of(new CField("p", 8, false, 0), new CField("a", 4, false, 8), new CField("d", 8, true, 16),
                new CField("tail", 4, false, 24)), x.fields());
        assertEquals(32, x.size());
        assertEquals(1, parsed.size());
    }

    @Test
    void typedRecordsWriteEveryFieldAtItsOffset() {
        MemorySegment s = MemorySegment.ofArray(new long[12]);
        new GruKernels.BwdParams(new FakeMemory(0x10, 4), null, new FakeMemory(0x30, 4), new FakeMemory(0x40, 4),
                new FakeMemory(0x50, 4), new FakeMemory(0x60, 4), new FakeMemory(0x70, 4), new FakeMemory(0x80, 4),
                6, 33, 66, 99).writeTo(s);
        assertEquals(List.of(0x10L, 0L, 0x30L, 0x40L, 0x50L, 0x60L, 0x70L, 0x80L, 6L, 33L, 66L, 99L),
                java.util.Arrays.stream(s.toArray(ValueLayout.JAVA_LONG)).boxed().toList());
        MemorySegment r = MemorySegment.ofArray(new long[6]);
        new OptimKernels.RmspropParams(0.01, 0.99, 1e-8, 0.1, 0.9, 1).writeTo(r);
        assertEquals(0.01, r.get(ValueLayout.JAVA_DOUBLE, 0));
        assertEquals(0.9, r.get(ValueLayout.JAVA_DOUBLE, 32));
        assertEquals(1, r.get(ValueLayout.JAVA_INT, 40));
        assertEquals(new OptimKernels.RmspropParams(0.01, 0.99, 1e-8, 0.1, 0.9, 1),
                OptimKernels.RmspropParams.readFrom(r));
        MemorySegment a = MemorySegment.ofArray(new long[6]);
        new OptimKernels.AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, 7, 1).writeTo(a);
        assertEquals(7, a.get(ValueLayout.JAVA_INT, 40));
        assertEquals(1, a.get(ValueLayout.JAVA_INT, 44));
    }
}

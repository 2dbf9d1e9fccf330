package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The header is the contract: every {@code extern "C" __global__} declaration of
 * {@code native/include/mnemo_kernels.h} in a family that has a launcher class
 * ({@code <Family>Kernels}) has exactly one Java signature with identical C types and names, and
 * the launcher method its name implies; every Java signature is in the header. A family of the
 * header without a launcher class fails, naming its kernels.
 */
class KernelHeaderMirrorTest {
    static final Pattern DECLARATION = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)\\s*;");
    static final Pattern PARAMETER = Pattern.compile("(.*?)(\\w+)\\s*$", Pattern.DOTALL);

    static Map<String, KernelSignature> header;

    @BeforeAll
    static void readHeader() throws IOException {
        Path file = findHeader();
        header = parse(Files.readString(file));
        assertFalse(header.isEmpty(), "no extern \"C\" __global__ declaration found in " + file);
    }

    /** Walks up from user.dir to the repository root that holds native/include/mnemo_kernels.h. */
    static Path findHeader() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("native/include/mnemo_kernels.h");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        // Under Maven (basedir set) the repository must be there; from a GPU bundle it is not.
        if (System.getProperty("basedir") != null) {
            fail("native/include/mnemo_kernels.h not found above " + start);
        }
        Assumptions.abort("native/include/mnemo_kernels.h not found above " + start + " (not run from the repository)");
        return null;
    }

    /** Every declaration, comments removed, parameters as normalised (type, name) pairs. */
    static Map<String, KernelSignature> parse(String source) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
        Map<String, KernelSignature> out = new LinkedHashMap<>();
        Matcher m = DECLARATION.matcher(code);
        while (m.find()) {
            List<KernelParameter> params = new ArrayList<>();
            String list = m.group(2).trim();
            if (!list.isEmpty() && !list.equals("void")) {
                for (String p : list.split(",")) {
                    Matcher pm = PARAMETER.matcher(p.trim());
                    if (!pm.matches()) {
                        fail("cannot read parameter '" + p + "' of " + m.group(1));
                    }
                    params.add(KernelParameter.of(pm.group(1).replace("__restrict__", "").trim(), pm.group(2)));
                }
            }
            KernelSignature previous = out.put(m.group(1), new KernelSignature(m.group(1), params));
            if (previous != null) {
                fail(m.group(1) + " is declared twice in the header");
            }
        }
        return out;
    }

    /** The family of {@code mnemo_<family>_<op>..._<dtype>}. */
    static String family(String kernel) {
        return kernel.split("_")[1];
    }

    /** The launcher class of a family ({@code tensor} → {@code TensorKernels}), if one exists. */
    static Optional<Class<?>> launcher(String family) {
        String name = launcherName(family);
        return KernelCatalog.launchers().stream().filter(k -> k.getSimpleName().equals(name)).findFirst();
    }

    static String launcherName(String family) {
        return Character.toUpperCase(family.charAt(0)) + family.substring(1) + "Kernels";
    }

    /**
     * A family is bound all or nothing: where its launcher class exists, every header kernel of the
     * family has exactly one Java signature with identical C types and names, and the launcher
     * method its name implies ({@code mnemo_<family>_<op>_f32} → {@code <op>} in camelCase, another
     * dtype appended: {@code _f64} → {@code <op>F64}) with
     * the mirrored Java types. A family without a launcher class fails.
     */
    @TestFactory
    Stream<DynamicTest> everyHeaderFamilyIsMirroredCompletely() {
        Map<String, List<KernelSignature>> families = new LinkedHashMap<>();
        header.values().forEach(k -> families.computeIfAbsent(family(k.name()), f -> new ArrayList<>()).add(k));
        return families.entrySet().stream().map(e -> DynamicTest.dynamicTest("family " + e.getKey(), () -> {
            Optional<Class<?>> launcher = launcher(e.getKey());
            if (launcher.isEmpty()) {
                fail("family " + e.getKey() + " of mnemo_kernels.h has no Java launcher: add "
                        + launcherName(e.getKey()) + " to dev.mnemo.cuda.kernels and KernelCatalog, mirroring "
                        + e.getValue().stream().map(KernelSignature::name).toList());
            }
            for (KernelSignature c : e.getValue()) {
                assertMirrored(c, launcher.get());
            }
        }));
    }

    static void assertMirrored(KernelSignature c, Class<?> launcher) {
        List<KernelSignature> java = KernelCatalog.signatures().stream().filter(j -> j.name().equals(c.name())).toList();
        assertEquals(1, java.size(), () -> c.name() + " must have exactly one Java signature, got " + java);
        assertEquals(c.parameters(), java.getFirst().parameters(), () -> "parameters of " + c.name());
        String[] parts = c.name().split("_"); // mnemo, family, op..., dtype
        // f32 is the default dtype; another names the method too (mnemo_eigen_hqr_f64 → hqrF64)
        String dtype = parts[parts.length - 1];
        String op = camel(Arrays.copyOfRange(parts, 2, parts.length - 1))
                + (dtype.equals("f32") ? "" : Character.toUpperCase(dtype.charAt(0)) + dtype.substring(1));
        Class<?>[] types = c.parameters().stream().map(KernelParameter::javaType).toArray(Class<?>[]::new);
        try {
            Method method = launcher.getMethod(op, types);
            assertEquals(void.class, method.getReturnType(), () -> method + " must return void");
            assertFalse(Modifier.isStatic(method.getModifiers()), () -> method + " must be an instance method");
        } catch (NoSuchMethodException e) {
            fail(launcher.getSimpleName() + " must have " + op + Arrays.toString(types) + " for " + c.name());
        }
    }

    @Test
    void everyJavaSignatureIsInTheHeader() {
        for (KernelSignature j : KernelCatalog.signatures()) {
            assertNotNull(header.get(j.name()), () -> j.name() + " is declared in Java but not in mnemo_kernels.h");
        }
    }

    @Test
    void javaSignaturesFollowHeaderOrder() {
        List<String> bound = header.keySet().stream().filter(k -> launcher(family(k)).isPresent()).toList();
        assertEquals(bound, KernelCatalog.signatures().stream().map(KernelSignature::name).toList());
    }

    @Test
    void theParserReadsTypesAndNames() {
        Map<String, KernelSignature> parsed = parse("""
                /* a comment with extern "C" __global__ void fake(int x); inside */
                extern "C" __global__ void mnemo_x_op_f32(const float* __restrict__ a,
                                                          long long  n, float *out);
                // extern "C" __global__ void commented_out(int x);
                extern "C" __global__ void mnemo_x_step_f32(mnemo_x_step_params p);
                """);
        assertEquals(List.of("mnemo_x_op_f32", "mnemo_x_step_f32"), List.copyOf(parsed.keySet()));
        assertEquals(List.of(KernelParameter.of("mnemo_x_step_params", "p")), parsed.get("mnemo_x_step_f32").parameters());
        assertEquals(List.of(KernelParameter.of("const float*", "a"), KernelParameter.of("long long", "n"),
                KernelParameter.of("float*", "out")), parsed.get("mnemo_x_op_f32").parameters());
    }

    private static String camel(String[] words) {
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return out.toString();
    }
}

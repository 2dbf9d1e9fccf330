package dev.mnemo.bench.readme;

import dev.mnemo.bench.readme.ReadmeScaffolds.Scaffold;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * The README's {@code ```java} blocks, each compiled as the body of a method with its scaffolding
 * ({@link ReadmeScaffolds}) around it, by the JDK's javac against the test's own class path.
 *
 * <p>A block's unit keeps the README's line numbers: line 1 holds every import, line 2 the class,
 * the method and the prelude, and line 3 on the block (its own imports blanked), so javac's messages
 * are turned into {@code README.md:LINE}. The unit's method takes {@code Path dir}, a folder of its
 * own, and a file the block names with {@code Path.of("…")} goes there.
 */
final class ReadmeBlocks {
    private ReadmeBlocks() {}

    /** One block: the heading it is under, the README line of its opening fence, its code, its scaffold. */
    record Block(String heading, int line, String code, Scaffold scaffold) {
        String className() {
            return "ReadmeLine" + line;
        }

        @Override
        public String toString() {
            return "README.md:" + line + " (" + heading + ")";
        }
    }

    /** The README: {@code -Dmnemo.readme}, else the one next to this module (Maven's basedir/..). */
    static Path readme() {
        String given = System.getProperty("mnemo.readme");
        Path path = given != null ? Path.of(given)
                : Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "..", "README.md").normalize();
        if (!Files.isRegularFile(path)) {
            throw new AssertionError("README.md not found at " + path.toAbsolutePath()
                    + ": this test reads the project's README, one folder above the bench module (or -Dmnemo.readme=PATH)");
        }
        return path;
    }

    /** Why no block can be compiled here, if so: a runtime without javac (a JRE, as the GPU bundle's). */
    static Optional<String> noCompilerReason() {
        return ToolProvider.findFirst("javac").isPresent() ? Optional.empty()
                : Optional.of("no javac in this Java runtime (a JRE): the README's java blocks need a JDK");
    }

    /** Every java block of the README, in order; a block without a scaffold is an AssertionError naming it. */
    static List<Block> parse(Path readme) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        List<Block> blocks = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String heading = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.matches("#{1,6} .*")) {
                heading = line.replaceFirst("#+ ", "");
            }
            if (!line.startsWith("```")) {
                continue;
            }
            // a fenced block, read to its end here: a '#' line inside one is no heading
            int fence = i + 1;   // 1-based
            int indent = lines.get(i).indexOf('`');
            StringBuilder code = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                String l = lines.get(i);   // without the fence's indent (a block inside a list item)
                code.append(l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l.strip())
                        .append('\n');
            }
            if (i == lines.size()) {
                throw new AssertionError("README.md:" + fence + ": a ``` fence that is never closed");
            }
            if (!line.equals("```java")) {
                continue;
            }
            Optional<Scaffold> scaffold = ReadmeScaffolds.of(heading, seen.merge(heading, 1, Integer::sum) - 1);
            if (scaffold.isEmpty()) {
                throw new AssertionError("README.md:" + fence + ": no scaffold for the java block under '" + heading
                        + "' (add one to ReadmeScaffolds)");
            }
            blocks.add(new Block(heading, fence, code.toString(), scaffold.get()));
        }
        return blocks;
    }

    /** The compilation unit of one block (see the class comment for its layout). */
    static String unit(Block block) {
        StringBuilder imports = new StringBuilder(ReadmeScaffolds.IMPORTS);
        StringBuilder body = new StringBuilder();
        for (String line : block.code().split("\n")) {
            boolean isImport = line.startsWith("import ");
            if (isImport) {
                imports.append(' ').append(line);
            }
            body.append(isImport ? "" : line.replace("Path.of(\"", "dir.resolve(\"")).append('\n');
        }
        return imports + "\npublic final class " + block.className()
                + " { public static void run(java.nio.file.Path dir) throws Exception { " + block.scaffold().prelude()
                + "\n" + body + "} }\n";
    }

    /** Compiles the blocks into {@code work}/classes and loads them; a javac error is an AssertionError with README lines. */
    static ClassLoader compile(List<Block> blocks, Path work) throws IOException {
        Path src = Files.createDirectories(work.resolve("src"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classPath(), "-proc:none",
                "-implicit:none", "-encoding", "UTF-8", "-Xlint:none", "-Xmaxerrs", "1000"));
        for (Block block : blocks) {
            Path file = src.resolve(block.className() + ".java");
            Files.writeString(file, unit(block));
            args.add(file.toString());
        }
        StringWriter messages = new StringWriter();
        var out = new PrintWriter(messages);
        int status = ToolProvider.findFirst("javac").orElseThrow().run(out, out, args.toArray(String[]::new));
        out.flush();
        if (status != 0) {
            throw new AssertionError("the README's java blocks do not compile (javac " + status + "):\n"
                    + inReadmeLines(messages.toString()));
        }
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeBlocks.class.getClassLoader());
    }

    /** Runs a compiled block in a folder of its own under {@code work}; what it throws is an AssertionError naming the block. */
    static void run(ClassLoader loader, Block block, Path work) throws Exception {
        Path dir = Files.createDirectories(work.resolve("run-" + block.line()));
        try {
            loader.loadClass(block.className()).getMethod("run", Path.class).invoke(null, dir);
        } catch (InvocationTargetException e) {
            throw new AssertionError(block + " threw " + e.getCause(), e.getCause());
        }
    }

    /** The test's class path: under surefire java.class.path may be one manifest-only jar, so its own property first. */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static final Pattern UNIT_LINE = Pattern.compile("(?m)^\\S*ReadmeLine(\\d+)\\.java:(\\d+):");

    /** javac's messages with each unit position turned into the README's line (or the block's scaffold). */
    private static String inReadmeLines(String messages) {
        Matcher m = UNIT_LINE.matcher(messages);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int fence = Integer.parseInt(m.group(1));
            int unitLine = Integer.parseInt(m.group(2));
            m.appendReplacement(out, unitLine >= 3 ? "README.md:" + (fence + unitLine - 2) + ":"
                    : "scaffold of README.md:" + fence + " (ReadmeScaffolds):");
        }
        return m.appendTail(out).toString();
    }
}

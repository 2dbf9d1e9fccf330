package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library discovery: search order and the message of a miss, with injected search roots. */
class NativeLibrariesTest {

    @Test
    void searchesPropertyThenCudaHomeThenCudaPathThenDefaultThenLdLibraryPath() {
        NativeLibraries libs = new NativeLibraries("/opt/a:/opt/b", "/cuda-home", "/cuda-path", "/ld1::/ld2");
        assertEquals(List.of(Path.of("/opt/a"), Path.of("/opt/b"), Path.of("/cuda-home/lib64"),
                Path.of("/cuda-path/lib64"), Path.of("/usr/local/cuda/lib64"), Path.of("/ld1"), Path.of("/ld2")),
                libs.directories());
        assertEquals(NativeLibraries.DYNAMIC_LOADER, libs.placesSearched().getLast());
    }

    @Test
    void blankValuesAndDuplicatesAreSkipped() {
        NativeLibraries libs = new NativeLibraries(" ", null, "", "/usr/local/cuda/lib64");
        assertEquals(List.of(Path.of("/usr/local/cuda/lib64")), libs.directories());
    }

    @Test
    void missingLibraryNamesTheFilesAndEveryPlaceSearched() {
        NativeLibraries libs = new NativeLibraries("/nowhere/prop", "/nowhere/home", "/nowhere/path", "/nowhere/ld");
        CudaException e = assertThrows(CudaException.class,
                () -> libs.open(List.of("libmnemo-absent.so.13", "libmnemo-absent.so.12")));
        String message = e.getMessage();
        assertTrue(message.startsWith("libmnemo-absent.so.13 or libmnemo-absent.so.12 not found in ["), message);
        for (String place : List.of("/nowhere/prop", "/nowhere/home/lib64", "/nowhere/path/lib64",
                "/usr/local/cuda/lib64", "/nowhere/ld", NativeLibraries.DYNAMIC_LOADER)) {
            assertTrue(message.contains(place), () -> "message lacks " + place + ": " + message);
        }
        assertEquals(CudaException.Library.LOADER, e.library());
        assertEquals("LIBRARY_NOT_FOUND", e.codeName());
    }

    @Test
    void libdirPropertyIsHonouredFirst(@TempDir Path tmp) throws IOException {
        Path prop = Files.createDirectories(tmp.resolve("prop"));
        Path home = Files.createDirectories(tmp.resolve("home/lib64"));
        Path ld = Files.createDirectories(tmp.resolve("ld"));
        for (Path dir : List.of(prop, home, ld)) {
            Files.createFile(dir.resolve("libfake.so.1"));
        }
        NativeLibraries libs = new NativeLibraries(prop.toString(), tmp.resolve("home").toString(), null, ld.toString());
        assertEquals(Optional.of(prop.resolve("libfake.so.1")), libs.locate(List.of("libfake.so.1")));

        NativeLibraries withoutProperty = new NativeLibraries(null, tmp.resolve("home").toString(), null, ld.toString());
        assertEquals(Optional.of(home.resolve("libfake.so.1")), withoutProperty.locate(List.of("libfake.so.1")));
    }

    @Test
    void withinOneDirectoryThePreferredNameWins(@TempDir Path tmp) throws IOException {
        Files.createFile(tmp.resolve("libfake.so.12"));
        Files.createFile(tmp.resolve("libfake.so.13"));
        NativeLibraries libs = new NativeLibraries(tmp.toString(), null, null, null);
        assertEquals(Optional.of(tmp.resolve("libfake.so.13")), libs.locate(List.of("libfake.so.13", "libfake.so.12")));
    }

    @Test
    void aMissingSymbolGivesAHandleThatThrowsNotAFailedClassInit() {
        NativeLibrary libc = NativeLibraries.fromEnvironment().open(List.of("libc.so.6"));
        assertTrue(libc.isLoaded());
        assertTrue(libc.hasSymbol("strlen"));
        assertFalse(libc.hasSymbol("mnemo_no_such_symbol"));
        var handle = libc.downcall(java.lang.foreign.FunctionDescriptor.of(CLayouts.C_INT),
                "mnemo_no_such_symbol_v2", "mnemo_no_such_symbol");
        CudaException e = assertThrows(CudaException.class, () -> {
            try {
                int ignored = (int) handle.invokeExact();
            } catch (Throwable t) {
                throw CudaException.rethrow("test", t);
            }
        });
        assertEquals("SYMBOL_NOT_FOUND", e.codeName());
        assertTrue(e.getMessage().startsWith("mnemo_no_such_symbol_v2 / mnemo_no_such_symbol not exported by libc.so.6"),
                e.getMessage());
    }
}

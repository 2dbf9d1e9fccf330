package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fatbin table of contents, against small fatbins made by nvcc 13 (see resources/fatbin/README.md). */
class FatbinTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = FatbinTest.class.getResourceAsStream("/fatbin/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource /fatbin/" + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    @Test
    void listsSassAndPtxInFileOrder() throws IOException {
        Fatbin fatbin = Fatbin.parse(resource("sm80-sm90-compute90.fatbin"));
        assertEquals(List.of("sm_80", "sm_90", "compute_90"), fatbin.archs());
        assertEquals(List.of("sm_80", "sm_90"), fatbin.sassArchs());
        assertEquals(List.of("compute_90"), fatbin.ptxArchs());
        Fatbin.Entry ptx = fatbin.entries().get(2);
        assertEquals(Fatbin.Kind.PTX, ptx.kind());
        assertTrue(ptx.compressed(), "nvcc compresses PTX by default");
        assertFalse(fatbin.entries().get(0).compressed());
    }

    @Test
    void archSpecificSuffixesAreKept() throws IOException {
        Fatbin fatbin = Fatbin.parse(resource("sm100a-compute100a-compute75.fatbin"));
        assertEquals(List.of("sm_100a", "compute_100a", "compute_75"), fatbin.archs());
    }

    @Test
    void truncatedFileIsAClearError() throws IOException {
        byte[] whole = resource("sm80-sm90-compute90.fatbin");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fatbin.parse(Arrays.copyOf(whole, 1000)));
        assertTrue(e.getMessage().startsWith("truncated fatbin: container at offset 0 declares 7912 bytes"),
                e.getMessage());
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class,
                () -> Fatbin.parse(Arrays.copyOf(whole, 10)));
        assertTrue(header.getMessage().startsWith("truncated fatbin: container header at offset 0 needs 16 bytes"),
                header.getMessage());
    }

    @Test
    void garbageIsNotAFatbin() {
        byte[] garbage = "this is certainly not a fat binary".getBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fatbin.parse(garbage));
        assertEquals("not a fatbin: magic at offset 0 must be 0xba55ed50, got 0x73696874", e.getMessage());
    }

    @Test
    void emptyInputHasNoImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fatbin.parse(new byte[0]));
        assertEquals("fatbin must hold at least one image, got none in 0 bytes", e.getMessage());
    }

    @Test
    void unknownEntryKindIsRejected() throws IOException {
        byte[] bytes = resource("sm80-sm90-compute90.fatbin");
        bytes[16] = 7; // first entry's kind
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fatbin.parse(bytes));
        assertEquals("entry kind at offset 16 must be 1 (PTX) or 2 (ELF), got 7", e.getMessage());
    }
}

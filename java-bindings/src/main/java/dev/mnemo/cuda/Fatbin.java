package dev.mnemo.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The table of contents of a CUDA fat binary (what {@code nvcc -fatbin} writes): which SASS
 * ({@code sm_XY}) and PTX ({@code compute_XY}) images it holds, read from the headers only, so
 * compressed images need no decompression. Used to report what the shipped kernels run on.
 *
 * <p>Layout (little-endian, as written by nvcc 12/13): a container header {@code {u32 magic =
 * 0xBA55ED50, u16 version, u16 headerSize, u64 payloadSize}}, then entries, each
 * {@code {u16 kind (1 = PTX, 2 = ELF), u16 _, u32 headerSize, u64 payloadSize, u32 compressedSize,
 * u32 _, u16 minor, u16 major, u32 arch, u32 nameOffset, u32 nameLength, u64 flags, ...}} with its
 * payload {@code headerSize} bytes after its start. Flag 0x2000 or 0x8000 marks a compressed image;
 * 0x100000 an arch-specific ({@code sm_90a}) and 0x200000 a family ({@code sm_100f}) target.
 * A file may hold several containers back to back.
 *
 * @param entries the images, in file order
 */
public record Fatbin(List<Entry> entries) {
    /** The container magic number. */
    public static final int MAGIC = 0xBA55ED50;
    static final int CONTAINER_HEADER_BYTES = 16;
    static final int ENTRY_HEADER_MIN_BYTES = 64;
    private static final long FLAG_COMPRESSED_LZ4 = 0x2000L;
    private static final long FLAG_COMPRESSED_NEW = 0x8000L;
    private static final long FLAG_ARCH_SPECIFIC = 0x100000L;
    private static final long FLAG_FAMILY_SPECIFIC = 0x200000L;

    /** What an entry holds. */
    public enum Kind {
        /** PTX text, JIT-compiled by the driver for newer GPUs. */
        PTX(1),
        /** A cubin (SASS) for one architecture. */
        ELF(2);

        private final int nativeValue;

        Kind(int nativeValue) {
            this.nativeValue = nativeValue;
        }

        /** The value in the entry header. */
        public int nativeValue() {
            return nativeValue;
        }
    }

    /**
     * One image.
     *
     * @param kind PTX or ELF
     * @param arch the architecture number, e.g. 90 for sm_90 / compute_90
     * @param suffix "", "a" (arch-specific) or "f" (family-specific)
     * @param compressed whether the payload is compressed
     * @param payloadBytes bytes stored in the file
     */
    public record Entry(Kind kind, int arch, String suffix, boolean compressed, long payloadBytes) {
        /** "sm_90" for SASS, "compute_90" for PTX, with the suffix. */
        public String archName() {
            return (kind == Kind.ELF ? "sm_" : "compute_") + arch + suffix;
        }
    }

    /** Copies the list. */
    public Fatbin {
        entries = List.copyOf(entries);
    }

    /**
     * Reads the table of contents.
     *
     * @throws IllegalArgumentException when the bytes are not a fatbin or are truncated, with the
     *         offset and what was expected
     */
    public static Fatbin parse(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> entries = new ArrayList<>();
        int offset = 0;
        while (offset < bytes.length) {
            if (offset > 0 && allZero(bytes, offset)) {
                break; // padding after the last container
            }
            requireBytes(bytes, offset, CONTAINER_HEADER_BYTES, "container header");
            int magic = buf.getInt(offset);
            if (magic != MAGIC) {
                throw new IllegalArgumentException(String.format(
                        "not a fatbin: magic at offset %d must be 0x%08x, got 0x%08x", offset, MAGIC, magic));
            }
            int headerSize = Short.toUnsignedInt(buf.getShort(offset + 6));
            long payloadSize = buf.getLong(offset + 8);
            if (headerSize < CONTAINER_HEADER_BYTES) {
                throw new IllegalArgumentException("container header size at offset " + offset
                        + " must be >= " + CONTAINER_HEADER_BYTES + ", got " + headerSize);
            }
            long start = (long) offset + headerSize;
            long end = start + payloadSize;
            if (payloadSize < 0 || end > bytes.length) {
                throw new IllegalArgumentException("truncated fatbin: container at offset " + offset
                        + " declares " + payloadSize + " bytes of entries, but only "
                        + Math.max(0, bytes.length - start) + " follow");
            }
            readEntries(buf, bytes, (int) start, (int) end, entries);
            offset = (int) end;
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("fatbin must hold at least one image, got none in "
                    + bytes.length + " bytes");
        }
        return new Fatbin(entries);
    }

    private static void readEntries(ByteBuffer buf, byte[] bytes, int start, int end, List<Entry> out) {
        int at = start;
        while (at < end) {
            requireBytes(bytes, at, ENTRY_HEADER_MIN_BYTES, "entry header");
            int kindValue = Short.toUnsignedInt(buf.getShort(at));
            long headerSize = Integer.toUnsignedLong(buf.getInt(at + 4));
            long payloadSize = buf.getLong(at + 8);
            int arch = buf.getInt(at + 28);
            long flags = buf.getLong(at + 40);
            Kind kind = switch (kindValue) {
                case 1 -> Kind.PTX;
                case 2 -> Kind.ELF;
                default -> throw new IllegalArgumentException("entry kind at offset " + at
                        + " must be 1 (PTX) or 2 (ELF), got " + kindValue);
            };
            if (headerSize < ENTRY_HEADER_MIN_BYTES) {
                throw new IllegalArgumentException("entry header size at offset " + at + " must be >= "
                        + ENTRY_HEADER_MIN_BYTES + ", got " + headerSize);
            }
            long next = at + headerSize + payloadSize;
            if (payloadSize < 0 || next > end) {
                throw new IllegalArgumentException("truncated fatbin: entry at offset " + at + " declares "
                        + payloadSize + " bytes, but only " + Math.max(0, end - at - headerSize) + " follow");
            }
            String suffix = (flags & FLAG_ARCH_SPECIFIC) != 0 ? "a"
                    : (flags & FLAG_FAMILY_SPECIFIC) != 0 ? "f" : "";
            boolean compressed = (flags & (FLAG_COMPRESSED_LZ4 | FLAG_COMPRESSED_NEW)) != 0;
            out.add(new Entry(kind, arch, suffix, compressed, payloadSize));
            at = (int) next;
        }
    }

    /** Architecture names in file order without repeats, e.g. [sm_80, sm_90, compute_90]. */
    public List<String> archs() {
        Set<String> names = new LinkedHashSet<>();
        entries.forEach(e -> names.add(e.archName()));
        return List.copyOf(names);
    }

    /** The SASS architectures, e.g. [sm_80, sm_90]. */
    public List<String> sassArchs() {
        return archs().stream().filter(a -> a.startsWith("sm_")).toList();
    }

    /** The PTX architectures, e.g. [compute_90]. */
    public List<String> ptxArchs() {
        return archs().stream().filter(a -> a.startsWith("compute_")).toList();
    }

    private static void requireBytes(byte[] bytes, int offset, int needed, String what) {
        if (bytes.length - offset < needed) {
            throw new IllegalArgumentException("truncated fatbin: " + what + " at offset " + offset
                    + " needs " + needed + " bytes, but only " + (bytes.length - offset) + " remain");
        }
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}

package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cached member offsets equal the layouts' own, for every params struct of the header. */
class ParamsStructsTest {
    static final List<StructLayout> LAYOUTS = List.of(MemnetKernels.FWD_PARAMS_LAYOUT, MemnetKernels.BWD_PARAMS_LAYOUT,
            PersistentKernels.FWD_PARAMS_LAYOUT, PersistentKernels.BWD_PARAMS_LAYOUT, OptimKernels.SGD_PARAMS_LAYOUT,
            OptimKernels.ADAM_PARAMS_LAYOUT, OptimKernels.RMSPROP_PARAMS_LAYOUT, GruKernels.FWD_PARAMS_LAYOUT,
            GruKernels.BWD_PARAMS_LAYOUT, LstmKernels.FWD_PARAMS_LAYOUT);

    @Test
    void offsetsMatchTheLayoutPaths() {
        for (StructLayout l : LAYOUTS) {
            for (MemoryLayout m : l.memberLayouts()) {
                if (m.name().isEmpty()) {
                    continue;   // padding
                }
                String name = m.name().get();
                assertEquals(l.byteOffset(MemoryLayout.PathElement.groupElement(name)), ParamsStructs.offset(l, name),
                        l.name().orElse("?") + "." + name);
            }
        }
    }

    @Test
    void anUnknownMemberIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ParamsStructs.offset(MemnetKernels.FWD_PARAMS_LAYOUT, "kyes"));
        assertTrue(e.getMessage().contains("kyes"), e.getMessage());
    }
}

package interleave.engine.tests.trace;

import static interleave.engine.trace.RecordType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.Symbolizer;
import interleave.engine.trace.Symbolizer.SourceLine;
import interleave.engine.trace.TraceReader;
import interleave.engine.trace.TraceRun;

/**
 * A small PIE program compiled with -g here, a hand-made run whose maps file places it at a load address, and the
 * symbolizer's answers for its function address and for a return address inside it.
 */
class SymbolizerTest {
    private static final long BASE = 0x555555554000L;
    private static final String SOURCE = """
            #include <stdio.h>
            int twice(int x)
            {
                return 2 * x;
            }
            int main(void)
            {
                printf("%d\\n", twice(21));
                return 0;
            }
            """;

    @TempDir
    Path tmp;
    private Path binary;
    private TraceRun run;
    private long twiceOffset;

    @BeforeEach
    void compileAndRecord() throws Exception {
        Path src = Files.writeString(tmp.resolve("prog.c"), SOURCE);
        binary = tmp.resolve("prog");
        Process cc = new ProcessBuilder("gcc", "-g", "-O0", "-fPIE", "-pie", "-o", binary.toString(), src.toString())
                .redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), "gcc (needed to build the samples too) failed: " + ccOut);
        Process nm = new ProcessBuilder("nm", binary.toString()).start();
        for (String line : new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (line.endsWith(" T twice")) {
                twiceOffset = Long.parseLong(line.substring(0, line.indexOf(' ')), 16);
            }
        }
        nm.waitFor();
        assertTrue(twiceOffset > 0);
        Path dir = Files.createDirectory(tmp.resolve("run"));
        // one mapping of the whole file at BASE, as the loader maps small PIE programs (offset 0 = load base)
        long size = (Files.size(binary) + 0xfff) & ~0xfffL;
        Files.writeString(dir.resolve("77.maps"), "# interleave-maps v1 pid=77 mono_ns=1\n"
                + Long.toHexString(BASE) + "-" + Long.toHexString(BASE + size + 0x10000) + " r-xp 00000000 08:01 1 "
                + binary + "\n7ffff7dd0000-7ffff7df0000 rw-p 00000000 00:00 0 [stack]\n");
        Traces.Writer w = new Traces.Writer(1, 77, 77, 10, "77.maps");
        w.record(PROC_START, POINT, 0, 10, 0, 1, 1, 0);
        w.write(dir.resolve("77-77.trace"), 0);
        run = TraceReader.read(dir);
    }

    private ProcessImage image() {
        return run.images().get(0);
    }

    @Test
    void functionAddressGivesFunctionFileAndLine() {
        SourceLine s = Symbolizer.forRun(run).symbolize(image(), BASE + twiceOffset, false);
        assertEquals("twice", s.function());
        assertTrue(s.file().endsWith("prog.c"), s.file());
        assertEquals(3, s.line(), "the function's opening line");
        assertEquals(binary.toString(), s.binary());
        assertEquals(twiceOffset, s.binaryAddress());
    }

    @Test
    void returnAddressesAreLookedUpOneByteEarlierAndBatchedPerBinary() {
        Symbolizer sym = Symbolizer.forRun(run);
        // the byte after the function's first instruction is still inside twice(): as a return address it is too
        Map<Long, SourceLine> all = sym.symbolizeAll(image(), List.of(BASE + twiceOffset + 1, 0x1000L), true);
        assertEquals("twice", all.get(BASE + twiceOffset + 1).function());
        SourceLine outside = all.get(0x1000L);
        assertEquals("", outside.binary(), "an address in no mapped file");
        assertFalse(outside.hasLine());
        assertEquals("0x1000", outside.describe());
    }

    @Test
    void withoutAddr2lineAddressesStillMapToTheirBinaryButGetNoLines() throws IOException {
        Symbolizer sym = Symbolizer.withAddr2line(run, tmp.resolve("no-such-addr2line").toString());
        SourceLine s = sym.symbolize(image(), BASE + twiceOffset, false);
        assertEquals(binary.toString(), s.binary());
        assertEquals(null, s.function());
        assertFalse(s.hasLine());
        assertEquals(1, sym.problems().size());
        assertTrue(sym.problems().get(0).startsWith("addr2line could not be run"), sym.problems().get(0));
        assertTrue(s.describe().endsWith(" in " + binary), s.describe());
    }
}

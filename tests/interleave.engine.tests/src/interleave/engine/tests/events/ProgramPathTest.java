package interleave.engine.tests.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.ProgramPath;

/** A program started through a symlink (redis-server → redis-check-rdb) keeps the name it was started as. */
class ProgramPathTest {
    @TempDir
    Path tmp;

    @Test
    void anAbsoluteArgv0NamingTheExecutablesFileIsTheNameShown() throws Exception {
        Path real = Files.writeString(tmp.resolve("redis-check-rdb"), "binary");
        Path link = Files.createSymbolicLink(tmp.resolve("redis-server"), real);
        assertEquals(link.toString(), ProgramPath.shown(real.toString(), List.of(link.toString(), "--port", "0")));
        assertEquals("redis-server", ProgramPath.command(real.toString(), List.of(link.toString())));
    }

    @Test
    void otherwiseTheRecordedExecutable() throws Exception {
        Path real = Files.writeString(tmp.resolve("server"), "binary");
        Path other = Files.writeString(tmp.resolve("other"), "another binary");
        String exe = real.toString();
        // a relative argv[0] (found through PATH, or set by the program), another file, a file not on this machine
        assertEquals(exe, ProgramPath.shown(exe, List.of("server-alias")));
        assertEquals(exe, ProgramPath.shown(exe, List.of(other.toString())));
        assertEquals(exe, ProgramPath.shown(exe, List.of(tmp.resolve("gone").toString())));
        assertEquals("server", ProgramPath.command(exe, List.of("-bash")));
        assertEquals("", ProgramPath.shown("", List.of("/usr/bin/x")));
        assertEquals("x", ProgramPath.command("", List.of("/usr/bin/x")));
        assertEquals("?", ProgramPath.command("", List.of()));
    }

    @Test
    void aProcessOfTheModelIsLabelledByIt() throws Exception {
        Path real = Files.writeString(tmp.resolve("busybox"), "binary");
        Path link = Files.createSymbolicLink(tmp.resolve("httpd"), real);
        Synthetic s = new Synthetic();
        ExecProcess p = s.builder().process(42, 1_000_000);
        s.builder().program(p, real.toString(), List.of(link.toString(), "-f"));
        assertEquals("httpd", p.command());
        assertEquals(real.toString(), p.exe());
    }
}

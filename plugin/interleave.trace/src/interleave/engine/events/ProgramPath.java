package interleave.engine.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The path a program was started as. The recorded executable is the kernel's resolved one: redis-server is a symlink
 * to redis-check-rdb, a multi-call binary has one file for many names. When argv[0] is an absolute path to that same
 * file, that is the name the user knows it by, and labels and locations use it.
 */
public final class ProgramPath {
    private static final Map<String, String> CHECKED = new ConcurrentHashMap<>();

    private ProgramPath() {
    }

    /** argv[0] when it is an absolute path naming the executable's file, else the executable ("" if unknown). */
    public static String shown(String exe, List<String> argv) {
        if (exe.isEmpty() || argv.isEmpty()) {
            return exe;
        }
        String arg0 = argv.get(0);
        if (arg0.equals(exe) || !arg0.startsWith("/")) {
            return exe;
        }
        return CHECKED.computeIfAbsent(exe + '\0' + arg0, k -> {
            try {
                return Files.isSameFile(Path.of(arg0), Path.of(exe)) ? arg0 : exe;
            } catch (IOException | InvalidPathException | SecurityException e) {
                return exe; // not on this machine (a trace read elsewhere): the recorded executable
            }
        });
    }

    /** The short command name: the file name of {@link #shown}, else of argv[0], else "?". */
    public static String command(String exe, List<String> argv) {
        String p = shown(exe, argv);
        if (p.isEmpty()) {
            p = argv.isEmpty() ? "?" : argv.get(0);
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }
}

package interleave.engine.detectors;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.TraceRun;

/**
 * Process images that run a Java virtual machine. The native detectors judge C programs by their libc calls; a JVM
 * makes those calls for its own runtime (its threads are never joined, its signal handlers run inside malloc on
 * purpose), so its native findings would be about the JVM, not the Java program. Java programs are to be judged from
 * JDK Flight Recorder events, which Interleave does not read yet.
 */
public final class JavaPrograms {
    private JavaPrograms() {
    }

    /** The images of the run that run a JVM, with the reason ("libjvm.so is mapped", "the program is java"). */
    public static Map<ProcessImage, String> of(TraceRun run) {
        Map<ProcessImage, String> out = new LinkedHashMap<>();
        for (ProcessImage img : run.images()) {
            String why = reason(run.directory(), img);
            if (why != null) {
                out.put(img, why);
            }
        }
        return out;
    }

    private static String reason(Path dir, ProcessImage img) {
        if (img.command().equals("java")) {
            return "the program is java";
        }
        if (dir == null || img.mapsFile().isEmpty()) {
            return null;
        }
        // the JVM is loaded at start by the java launcher, so it is in the maps copy taken at image start; the
        // launcher itself loads libjli.so first and libjvm.so a moment later, so either name tells
        Path maps = dir.resolve(img.mapsFile());
        try (BufferedReader r = Files.newBufferedReader(maps, StandardCharsets.ISO_8859_1)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.endsWith("/libjvm.so") || line.endsWith("/libjli.so")) {
                    return line.substring(line.lastIndexOf('/') + 1) + " is mapped";
                }
            }
        } catch (IOException e) {
            return null; // no maps: judged as a native program
        }
        return null;
    }

    /** True if the program named on the command line is the java launcher (by name or through a symlink). */
    public static boolean isJavaLauncher(Path program) {
        Path real = program;
        try {
            real = program.toRealPath();
        } catch (IOException e) {
            // keep the name as given
        }
        return program.getFileName().toString().equals("java") || real.getFileName().toString().equals("java");
    }
}

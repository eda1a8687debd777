package interleave.engine.trace;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows a run directory that is still being written (the live view). Each {@link #poll()} reads only what is new:
 * new files, records appended to known files, and slots that were zero before and are committed now. It never blocks
 * and never loops: the caller decides how often to poll (e.g. every 200 ms on a background job).
 */
public final class TraceTail {
    private final Path dir;
    private final Map<String, FileScanner> files = new LinkedHashMap<>();
    /** Shared thread files (format §2.1): their threads are entries of {@link #files} as they are found. */
    private final Map<String, SharedThreadFile> shared = new LinkedHashMap<>();

    /** Newly committed events of one file, in the order they were read (sort by ts to merge). */
    public record NewEvents(String file, TraceHeader header, List<TraceEvent> events) {
    }

    private TraceTail(Path dir) {
        this.dir = dir;
    }

    /** Starts following a directory; it must exist, but may still be empty. */
    public static TraceTail follow(Path runDir) throws TraceException {
        checkDirectory(runDir);
        return new TraceTail(runDir);
    }

    static void checkDirectory(Path runDir) throws TraceException {
        if (!Files.exists(runDir)) {
            throw new TraceException("trace directory " + runDir + " does not exist");
        }
        if (!Files.isDirectory(runDir)) {
            throw new TraceException(runDir + " is not a directory: give the run directory that holds the *.trace files");
        }
    }

    /** Reads what was committed since the last poll; files still being created are picked up later. */
    public List<NewEvents> poll() throws TraceException {
        List<NewEvents> out = new ArrayList<>();
        for (FileScanner s : scanAll()) {
            int before = s.raw.size;
            s.scan();
            if (s.raw.size > before && s.header != null) {
                List<TraceEvent> evs = new ArrayList<>(s.raw.size - before);
                for (int i = before; i < s.raw.size; i++) {
                    evs.add(s.raw.event(i));
                }
                out.add(new NewEvents(s.name, s.header, evs));
            }
        }
        return out;
    }

    /** Reads what is new without handing the events out (for a full read). */
    void pollQuietly() throws TraceException {
        for (FileScanner s : scanAll()) {
            s.scan();
        }
    }

    private List<FileScanner> scanAll() throws TraceException {
        checkDirectory(dir);
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.trace")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    paths.add(p);
                }
            }
        } catch (IOException e) {
            throw new TraceException("cannot list trace directory " + dir + ": " + e.getMessage(), e);
        }
        paths.sort(Comparator.comparing(p -> p.getFileName().toString()));
        for (Path p : paths) {
            String name = p.getFileName().toString();
            if (SharedThreadFile.isShared(name)) {
                SharedThreadFile f = shared.computeIfAbsent(name, n -> new SharedThreadFile(p));
                f.refresh(); // finds the threads' chunks before their scanners read them
                for (FileScanner s : f.scanners()) {
                    files.putIfAbsent(s.name, s);
                }
            } else {
                files.computeIfAbsent(name, n -> new FileScanner(p));
            }
        }
        return new ArrayList<>(files.values());
    }

    /** The files seen so far, each with what it read (for the event-model adapter). */
    List<FileScanner> scanners() {
        return new ArrayList<>(files.values());
    }

    /** Number of trace files seen so far (a shared thread file counts once). */
    public int fileCount() {
        int threadsOfShared = 0;
        for (SharedThreadFile f : shared.values()) {
            threadsOfShared += f.scanners().size() - 1;
        }
        return files.size() - threadsOfShared;
    }

    /** The whole run as read so far, assembled (processes, threads, links). Costs a sort of every file's events. */
    public TraceRun snapshot() {
        return TraceRun.assemble(dir, new ArrayList<>(files.values()));
    }

    /**
     * The whole run for a one-time read, reading one file at a time: each thread goes to {@code each} with all its
     * records, then keeps only its lifecycle records; a file of more than {@code slots} slots goes to {@code eachSlice}
     * a slice at a time (see {@link TraceRun#readOneFileAtATime}). This tail cannot be
     * used again.
     */
    TraceRun takeRunOneFileAtATime(java.util.function.Consumer<ThreadTrace> each, int slots,
            java.util.function.Consumer<ChunkedFile.Slice> eachSlice) throws TraceException {
        List<FileScanner> all = scanAll();
        files.clear();
        shared.clear();
        return TraceRun.readOneFileAtATime(dir, all, each, slots, eachSlice);
    }

    /** The whole run, for a one-time read: the files' records are handed over, so this tail cannot be used again. */
    TraceRun takeRun() {
        TraceRun run = TraceRun.assemble(dir, new ArrayList<>(files.values()), true);
        files.clear();
        shared.clear();
        return run;
    }
}

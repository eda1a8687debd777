package interleave.engine.trace;

import java.nio.file.Path;

/** Reads a finished (or crashed, or still running) run directory in one go. */
public final class TraceReader {
    private TraceReader() {
    }

    /**
     * Reads every {@code *.trace} file of the directory. Damaged files are read up to the damage and reported in
     * {@link TraceRun#damage()}.
     *
     * @throws TraceException the directory does not exist, is not a directory, or holds no trace file
     */
    public static TraceRun read(Path runDir) throws TraceException {
        TraceTail tail = TraceTail.follow(runDir);
        tail.pollQuietly();
        if (tail.fileCount() == 0) {
            throw noFiles(runDir);
        }
        return tail.takeRun();
    }

    private static TraceException noFiles(Path runDir) {
        return new TraceException("trace directory " + runDir
                + " contains no trace files (*.trace): was the program run with LD_PRELOAD and INTERLEAVE_TRACE_DIR"
                + " set to this directory?");
    }

    /**
     * As {@link #read}, one file at a time: each thread goes to {@code each} with all its records before the next
     * file is read, and keeps only its lifecycle records afterwards ({@link ThreadTrace#thin()}); a file of more than
     * {@code slots} slots goes to {@code eachSlice} in order, a slice at a time, and is never held whole.
     */
    static TraceRun readOneFileAtATime(Path runDir, java.util.function.Consumer<ThreadTrace> each, int slots,
            java.util.function.Consumer<ChunkedFile.Slice> eachSlice) throws TraceException {
        TraceRun run = TraceTail.follow(runDir).takeRunOneFileAtATime(each, slots, eachSlice);
        if (run.fileCount() == 0) {
            throw noFiles(runDir);
        }
        return run;
    }

    /** Starts following a run that is still being written; see {@link TraceTail}. */
    public static TraceTail follow(Path runDir) throws TraceException {
        return TraceTail.follow(runDir);
    }
}

package interleave.engine.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One process image (format §1, §7): one pid from its start, fork or exec to its exit or exec. Key:
 * {@code (pid, imageStartNs)}. Holds its threads, its command, and its links to the parent that forked it, the image
 * it replaced by exec, and the image that replaced it.
 */
public final class ProcessImage {
    /** How an image came to be. */
    public enum Origin {
        /** program start (or a parent we did not trace) */
        START,
        /** created by fork in a traced parent */
        FORK,
        /** the program an exec of a traced image started */
        EXEC
    }

    private final int pid;
    private final long imageStartNs;
    final List<ThreadTrace> threads = new ArrayList<>();
    Origin origin = Origin.START;
    ProcessImage parent;
    ThreadTrace forkingThread;
    int forkExitIndex = -1;
    ProcessImage execPredecessor, execSuccessor;
    final List<ProcessImage> children = new ArrayList<>();
    String exe = "";
    List<String> argv = List.of();
    String mapsFile = "";

    ProcessImage(int pid, long imageStartNs) {
        this.pid = pid;
        this.imageStartNs = imageStartNs;
    }

    public int pid() {
        return pid;
    }

    public long imageStartNs() {
        return imageStartNs;
    }

    /** Its threads, the main thread first, then by first event. */
    public List<ThreadTrace> threads() {
        return Collections.unmodifiableList(threads);
    }

    public Optional<ThreadTrace> mainThread() {
        return threads.stream().filter(ThreadTrace::isMainThread).findFirst();
    }

    public Origin origin() {
        return origin;
    }

    /** The image that forked this one (FORK_CHILD names it exactly), or the traced process of its header ppid. */
    public Optional<ProcessImage> parent() {
        return Optional.ofNullable(parent);
    }

    /** The parent's thread that called fork, and the index of its FORK EXIT there (-1 if not found). */
    public Optional<ThreadTrace> forkingThread() {
        return Optional.ofNullable(forkingThread);
    }

    public int forkExitIndex() {
        return forkExitIndex;
    }

    /** Images forked by this one, by start time. */
    public List<ProcessImage> children() {
        return Collections.unmodifiableList(children);
    }

    public Optional<ProcessImage> execPredecessor() {
        return Optional.ofNullable(execPredecessor);
    }

    public Optional<ProcessImage> execSuccessor() {
        return Optional.ofNullable(execSuccessor);
    }

    /** Executable path ({@code /proc/self/exe} at start); a forked child has its parent's. "" if unknown. */
    public String exe() {
        return exe;
    }

    public List<String> argv() {
        return argv;
    }

    /** Short command name for labels: the file name of the path it was started as (ProgramPath), else "?". */
    public String command() {
        return interleave.engine.events.ProgramPath.command(exe, argv);
    }

    /** Name of the maps file describing this image's address space, "" if none. */
    public String mapsFile() {
        return mapsFile;
    }

    public long firstTs() {
        return threads.stream().mapToLong(ThreadTrace::firstTs).min().orElse(imageStartNs);
    }

    public long lastTs() {
        return threads.stream().mapToLong(ThreadTrace::lastTs).max().orElse(imageStartNs);
    }

    /** The PROC_EXIT record (main thread file or whichever thread called exit), if the image ended on purpose. */
    public Optional<EventRef> procExit() {
        for (ThreadTrace t : threads) {
            int i = t.find(RecordType.PROC_EXIT, -1);
            if (i >= 0) {
                return Optional.of(new EventRef(t, i));
            }
        }
        return Optional.empty();
    }

    /** When the image ended: its PROC_EXIT, or its last event (killed, exec'd, or still running at the trace end). */
    public long endTs() {
        return procExit().map(EventRef::ts).orElse(lastTs());
    }

    @Override
    public String toString() {
        return "process " + pid + " " + command() + " (image " + imageStartNs + ")";
    }

    /** All events of this image's threads merged by time (each thread's own order kept for equal times). */
    public java.util.List<EventRef> eventsInTimeOrder() {
        java.util.List<EventRef> all = new java.util.ArrayList<>();
        for (ThreadTrace t : threads) {
            for (int i = 0; i < t.size(); i++) {
                all.add(new EventRef(t, i));
            }
        }
        all.sort(java.util.Comparator.comparingLong(EventRef::ts));
        return all;
    }
}

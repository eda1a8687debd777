package interleave.engine.trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One run read from its directory: every thread's events in order, assembled into process images with their fork,
 * exec and thread-creation links, plus the damage found on the way. Times are CLOCK_MONOTONIC ns, shared by every
 * process of the machine.
 */
public final class TraceRun {
    private final Path directory;
    private final List<ProcessImage> images;
    private final List<ThreadTrace> threads;
    private final List<TraceDamage> damage;
    private final Map<Long, ProcessImage> byKey = new HashMap<>();
    private final long startNs, endNs, eventCount, lostEvents;
    private final int fileCount;

    private TraceRun(Path directory, List<ProcessImage> images, List<ThreadTrace> threads, List<TraceDamage> damage,
            int fileCount) {
        this.directory = directory;
        this.images = List.copyOf(images);
        this.threads = List.copyOf(threads);
        this.damage = List.copyOf(damage);
        this.fileCount = fileCount;
        long s = Long.MAX_VALUE, e = Long.MIN_VALUE, n = 0, lost = 0;
        for (ThreadTrace t : threads) {
            s = Math.min(s, t.firstTs());
            e = Math.max(e, t.lastTs());
            n += t.eventCount();
            lost += t.header().lostEvents();
        }
        this.startNs = threads.isEmpty() ? 0 : s;
        // a hung program records nothing more; the launcher's note of when it stopped the program is the real end
        this.endNs = threads.isEmpty() ? 0 : Math.max(e, RunEnd.read(directory).orElse(e));
        this.eventCount = n;
        this.lostEvents = lost;
        for (ProcessImage p : images) {
            byKey.put(key(p.pid(), p.imageStartNs()), p);
        }
    }

    public Path directory() {
        return directory;
    }

    /** Every process image, by start time. */
    public List<ProcessImage> images() {
        return images;
    }

    /** Every thread of every image. */
    public List<ThreadTrace> threads() {
        return threads;
    }

    /** What could not be read, precisely: file, offset and why. Empty for a sound run. */
    public List<TraceDamage> damage() {
        return damage;
    }

    public Optional<ProcessImage> image(int pid, long imageStartNs) {
        return Optional.ofNullable(byKey.get(key(pid, imageStartNs)));
    }

    /** Monotonic time of the run's first event. */
    public long startNs() {
        return startNs;
    }

    /** Monotonic time of the run's last event. */
    public long endNs() {
        return endNs;
    }

    public long eventCount() {
        return eventCount;
    }

    /** Events the agent itself could not store (full disk); normally 0. */
    public long lostEvents() {
        return lostEvents;
    }

    /** Trace files found, including damaged and still-empty ones. */
    public int fileCount() {
        return fileCount;
    }

    private static long key(int pid, long start) {
        return start * 31 + pid;
    }

    // ---------------------------------------------------------------- assembly

    /** Builds a run from the scanned files (used by the reader and by every snapshot of the tail). */
    static TraceRun assemble(Path dir, List<FileScanner> scanners) {
        return assemble(dir, scanners, false);
    }

    /**
     * @param consume take each scanner's records instead of copying them (a one-time read: the scanners are not
     *                used again), so the events are held once, not twice, at the largest moment of the read
     */
    static TraceRun assemble(Path dir, List<FileScanner> scanners, boolean consume) {
        List<TraceDamage> damage = new ArrayList<>();
        List<ThreadTrace> threads = new ArrayList<>();
        for (FileScanner s : scanners) {
            damage.addAll(s.damage);
            if (s.header != null) {
                threads.add(toThread(s, consume));
            }
        }
        return link(dir, threads, damage, fileCount(scanners));
    }

    /** Files read: the threads of a shared thread file (format §2.1) have a scanner each, the file counts once. */
    private static int fileCount(List<FileScanner> scanners) {
        return (int) scanners.stream().map(s -> s.path).distinct().count();
    }

    /**
     * Reads the files one at a time for a one-time read: each file's thread is handed to {@code each} with all its
     * records, then thinned to its lifecycle records ({@link ThreadTrace#thin()}) before the next file is read, so at
     * most one file's records are held besides what {@code each} keeps. A file of more than {@code slots} slots is not
     * held whole either: its records go to {@code eachSlice} in order, a slice at a time ({@link ChunkedFile}). The run
     * is then assembled from the thinned threads (the links need only those records).
     *
     * @param slots slots of a slice; 0 or less: every file is read whole
     */
    static TraceRun readOneFileAtATime(Path dir, List<FileScanner> scanners,
            java.util.function.Consumer<ThreadTrace> each, int slots,
            java.util.function.Consumer<ChunkedFile.Slice> eachSlice) {
        List<TraceDamage> damage = new ArrayList<>();
        List<ThreadTrace> threads = new ArrayList<>();
        for (FileScanner s : scanners) {
            s.slotLimit = slots > 0 ? slots : Long.MAX_VALUE;
            s.scan();
            long inFile = slots > 0 ? ChunkedFile.slotsInFile(s) : 0;
            if (s.header != null && inFile > slots) {
                ThreadTrace t = ChunkedFile.read(s, inFile, slots, eachSlice);
                damage.addAll(s.damage);
                threads.add(t);
                continue;
            }
            damage.addAll(s.damage);
            if (s.header != null) {
                ThreadTrace t = toThread(s, true);
                s.strings.clear();
                s.cpus.clear();
                each.accept(t);
                t.thin();
                threads.add(t);
            }
        }
        return link(dir, threads, damage, fileCount(scanners));
    }

    private static TraceRun link(Path dir, List<ThreadTrace> threads, List<TraceDamage> damage, int fileCount) {
        Map<Long, ProcessImage> images = new LinkedHashMap<>();
        for (ThreadTrace t : threads) {
            TraceHeader h = t.header();
            ProcessImage img = images.computeIfAbsent(key(h.pid(), h.imageStartNs()),
                    k -> new ProcessImage(h.pid(), h.imageStartNs()));
            img.threads.add(t);
            t.image = img;
        }
        List<ProcessImage> list = new ArrayList<>(images.values());
        list.sort(Comparator.comparingLong(ProcessImage::imageStartNs).thenComparingInt(ProcessImage::pid));
        for (ProcessImage img : list) {
            img.threads.sort(Comparator.comparing((ThreadTrace t) -> !t.isMainThread())
                    .thenComparingLong(ThreadTrace::firstTs).thenComparingInt(ThreadTrace::tid));
            for (ThreadTrace t : img.threads) {
                if (img.mapsFile.isEmpty()) {
                    img.mapsFile = t.header().mapsFile();
                }
                int start = t.find(RecordType.PROC_START, -1);
                if (start >= 0) {
                    t.string(start, RecordType.S_EXE).ifPresent(s -> img.exe = s.text());
                    t.string(start, RecordType.S_ARGV).ifPresent(s -> img.argv = s.parts());
                }
            }
            linkThreads(img);
            linkNames(img);
        }
        Map<Long, ProcessImage> byKey = new HashMap<>();
        for (ProcessImage p : list) {
            byKey.put(key(p.pid(), p.imageStartNs()), p);
        }
        // images of each pid by start, and each image's threads by tid: linking stays linear in images and threads
        Map<Integer, List<ProcessImage>> byPid = new HashMap<>();
        for (ProcessImage p : list) {
            byPid.computeIfAbsent(p.pid(), k -> new ArrayList<>()).add(p);
        }
        Map<ProcessImage, Map<Integer, List<ThreadTrace>>> tids = new java.util.IdentityHashMap<>();
        for (ProcessImage img : list) {
            linkFork(img, byKey, byPid, tids);
        }
        for (ProcessImage img : list) {
            linkExec(img, byPid.get(img.pid()));
        }
        for (ProcessImage img : list) {
            if (img.origin == ProcessImage.Origin.START && img.parent == null) {
                linkByPpid(img, byPid);
            }
        }
        // a forked child runs its parent's program (until it execs)
        for (ProcessImage img : list) {
            if (img.origin == ProcessImage.Origin.FORK && img.exe.isEmpty()) {
                ProcessImage p = img.parent;
                while (p != null && p.exe.isEmpty() && p.origin == ProcessImage.Origin.FORK) {
                    p = p.parent;
                }
                if (p != null) {
                    img.exe = p.exe;
                    img.argv = p.argv;
                }
            }
            img.children.sort(Comparator.comparingLong(ProcessImage::imageStartNs));
        }
        threads.clear();
        for (ProcessImage p : list) {
            threads.addAll(p.threads);
        }
        damage.sort(Comparator.comparing(TraceDamage::file).thenComparingLong(TraceDamage::offset));
        return new TraceRun(dir, list, threads, damage, fileCount);
    }

    private static ThreadTrace toThread(FileScanner s, boolean consume) {
        EventColumns sorted = consume ? s.raw.takeSorted() : s.raw.sortedCopy();
        Map<Long, TraceString> strings = new HashMap<>();
        if (!s.strings.isEmpty()) {
            Set<Integer> owners = new HashSet<>();
            for (long k : s.strings.keySet()) {
                owners.add((int) (k >>> 8));
            }
            Map<Integer, Integer> indexOfSlot = new HashMap<>();
            for (int i = 0; i < sorted.size; i++) {
                if (owners.contains(sorted.slot[i])) {
                    indexOfSlot.put(sorted.slot[i], i);
                }
            }
            for (Map.Entry<Long, FileScanner.StringParts> e : s.strings.entrySet()) {
                Integer index = indexOfSlot.get((int) (e.getKey() >>> 8));
                if (index == null) {
                    continue; // owner record not committed (killed while writing): the string has no event
                }
                FileScanner.StringParts p = e.getValue();
                strings.put(((long) index << 8) | (e.getKey() & 0xff),
                        new TraceString(p.bytes.clone(), p.cut, p.received < p.bytes.length));
            }
        }
        int[] cpu = null;
        if (!s.cpus.isEmpty()) {
            cpu = new int[sorted.size];
            int current = -1;
            for (int i = 0; i < sorted.size; i++) {
                Integer c = s.cpus.get(sorted.slot[i]);
                if (c != null) {
                    current = c;
                }
                cpu[i] = current;
            }
        }
        return new ThreadTrace(s.name, s.header, sorted, strings, cpu);
    }

    /** The image's threads by tid, in the image's thread order (tids are reused). */
    private static Map<Integer, List<ThreadTrace>> byTid(ProcessImage img) {
        Map<Integer, List<ThreadTrace>> out = new HashMap<>();
        for (ThreadTrace t : img.threads) {
            out.computeIfAbsent(t.tid(), k -> new ArrayList<>()).add(t);
        }
        return out;
    }

    /**
     * Each created thread's creator and its THREAD_CREATE ENTER/EXIT, found by create id. Every creator's records are
     * indexed once (create id → the last ENTER and EXIT naming it), so a process that starts thousands of threads is
     * linked in time linear in its records, where scanning the creator's records for each new thread was quadratic.
     */
    private static void linkThreads(ProcessImage img) {
        Map<Integer, List<ThreadTrace>> byTid = null;
        Map<ThreadTrace, Map<Long, int[]>> creates = new java.util.IdentityHashMap<>();
        for (ThreadTrace t : img.threads) {
            TraceHeader h = t.header();
            if (!h.isCreated() || h.createId() == 0) {
                continue;
            }
            if (byTid == null) {
                byTid = byTid(img);
            }
            for (ThreadTrace c : byTid.getOrDefault(h.creatorTid(), List.of())) {
                if (c == t) {
                    continue;
                }
                int[] found = creates.computeIfAbsent(c, TraceRun::createsById).get(h.createId());
                if (found != null && found[0] >= 0) {
                    t.createEnter = found[0];
                }
                if (found != null && found[1] >= 0) {
                    t.createExit = found[1];
                }
                t.creator = c;
            }
        }
    }

    /** create id → {index of the last THREAD_CREATE ENTER, of the last EXIT} naming it (-1: none) in the thread. */
    private static Map<Long, int[]> createsById(ThreadTrace c) {
        Map<Long, int[]> out = new HashMap<>();
        for (int i = 0; i < c.size(); i++) {
            if (c.type(i) == RecordType.THREAD_CREATE) {
                int phase = c.phase(i);
                if (phase == RecordType.ENTER || phase == RecordType.EXIT) {
                    out.computeIfAbsent(c.arg(i, 2), k -> new int[] {-1, -1})[phase == RecordType.ENTER ? 0 : 1] = i;
                }
            }
        }
        return out;
    }

    /**
     * THREAD_NAME records name a thread by its pthread_t, in any thread's file (a thread can name another): the named
     * thread is the one of that pthread_t alive at the record's time (pthread_t values are reused). Last name wins.
     */
    private static void linkNames(ProcessImage img) {
        Map<Long, List<ThreadTrace>> byHandle = null;
        for (ThreadTrace c : img.threads) {
            for (int i = 0; i < c.size(); i++) {
                if (c.type(i) != RecordType.THREAD_NAME || c.err(i) != 0) {
                    continue;
                }
                if (byHandle == null) {
                    byHandle = new HashMap<>();
                    for (ThreadTrace t : img.threads) {
                        byHandle.computeIfAbsent(t.header().pthreadSelf(), k -> new ArrayList<>()).add(t);
                    }
                }
                List<ThreadTrace> same = byHandle.getOrDefault(c.arg(i, 0), List.of());
                ThreadTrace target = null;
                for (ThreadTrace t : same) {
                    if (t.header().pthreadSelf() == c.arg(i, 0) && t.firstTs() <= c.ts(i)
                            && (target == null || t.firstTs() > target.firstTs())) {
                        target = t;
                    }
                }
                if (target == null) {
                    // named between pthread_create and the new thread's first record
                    for (ThreadTrace t : same) {
                        if (t.header().pthreadSelf() == c.arg(i, 0) && t.firstTs() > c.ts(i)
                                && (target == null || t.firstTs() < target.firstTs())) {
                            target = t;
                        }
                    }
                }
                if (target != null && c.ts(i) >= target.nameTs) {
                    target.name = nameOf(c.arg(i, 1), c.arg(i, 2));
                    target.nameTs = c.ts(i);
                }
            }
        }
    }

    /** The NUL-padded name bytes of a THREAD_NAME record (a1, a2 little-endian). */
    private static String nameOf(long lo, long hi) {
        byte[] b = new byte[16];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (lo >>> (8 * k));
            b[8 + k] = (byte) (hi >>> (8 * k));
        }
        int n = 0;
        while (n < 16 && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void linkFork(ProcessImage img, Map<Long, ProcessImage> byKey,
            Map<Integer, List<ProcessImage>> byPid, Map<ProcessImage, Map<Integer, List<ThreadTrace>>> tids) {
        for (ThreadTrace t : img.threads) {
            if (t.size() == 0 || t.type(0) != RecordType.FORK_CHILD) {
                continue;
            }
            int parentPid = (int) t.arg(0, 0);
            int parentTid = (int) t.arg(0, 1);
            long parentStart = t.arg(0, 2), forkEnter = t.arg(0, 3);
            ProcessImage parent = parentStart != 0 ? byKey.get(key(parentPid, parentStart))
                    : latestBefore(byPid.getOrDefault(parentPid, List.of()), parentPid, img.imageStartNs());
            img.origin = ProcessImage.Origin.FORK;
            if (parent == null) {
                return;
            }
            img.parent = parent;
            parent.children.add(img);
            for (ThreadTrace pt : tids.computeIfAbsent(parent, TraceRun::byTid).getOrDefault(parentTid, List.of())) {
                img.forkingThread = pt;
                // a0 of FORK EXIT is the child pid sign-extended to 64 bits
                int[] exits = pt.eventsWithArgument(RecordType.FORK, RecordType.EXIT, 0, img.pid());
                img.forkExitIndex = pt.firstAtOrAfter(exits, forkEnter);
            }
            return;
        }
    }

    private static ProcessImage latestBefore(List<ProcessImage> all, int pid, long ts) {
        ProcessImage best = null;
        for (ProcessImage p : all) {
            if (p.pid() == pid && p.imageStartNs() <= ts && (best == null || p.imageStartNs() > best.imageStartNs())) {
                best = p;
            }
        }
        return best;
    }

    /** {@code all}: the images of the same pid (an exec keeps the pid). */
    private static void linkExec(ProcessImage img, List<ProcessImage> all) {
        ThreadTrace main = img.mainThread().orElse(null);
        if (main == null || main.size() == 0 || main.type(0) != RecordType.PROC_START) {
            return;
        }
        long startTs = main.ts(0);
        ProcessImage best = null;
        for (ProcessImage p : all) {
            if (p == img || p.pid() != img.pid() || p.imageStartNs() >= img.imageStartNs()
                    || p.execSuccessor != null) {
                continue;
            }
            long open = openExecEnter(p);
            if (open > 0 && open <= startTs && (best == null || p.imageStartNs() > best.imageStartNs())) {
                best = p;
            }
        }
        if (best != null) {
            best.execSuccessor = img;
            img.execPredecessor = best;
            img.origin = ProcessImage.Origin.EXEC;
            img.parent = best.parent;
        }
    }

    /** ts of an EXEC ENTER that has no EXIT after it (the exec succeeded), or -1. */
    private static long openExecEnter(ProcessImage p) {
        for (ThreadTrace t : p.threads) {
            long open = -1;
            for (int i = 0; i < t.size(); i++) {
                if (t.type(i) == RecordType.EXEC) {
                    open = t.phase(i) == RecordType.ENTER ? t.ts(i) : -1;
                }
            }
            if (open > 0) {
                return open;
            }
        }
        return -1;
    }

    private static void linkByPpid(ProcessImage img, Map<Integer, List<ProcessImage>> byPid) {
        ThreadTrace main = img.mainThread().orElse(null);
        if (main == null) {
            return;
        }
        ProcessImage p = latestBefore(byPid.getOrDefault(main.header().ppid(), List.of()), main.header().ppid(),
                img.imageStartNs());
        if (p != null && p != img && p.endTs() >= img.imageStartNs()) {
            img.parent = p;
            p.children.add(img);
        }
    }

    @Override
    public String toString() {
        return "run " + directory + ": " + images.size() + " images, " + threads.size() + " threads, " + eventCount
                + " events" + (damage.isEmpty() ? "" : ", " + damage.size() + " damaged");
    }

    /** Unmodifiable view helper for callers that need images of one pid in order (exec chains). */
    public List<ProcessImage> imagesOf(int pid) {
        List<ProcessImage> out = new ArrayList<>();
        for (ProcessImage p : images) {
            if (p.pid() == pid) {
                out.add(p);
            }
        }
        return Collections.unmodifiableList(out);
    }
}

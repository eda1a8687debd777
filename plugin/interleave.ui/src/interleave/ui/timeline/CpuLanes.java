package interleave.ui.timeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import interleave.engine.events.ExecThread;
import interleave.engine.timeline.Row;
import interleave.engine.timeline.TimelineModel;

/**
 * Which thread ran on which CPU, for the optional CPU lanes (threads against cores: time slicing on one core,
 * parallelism on two). Asked for a time window at one sample per pixel, like {@link FrameQuery}, and computed on a
 * background job. No SWT.
 * <p>
 * The event model knows the CPU of each event when the source recorded it (the agent: trace format 1.2 and later),
 * as each thread's CPU samples. A thread counts as running on a CPU from an
 * event that is not a call's entry (a call returned, a point event) to its next event, on the CPU of the first:
 * that stretch is the program's own code. Time inside a traced call is left out, since the thread may have slept
 * there. Per pixel, the thread that ran longest there is shown.
 */
final class CpuLanes {
    /** A thread (its row) on a CPU over [startNs, endNs), ns since the run's start. */
    record Span(int cpu, long startNs, long endNs, int rowId) {
    }

    /** The answer for a window: per CPU seen in it (ascending), its spans by time. */
    record Frame(LoadedRun run, long t0, long t1, long resolutionNs, Map<Integer, List<Span>> cpus) {
        boolean covers(LoadedRun r, long from, long to, long resolution) {
            return run.model() == r.model() && t0 <= from && t1 >= to && resolutionNs <= resolution * 3 / 2 + 1
                    && resolutionNs * 3 / 2 + 1 >= resolution;
        }
    }

    private CpuLanes() {
    }

    /** The CPUs any event of the run was recorded on, ascending (empty: a trace without CPU records). */
    static List<Integer> cpusOf(TimelineModel m) {
        return CPUS.computeIfAbsent(m, CpuLanes::scanCpus);
    }

    /** By model: found once per run, not at every pan. */
    private static final Map<TimelineModel, List<Integer>> CPUS = java.util.Collections
            .synchronizedMap(new java.util.WeakHashMap<>());

    private static List<Integer> scanCpus(TimelineModel m) {
        java.util.TreeSet<Integer> cpus = new java.util.TreeSet<>();
        for (Row r : m.rows()) {
            ExecThread t = r.kind() == Row.Kind.THREAD ? m.execThread(r.id()).orElse(null) : null;
            for (int i = 0; t != null && i < t.cpuSampleCount(); i++) {
                cpus.add(t.cpuSampleCpu(i));
            }
        }
        return List.copyOf(cpus);
    }

    /** The lanes for [t0, t1] at resolutionNs per pixel, or null when cancelled. */
    static Frame run(LoadedRun loaded, long t0, long t1, long resolutionNs, BooleanSupplier cancelled) {
        TimelineModel m = loaded.model();
        long res = Math.max(1, resolutionNs);
        long from = Math.max(0, t0), to = Math.max(from, t1);
        // ns each (cpu, pixel, row) ran, keyed cpu -> pixel -> row
        Map<Integer, Map<Long, Map<Integer, Long>>> ran = new TreeMap<>();
        for (Row r : m.rows()) {
            if (cancelled.getAsBoolean()) {
                return null;
            }
            ExecThread t = r.kind() == Row.Kind.THREAD ? m.execThread(r.id()).orElse(null) : null;
            if (t == null || t.cpuSampleCount() < 2) {
                continue;
            }
            int n = t.cpuSampleCount();
            for (int i = Math.max(0, firstAtOrAfter(t, m.originNs() + from) - 1); i + 1 < n; i++) {
                long a = m.time(t.cpuSampleTs(i)), b = m.time(t.cpuSampleTs(i + 1));
                if (a > to) {
                    break;
                }
                int cpu = t.cpuSampleCpu(i);
                if (t.cpuSampleEntersCall(i) || b <= from || b <= a) {
                    continue;
                }
                Map<Long, Map<Integer, Long>> pixels = ran.computeIfAbsent(cpu, c -> new HashMap<>());
                long s = Math.max(a, from), e = Math.min(b, to);
                for (long p = Math.floorDiv(s - from, res); p * res + from < e; p++) {
                    long overlap = Math.min(e, from + (p + 1) * res) - Math.max(s, from + p * res);
                    if (overlap > 0) {
                        pixels.computeIfAbsent(p, k -> new HashMap<>()).merge(r.id(), overlap, Long::sum);
                    }
                }
            }
        }
        Map<Integer, List<Span>> out = new TreeMap<>();
        for (var cpu : ran.entrySet()) {
            List<Long> pixels = new ArrayList<>(cpu.getValue().keySet());
            pixels.sort(null);
            List<Span> spans = new ArrayList<>();
            Span open = null;
            for (long p : pixels) {
                int row = cpu.getValue().get(p).entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
                long s = from + p * res, e = Math.min(to, s + res);
                if (open != null && open.rowId() == row && open.endNs() >= s) {
                    open = new Span(cpu.getKey(), open.startNs(), e, row);
                } else {
                    if (open != null) {
                        spans.add(open);
                    }
                    open = new Span(cpu.getKey(), s, e, row);
                }
            }
            if (open != null) {
                spans.add(open);
            }
            out.put(cpu.getKey(), List.copyOf(spans));
        }
        return new Frame(loaded, t0, t1, res, out);
    }

    /** The first event at or after the monotonic time (the thread's events are in time order). */
    private static int firstAtOrAfter(ExecThread t, long monotonicNs) {
        int lo = 0, hi = t.cpuSampleCount();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t.cpuSampleTs(mid) < monotonicNs) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

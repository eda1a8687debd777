package interleave.engine.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import interleave.engine.events.CountedCalls;
import interleave.engine.events.ExecThread;
import interleave.engine.events.ExecutionModel;

/** What a report says when the event model counted plain I/O calls instead of keeping them (its budget was reached). */
final class CountedCallsNote {
    /** Threads named one by one; the rest are summed in one line. */
    static final int THREADS_NAMED = 20;

    private CountedCallsNote() {
    }

    /** Nothing when every call was kept; else one line for the whole run, then one per thread (the busiest first). */
    static List<String> lines(ExecutionModel m) {
        if (m.countedCalls() == 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "the budget of %,d kept events was reached (--model-budget): %,d plain"
                + " I/O calls with nothing inside them were kept as counts per thread instead of one by one; the"
                + " findings are the same, the timeline does not show those calls", m.budget(), m.countedCalls()));
        if (m.cpuSamplesLeftOut() > 0) {
            out.add(String.format(Locale.ROOT, "past the budget, the CPU of %,d events was not kept event by event"
                    + " (the calls and instants shown still name theirs)", m.cpuSamplesLeftOut()));
        }
        List<ExecThread> threads = new ArrayList<>(m.threads().stream().filter(t -> !t.countedCalls().isEmpty())
                .toList());
        threads.sort((a, b) -> Long.compare(calls(b), calls(a)));
        long restCalls = 0;
        int rest = 0;
        int named = 0;
        for (ExecThread t : threads) {
            if (named++ >= THREADS_NAMED) {
                rest++;
                restCalls += calls(t);
                continue;
            }
            out.add("thread " + t.label() + ": " + CountedCalls.summary(t, m.startNs()));
        }
        if (rest > 0) {
            out.add(String.format(Locale.ROOT, "%d more thread(s): %,d calls kept as counts", rest, restCalls));
        }
        return out;
    }

    private static long calls(ExecThread t) {
        long n = 0;
        for (CountedCalls c : t.countedCalls()) {
            n += c.calls();
        }
        return n;
    }
}

package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.trace.EventRef;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;

/** The calls a thread was still inside when its trace ended, outermost first (ENTER/EXIT paired as in §4.1). */
final class OpenCalls {
    private OpenCalls() {
    }

    /**
     * The earliest signal-handler run of the image's threads that never returned before the trace ended: from then on
     * that thread was stuck in its handler (deadlocked inside it, or still in it when the program was stopped), so it
     * could not do anything else, such as reaping children. Null if there is none.
     */
    static EventRef stuckHandler(ProcessImage img) {
        EventRef best = null;
        for (ThreadTrace t : img.threads()) {
            for (int i : atEnd(t)) {
                if (t.type(i) == SIGNAL_HANDLER && (best == null || t.ts(i) < best.ts())) {
                    best = new EventRef(t, i);
                }
            }
        }
        return best;
    }

    static List<Integer> atEnd(ThreadTrace t) {
        List<Integer> stack = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            if (t.phase(i) == ENTER) {
                stack.add(i);
            } else if (t.phase(i) == EXIT) {
                for (int k = stack.size() - 1; k >= 0; k--) {
                    if (t.type(stack.get(k)) == t.type(i)) {
                        stack.subList(k, stack.size()).clear();
                        break;
                    }
                }
            }
        }
        return stack;
    }
}

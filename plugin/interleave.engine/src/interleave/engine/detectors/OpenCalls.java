package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.List;

import interleave.engine.trace.ThreadTrace;

/** The calls a thread was still inside when its trace ended, outermost first (ENTER/EXIT paired as in §4.1). */
final class OpenCalls {
    private OpenCalls() {
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

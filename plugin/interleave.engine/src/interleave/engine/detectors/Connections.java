package interleave.engine.detectors;

import static interleave.engine.trace.RecordType.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import interleave.engine.trace.EventRef;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.ThreadTrace;

/**
 * Accepted connections and their copies: for each process image, every descriptor that holds a connection (accepted
 * there, or inherited through fork), from when it is open there until it is closed there.
 */
final class Connections {
    /** One process's descriptor for one accepted connection. */
    record Conn(ProcessImage image, long fd, EventRef accept, long openTs, long closeTs) {
        boolean openAt(long ts) {
            return openTs <= ts && ts < closeTs;
        }
    }

    private final Map<ProcessImage, List<Conn>> byImage = new IdentityHashMap<>();

    List<Conn> of(ProcessImage img) {
        List<Conn> done = byImage.get(img);
        if (done != null) {
            return done;
        }
        List<EventRef> events = img.eventsInTimeOrder();
        List<Conn> out = new ArrayList<>();
        // copies inherited from the parent at fork time (exec'd images: close-on-exec is not recorded, so none)
        if (img.origin() == ProcessImage.Origin.FORK && img.parent().isPresent()) {
            long forked = forkEnterTs(img);
            for (Conn c : of(img.parent().get())) {
                if (c.openAt(forked)) {
                    out.add(new Conn(img, c.fd(), c.accept(), img.imageStartNs(), closeAfter(events, c.fd(),
                            img.imageStartNs())));
                }
            }
        }
        for (EventRef e : events) {
            ThreadTrace t = e.thread();
            int i = e.index();
            if (t.type(i) == ACCEPT && t.phase(i) == EXIT && t.arg(i, 3) >= 0) {
                out.add(new Conn(img, t.arg(i, 3), e, t.ts(i), closeAfter(events, t.arg(i, 3), t.ts(i))));
            }
        }
        byImage.put(img, out);
        return out;
    }

    private static long closeAfter(List<EventRef> events, long fd, long ts) {
        for (EventRef e : events) {
            if (e.ts() >= ts && e.thread().type(e.index()) == CLOSE && e.thread().arg(e.index(), 0) == fd) {
                return e.ts();
            }
        }
        return Long.MAX_VALUE;
    }

    static long forkEnterTs(ProcessImage child) {
        ThreadTrace main = child.mainThread().orElse(null);
        if (main != null && main.size() > 0 && main.type(0) == FORK_CHILD && main.arg(0, 3) != 0) {
            return main.arg(0, 3);
        }
        return child.imageStartNs();
    }

}

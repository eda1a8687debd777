package interleave.engine.detectors;

import java.util.List;

import interleave.engine.events.ExecProcess;
import interleave.engine.events.Lock;
import interleave.engine.finding.SourceRange;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.ProcessImage;
import interleave.engine.trace.Symbolizer.SourceLine;

/**
 * Names and places for lock findings: a mutex by the global variable at its address ({@code m1}, {@code table+64}),
 * else by its address; an acquisition by its caller when {@code pthread_mutex_lock} was called from a helper (the
 * helper inlined into its caller, or the caller's return address the agent found on the stack, format §5 LOCK_EDGE).
 */
final class LockSites {
    private LockSites() {
    }

    /** {@code m1} or {@code 0x55d0c8a041c0}. */
    static String name(TimelineModel model, ProcessImage img, long mutex) {
        return model.symbolizer().dataName(img, mutex).orElse("0x" + Long.toHexString(mutex));
    }

    /** A lock of the event model: by its global's name when the symbols have one, else its name or address. */
    static String name(Locations at, ExecProcess p, long mutex) {
        ProcessImage img = at.image(p);
        if (img != null) {
            return name(at.timeline().orElseThrow(), img, mutex);
        }
        return p.lock(mutex).flatMap(Lock::name).orElse("0x" + Long.toHexString(mutex));
    }

    static Site site(Locations at, ExecProcess p, long ra, long ra2) {
        ProcessImage img = at.image(p);
        if (img != null) {
            return site(at.timeline().orElseThrow(), img, ra, ra2);
        }
        Evidence.Place place = at.place(p, ra, true);
        return new Site(place, place.description());
    }

    /** Where a lock was taken: the place to point at (the caller) and a text naming both frames. */
    record Site(Evidence.Place place, String text) {
    }

    static Site site(TimelineModel model, ProcessImage img, long ra, long ra2) {
        if (ra == 0) {
            Evidence.Place p = Evidence.place(model, img, 0, true);
            return new Site(p, p.description());
        }
        List<SourceLine> chain = model.symbolizer().inlineChain(img, ra);
        SourceLine inner = chain.get(0);
        if (chain.size() > 1) { // helper inlined into its caller: point at the caller's line
            SourceLine outer = chain.get(chain.size() - 1);
            if (outer.hasLine()) {
                return new Site(new Evidence.Place(SourceRange.line(outer.file(), outer.line()), outer.describe(), true),
                        outer.describe() + " through " + inner.describe());
            }
        }
        Evidence.Place direct = Evidence.place(model, img, ra, true);
        if (ra2 != 0) {
            SourceLine caller = model.symbolizer().symbolize(img, ra2, true);
            if (caller.hasLine() && inner.hasLine() && caller.function() != null
                    && !caller.function().equals(inner.function())) {
                return new Site(new Evidence.Place(SourceRange.line(caller.file(), caller.line()), caller.describe(),
                        true), caller.describe() + " through " + inner.describe());
            }
        }
        return new Site(direct, direct.description());
    }
}

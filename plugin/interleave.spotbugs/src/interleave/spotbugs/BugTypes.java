package interleave.spotbugs;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which SpotBugs bug types Interleave shows, and the Interleave rule (and lecture concept) each one duplicates. The
 * rule ids are constants so that they can be set to the Java rules' ids in one place.
 */
public final class BugTypes {
    private BugTypes() {
    }

    /** Interleave's rule for a write to shared data without a lock ({@code count++} on a volatile included). */
    public static final String UNSYNCHRONIZED_SHARED_WRITE = "unsynchronized-shared-write";
    /** Interleave's rule for sleeping, waiting or blocking I/O while holding a lock. */
    public static final String BLOCKING_UNDER_LOCK = "blocking-call-under-lock";
    /** Interleave's rule for a socket or stream not closed on every path. */
    public static final String SOCKET_NOT_CLOSED = "accepted-socket-not-closed";
    /** Interleave's rule for two locks taken in opposite orders. */
    public static final String LOCK_ORDER_INVERSION = "lock-order-inversion";

    /** SpotBugs' category of multithreaded-correctness bugs: all of it is shown. */
    public static final String MT_CORRECTNESS = "MT_CORRECTNESS";
    /** Resource bug types of other categories that are shown: obligations, open streams, database resources. */
    static final Set<String> RESOURCE_PREFIXES = Set.of("OBL_", "OS_", "ODR_");

    /**
     * Shown as notes whatever SpotBugs' priority: on real servers they fire mostly on state that one thread owns
     * (fields of a Netty channel confined to its event loop, Jetty settings written before start): 56 of 61 findings
     * on jetty-server 12.1.13 and netty-transport 4.1.118, none of them a race as far as we could tell.
     */
    static final Set<String> WEAK_EVIDENCE = Set.of("AT_STALE_THREAD_WRITE_OF_PRIMITIVE", "AT_NONATOMIC_64BIT_PRIMITIVE");

    /** A shown bug type's Interleave twin and the lecture's words for it. */
    record Twin(String ruleId, String concept) {
    }

    private static final Map<String, Twin> TWINS = Map.ofEntries(
            Map.entry("VO_VOLATILE_INCREMENT", new Twin(UNSYNCHRONIZED_SHARED_WRITE, "data race")),
            Map.entry("AT_NONATOMIC_OPERATIONS_ON_SHARED_VARIABLE",
                    new Twin(UNSYNCHRONIZED_SHARED_WRITE, "data race")),
            Map.entry("AT_NONATOMIC_64BIT_PRIMITIVE", new Twin(UNSYNCHRONIZED_SHARED_WRITE, "data race")),
            Map.entry("AT_STALE_THREAD_WRITE_OF_PRIMITIVE", new Twin(UNSYNCHRONIZED_SHARED_WRITE, "data race")),
            Map.entry("IS2_INCONSISTENT_SYNC", new Twin(UNSYNCHRONIZED_SHARED_WRITE, "data race")),
            Map.entry("IS_FIELD_NOT_GUARDED", new Twin(UNSYNCHRONIZED_SHARED_WRITE, "data race")),
            Map.entry("STCAL_INVOKE_ON_STATIC_CALENDAR_INSTANCE",
                    new Twin(UNSYNCHRONIZED_SHARED_WRITE, "thread-unsafe library state shared by threads")),
            Map.entry("SWL_SLEEP_WITH_LOCK_HELD", new Twin(BLOCKING_UNDER_LOCK, "starvation: waiting while holding a lock")),
            Map.entry("TLW_TWO_LOCK_WAIT", new Twin(BLOCKING_UNDER_LOCK, "deadlock: waiting while holding a second lock")),
            Map.entry("UL_UNRELEASED_LOCK", new Twin(BLOCKING_UNDER_LOCK, "a lock not released on every path")),
            Map.entry("OBL_UNSATISFIED_OBLIGATION", new Twin(SOCKET_NOT_CLOSED, "descriptors are resources")),
            Map.entry("OBL_UNSATISFIED_OBLIGATION_EXCEPTION_EDGE",
                    new Twin(SOCKET_NOT_CLOSED, "descriptors are resources")),
            Map.entry("OS_OPEN_STREAM", new Twin(SOCKET_NOT_CLOSED, "descriptors are resources")),
            Map.entry("OS_OPEN_STREAM_EXCEPTION_PATH", new Twin(SOCKET_NOT_CLOSED, "descriptors are resources")));

    /** True if Interleave shows findings of this type and category. */
    static boolean shown(String type, String category) {
        return MT_CORRECTNESS.equals(category) || RESOURCE_PREFIXES.stream().anyMatch(type::startsWith);
    }

    static Optional<Twin> twin(String type) {
        return Optional.ofNullable(TWINS.get(type));
    }
}

package interleave.engine.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A shared variable whose accesses a source watched (hardware watchpoints): each thread's loads and stores with the
 * value and the locks it held, and whether a thread's sample budget ran out.
 */
public final class WatchedVariable {
    /**
     * One access: kind {@link Kinds#WATCH_READ}, {@link Kinds#WATCH_WRITTEN} or {@link Kinds#WATCH_ACCESSED} (value
     * unknown); {@code instruction} its address (0 unknown), {@code next} the one after it; {@code ref} orders
     * accesses of one thread at the same time.
     */
    public record Access(ExecThread thread, long ts, String kind, long value, long instruction, long next,
            Set<Long> held, long ref) {
        public long codeAddress() {
            return instruction != 0 ? instruction : next;
        }
    }

    private final ExecProcess process;
    private final long address;
    String name;
    int bytes;
    long budget;
    final List<Access> accesses = new ArrayList<>();
    final Map<ExecThread, Boolean> budgetSpent = new LinkedHashMap<>();

    WatchedVariable(ExecProcess process, long address) {
        this.process = process;
        this.address = address;
    }

    public ExecProcess process() {
        return process;
    }

    public long address() {
        return address;
    }

    /** Its name as the source gave it (from the program's symbols), if any. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    public int bytes() {
        return bytes;
    }

    /** Accesses each thread could record (0 = no limit). */
    public long budget() {
        return budget;
    }

    /** Every access, thread by thread, each thread's in the order read. */
    public List<Access> accesses() {
        return Collections.unmodifiableList(accesses);
    }

    /** For each thread that finished watching: whether its budget ran out (later accesses were not seen). */
    public Map<ExecThread, Boolean> budgetSpent() {
        return Collections.unmodifiableMap(budgetSpent);
    }

    @Override
    public String toString() {
        return "watched 0x" + Long.toHexString(address) + " " + name + " bytes=" + bytes + " budget=" + budget
                + " accesses=" + accesses.size() + " spent=" + budgetSpent.values();
    }
}

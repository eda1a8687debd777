package interleave.engine.events;

/** How a process ended: exited with a status, killed by a signal, or not ended (yet) as far as the trace shows. */
public record Exit(How how, int value, long ts) {
    public enum How {
        /** exit(), _exit() or main returned; value = status */
        EXITED,
        /** killed; value = the signal number (from the parent's wait status) */
        KILLED,
        /** replaced by exec; value 0 */
        EXECED,
        /** no end seen: still running, or the trace stopped first */
        RUNNING
    }

    static final Exit RUNNING_NOW = new Exit(How.RUNNING, 0, -1);

    @Override
    public String toString() {
        return switch (how) {
            case EXITED -> "exited with status " + value;
            case KILLED -> "killed by signal " + value;
            case EXECED -> "replaced by exec";
            case RUNNING -> "running";
        };
    }
}

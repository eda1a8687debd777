package interleave.engine.experiments;

/** What a running experiment tells its caller (a terminal line, an Eclipse progress monitor), and how it is stopped. */
public interface ExperimentProgress {
    /** Step {@code done} of {@code total} is finished; {@code what} says what comes next or what just ended. */
    void step(int done, int total, String what);

    /** Polled between steps and while a process runs: true stops the experiment and every process it started. */
    default boolean cancelled() {
        return false;
    }

    /** A process was started (the Eclipse side records it, so closing Eclipse stops it too). */
    default void started(Process process) {
    }

    ExperimentProgress NONE = (done, total, what) -> {
    };
}

package interleave.engine.events;

/** Whether the run behind a model can still grow (as Trace Compass answers RUNNING or COMPLETED). */
public enum Status {
    RUNNING, COMPLETED
}

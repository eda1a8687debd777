package interleave.engine.events;

/**
 * Where a model's events come from: the tracing agent's files today, a JDK Flight Recorder recording next. A source
 * reads what is new since its last call and appends it through the builder; it is the only code that knows its
 * format. Calling it again on a run that grew appends the rest.
 */
public interface TraceSource {
    /**
     * Appends what was recorded since the last call and ends the refresh ({@link ModelBuilder#finish}).
     *
     * @return true when the model changed
     */
    boolean refresh(ModelBuilder builder) throws SourceException;
}

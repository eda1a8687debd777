package interleave.engine.detectors;

import java.util.function.Consumer;

import interleave.engine.events.ExecutionModel;
import interleave.engine.finding.Finding;
import interleave.engine.timeline.TimelineModel;
import interleave.engine.trace.TraceRun;

/**
 * A detector that still reads the agent's records (not yet moved to the event model): it judges only runs of the
 * agent, through the trace behind the timeline model. Each one moved to {@link DynamicDetector} drops this.
 */
interface RecordDetector extends DynamicDetector {
    void detect(TraceRun run, TimelineModel model, Consumer<Finding> sink);

    @Override
    default void detect(ExecutionModel run, Locations at, Consumer<Finding> sink) {
        at.timeline().ifPresent(model -> detect(model.run(), model, sink)); // no records without the agent's run
    }
}

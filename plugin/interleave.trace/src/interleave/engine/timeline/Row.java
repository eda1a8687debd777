package interleave.engine.timeline;

/**
 * One lane of the timeline: a process (image) or one of its threads. Times are ns since the model's origin.
 *
 * @param parentId the process row of a thread row, -1 for a process row
 */
public record Row(int id, int parentId, Kind kind, int pid, int tid, String label, long startNs, long endNs) {
    public enum Kind {
        PROCESS, THREAD
    }
}

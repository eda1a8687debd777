package interleave.engine.finding;

/**
 * Where on a timeline a dynamic finding happened: process, thread and monotonic time in nanoseconds since the run
 * started. Static findings have none.
 */
public record TraceMoment(int pid, int tid, long timeNanos) {
}

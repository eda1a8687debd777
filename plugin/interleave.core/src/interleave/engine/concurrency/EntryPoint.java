package interleave.engine.concurrency;

import java.util.Objects;

import interleave.engine.finding.SourceRange;

/**
 * Code that starts running on its own: {@code main}, a thread's start routine, a task given to an executor, a signal
 * handler.
 *
 * @param key      unique within one program (e.g. the function's or method's qualified name plus its kind)
 * @param name     as the user writes it: {@code worker}, {@code Worker.run}, {@code lambda in Server.serve}
 * @param kind     what starts it
 * @param multiple whether two or more instances can run at once (a start routine created in a loop, a pool task)
 * @param program  the program (an executable, or a Java main class) it belongs to; entries of different programs
 *                 never run at the same time in one process. Empty when the front end cannot tell (a C start routine
 *                 started from files of several programs): such an entry may run beside any other
 * @param start    where it is started (the {@code pthread_create}, {@code new Thread}, {@code submit}), or the
 *                 definition for {@code main}
 */
public record EntryPoint(String key, String name, Kind kind, boolean multiple, String program, SourceRange start) {

    public enum Kind {
        MAIN, THREAD, TASK, SIGNAL_HANDLER
    }

    public EntryPoint {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(program, "program");
    }

    /** Whether this entry and {@code other} can run at the same time in one process. */
    public boolean concurrentWith(EntryPoint other) {
        boolean sameProcess = program.isEmpty() || other.program.isEmpty() || program.equals(other.program);
        return sameProcess && (!key.equals(other.key) || multiple);
    }
}

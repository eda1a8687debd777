package interleave.engine.rules.concurrency;

import interleave.engine.concurrency.EntryPoint;

/** How the neutral rules name an entry point in their messages, in the lecture's words. */
final class Entries {
    private Entries() {
    }

    /** "main()", "each thread running worker()", "the thread running worker()", "each task running ...". */
    static String who(EntryPoint e) {
        return switch (e.kind()) {
        case MAIN -> e.name() + "()";
        case SIGNAL_HANDLER -> "the signal handler " + e.name() + "()";
        case TASK -> (e.multiple() ? "each task running " : "the task running ") + e.name() + "()";
        case THREAD -> (e.multiple() ? "each thread running " : "the thread running ") + e.name() + "()";
        };
    }

    /** Where an entry point is started, for a note: "worker() is started as a thread here". */
    static String started(EntryPoint e) {
        return switch (e.kind()) {
        case TASK -> e.name() + "() is submitted as a task here";
        case SIGNAL_HANDLER -> e.name() + "() is installed as a signal handler here";
        default -> e.name() + "() is started as a thread here";
        };
    }
}

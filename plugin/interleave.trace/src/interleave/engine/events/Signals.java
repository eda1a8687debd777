// Generated from agent/schema/events.def by agent/schema/Generator.java: do not edit.
package interleave.engine.events;

/** Signal names for messages, by number as on Linux x86-64 (what a trace source records). */
public final class Signals {
    private Signals() {
    }

    public static String name(int signo) {
        return switch (signo) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 10 -> "SIGUSR1";
            case 11 -> "SIGSEGV";
            case 12 -> "SIGUSR2";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            case 17 -> "SIGCHLD";
            default -> "signal " + signo;
        };
    }

    public static final int SIGCHLD = 17;
}

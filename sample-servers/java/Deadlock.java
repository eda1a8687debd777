/*
 * Deadlock - two threads take the same two monitors in opposite orders (the
 * Java twin of deadlock.c).
 *
 * Lecture concept: deadlock, lock ordering. Thread A enters `synchronized
 * (m1)` and then wants m2; thread B enters m2 and then wants m1. If both get
 * their first monitor before either gets its second, each waits for one the
 * other never releases. Java monitors have no timeout and cannot be
 * interrupted, so the two threads stay blocked for good. A short sleep
 * between the two (the --sleep, default 100 ms; sleeping while holding a
 * monitor is itself what a lock should never see) makes that interleaving
 * practically certain.
 *
 * THE BUG (one line, marked "BUG" in main): B takes m2 before m1 while A
 * takes m1 before m2. Correct form: every thread takes the monitors in one
 * global order (m1 before m2); --ordered runs that version, which finishes.
 *
 * Only main watches: it joins the threads with a timeout and, if they have
 * not finished after --timeout seconds, asks the JVM which threads are
 * deadlocked on monitors (ThreadMXBean.findMonitorDeadlockedThreads), prints
 * who holds and who waits for what, and exits with status 3 (0 = finished,
 * 2 = usage).
 *
 * Run:   bin/java/deadlock [--timeout SECONDS] [--sleep MS] [--ordered]
 */
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

public final class Deadlock {
    static final int EXIT_DEADLOCKED = 3;

    /** A monitor with a name, so the report can say which one. */
    record Monitor(String name) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Monitor m1 = new Monitor("m1");
    static final Monitor m2 = new Monitor("m2");

    /** One thread's work: take {@code first}, sleep while holding it, then take {@code second}. */
    record Worker(String name, Monitor first, Monitor second, long sleepMillis) implements Runnable {
        @Override
        public void run() {
            synchronized (first) {
                try {
                    Thread.sleep(sleepMillis); // gives the other thread time to take its first monitor
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (second) {
                    System.out.println("thread " + name + ": got " + first + " and " + second);
                }
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        long timeout = 5;
        long sleepMillis = 100;
        boolean ordered = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    System.out.println(usage());
                    return;
                }
                case "--ordered" -> ordered = true;
                case "--timeout", "--sleep" -> {
                    long v = i + 1 < args.length ? SampleServer.number(args[++i], 0, 3600_000) : -1;
                    if (v < 0) {
                        System.err.println("deadlock: bad " + a + " (want a number of "
                                + (a.equals("--sleep") ? "milliseconds" : "seconds") + ")");
                        System.err.println(usage());
                        System.exit(2);
                    }
                    if (a.equals("--sleep")) {
                        sleepMillis = v;
                    } else {
                        timeout = v;
                    }
                }
                default -> {
                    System.err.println("deadlock: unexpected argument '" + a + "'");
                    System.err.println(usage());
                    System.exit(2);
                }
            }
        }
        System.out.println("deadlock: thread A locks m1 then m2, thread B locks "
                + (ordered ? "m1 then m2" : "m2 then m1") + " (timeout " + timeout + " s)");
        Thread a = new Thread(new Worker("A", m1, m2, sleepMillis), "A");
        // BUG (unless --ordered): B takes m2 first while A takes m1 first
        Thread b = new Thread(ordered ? new Worker("B", m1, m2, sleepMillis) : new Worker("B", m2, m1, sleepMillis), "B");
        // daemons: main can end the process while they are stuck
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        long deadline = System.nanoTime() + timeout * 1_000_000_000L;
        a.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        b.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (a.isAlive() || b.isAlive()) {
            System.out.println(report());
            System.out.flush();
            System.exit(EXIT_DEADLOCKED);
        }
        System.out.println("finished: both threads got both locks, no deadlock");
    }

    /** Who holds and waits for what, as the JVM sees it. */
    static String report() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] ids = mx.findMonitorDeadlockedThreads();
        if (ids == null) {
            return "deadlock: not finished after the timeout, but the JVM sees no monitor deadlock";
        }
        StringBuilder sb = new StringBuilder("deadlocked:");
        String sep = " ";
        ThreadInfo[] infos = mx.getThreadInfo(ids, true, false);
        java.util.Arrays.sort(infos, java.util.Comparator.comparing(ThreadInfo::getThreadName));
        for (ThreadInfo t : infos) {
            String held = t.getLockedMonitors().length > 0 ? nameOf(t.getLockedMonitors()[0].getIdentityHashCode())
                    : "?";
            String waits = nameOf(t.getLockInfo().getIdentityHashCode());
            sb.append(sep).append("thread ").append(t.getThreadName()).append(" holds ").append(held)
                    .append(" waits ").append(waits);
            sep = ", ";
        }
        return sb.append(" (found by the JVM's ThreadMXBean)").toString();
    }

    private static String nameOf(int identityHash) {
        return identityHash == System.identityHashCode(m1) ? "m1"
                : identityHash == System.identityHashCode(m2) ? "m2" : "?";
    }

    static String usage() {
        return "usage: deadlock [--timeout SECONDS] [--sleep MS] [--ordered]\n"
                + "  two threads take monitors m1 and m2 in opposite orders; after --timeout s (default 5)\n"
                + "  the JVM's deadlock detection reports who holds what, exit 3; --ordered: one order, exit 0";
    }
}

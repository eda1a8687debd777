/*
 * EchoPoolCounter - pool echo server that counts the lines it echoed in a
 * volatile field, with ++ from every worker (the Java twin of badcnt.c).
 *
 * Lecture concept: data race. `volatile` makes every read and write of the
 * field go to memory and be seen by other threads, but it does not make
 * `linesEchoed++` atomic: that is a read, an add and a write, and two workers
 * that read the same value both write back value + 1. One increment is lost.
 *
 * THE BUG (one line, marked "BUG" in countLine): an unsynchronized
 * read-modify-write of a field shared by all the pool's workers. Correct
 * form: an AtomicLong or LongAdder (as `exact` is here), or the increment in
 * a synchronized block. When it stops, the server prints both counts; with
 * several clients at once on a multi-core machine the volatile one usually
 * comes out lower:
 *   echo-pool-counter: echoed 80000 lines; the volatile counter says 79873 (127 updates lost)
 *
 * Run:   bin/java/echo-pool-counter [-p PORT | PORT] [--max-clients N]   (port 15112)
 * See:   bin/echo-client -p 15112 -c 8 -n 80000, then kill -TERM the server
 */
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

public final class EchoPoolCounter {
    static final String NAME = "echo-pool-counter";
    static final int WORKERS = 16;

    /** Lines echoed, as the buggy statistics count them. */
    private static volatile long linesEchoed;
    /** The same count kept correctly, to show what was lost. */
    private static final LongAdder exact = new LongAdder();

    public static void main(String[] args) throws IOException, InterruptedException {
        SampleServer.Options o = SampleServer.parse(args, NAME,
                "BUG: workers count echoed lines with ++ on a volatile field (lost updates)", 15112);
        ServerSocket listener = SampleServer.listen(o);
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        long accepted = 0;
        try (listener) {
            while (o.maxClients() == 0 || accepted < o.maxClients()) {
                Socket conn;
                try {
                    conn = listener.accept();
                } catch (IOException e) {
                    if (SampleServer.stopping()) {
                        break;
                    }
                    throw e;
                }
                accepted++;
                pool.execute(() -> serve(conn));
            }
        } finally {
            pool.shutdown();
        }
        if (!SampleServer.stopping()) {
            pool.awaitTermination(1, TimeUnit.DAYS);
        } else {
            // the clients of a demo are done by now; give a worker that is still writing a moment
            pool.awaitTermination(200, TimeUnit.MILLISECONDS);
        }
        long counted = linesEchoed;
        long lines = exact.sum();
        System.out.println(NAME + ": echoed " + lines + " lines; the volatile counter says " + counted
                + (counted == lines ? " (no update lost this time)" : " (" + (lines - counted) + " updates lost)"));
        System.out.flush();
        SampleServer.mainDone();
    }

    static void serve(Socket conn) {
        try (conn) {
            SampleServer.echoLines(conn, EchoPoolCounter::countLine);
        } catch (IOException e) {
            // the client reset the connection: nothing to answer
        }
    }

    static void countLine() {
        linesEchoed++; // BUG: read, add, write; two workers can read the same value
        exact.increment();
    }
}

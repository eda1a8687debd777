/*
 * EchoPool - correct echo server on a fixed pool of worker threads.
 *
 * Lecture concept: thread-based server with pre-created threads (the
 * prethreaded server: a bounded set of workers takes connections from a
 * queue). An ExecutorService is that pattern in the JDK: the main thread
 * accepts and hands each connection to the pool as a task; a free worker runs
 * it. The pool bounds how many clients are served at once; more persistent
 * clients than workers wait in the queue, connected but not served, as the
 * second client of the iterative server does.
 *
 * Correct because each task captures its own connection and closes it, the
 * count of served connections is an AtomicLong (compare EchoPoolCounter),
 * and the pool is shut down when the server stops.
 *
 * Run:   bin/java/echo-pool [-p PORT | PORT] [--max-clients N]   (port 15102)
 */
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public final class EchoPool {
    static final String NAME = "echo-pool";
    static final int WORKERS = 16;

    private static final AtomicLong served = new AtomicLong();

    public static void main(String[] args) throws IOException, InterruptedException {
        SampleServer.Options o = SampleServer.parse(args, NAME,
                "correct echo server on a pool of " + WORKERS + " worker threads (ExecutorService)", 15102);
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
            // no new tasks; a bounded run lets the accepted ones finish, a stop does not wait for them
            pool.shutdown();
        }
        if (!SampleServer.stopping()) {
            pool.awaitTermination(1, TimeUnit.DAYS);
            System.out.println(NAME + ": served " + served.get() + " connections");
        }
        SampleServer.mainDone();
    }

    static void serve(Socket conn) {
        try (conn) {
            SampleServer.echoLines(conn);
        } catch (IOException e) {
            // the client reset the connection: nothing to answer
        } finally {
            served.incrementAndGet();
        }
    }
}

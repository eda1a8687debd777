/*
 * EchoNoClose - pool echo server whose tasks never close their socket (the
 * Java twin of echo-process-noclose.c).
 *
 * Lecture concept: a descriptor is a resource of the process. Every accepted
 * Socket holds one file descriptor until close(); a server that forgets to
 * close keeps one per client it ever had, and its clients never see the
 * server's EOF (the connection stays half open, in CLOSE_WAIT). A Java twist:
 * the JDK closes the descriptor of a Socket that became garbage, but only
 * when a garbage collection happens to run, which in a small server may be
 * never; until then `ls /proc/PID/fd` grows by one per connection. (A
 * thread per connection would hide the leak sooner: every thread that ends
 * leaves its allocation buffer unused, and the collections that follow close
 * the lost sockets. The pool's workers live on, and the leak stays.)
 *
 * THE BUG (marked "BUG" in serve): the task echoes until the client closes
 * and returns without closing the socket. Correct form: try-with-resources
 * on the socket in the task that serves it, as in EchoPool.
 *
 * Run:   bin/java/echo-noclose [-p PORT | PORT] [--max-clients N]   (port 15113)
 * See:   bin/echo-client -p 15113 -m per-request -n 50; ls /proc/PID/fd | wc -l
 */
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public final class EchoNoClose {
    static final String NAME = "echo-noclose";
    static final int WORKERS = 16;

    public static void main(String[] args) throws IOException, InterruptedException {
        SampleServer.Options o = SampleServer.parse(args, NAME,
                "BUG: pool tasks never close their socket (one descriptor leaks per client)", 15113);
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
        }
        SampleServer.mainDone();
    }

    static void serve(Socket conn) {
        try {
            SampleServer.echoLines(conn);
        } catch (IOException e) {
            // the client reset the connection: nothing to answer
        }
        // BUG: conn is never closed: its descriptor stays open, the client never sees EOF
    }
}

/*
 * EchoThread - correct thread-per-connection echo server (the Java twin of
 * echo-thread.c).
 *
 * Lecture concept: thread-based server. The main thread only accepts; each
 * connection gets a thread of its own. What makes it correct is what the C
 * version has to get right by hand:
 *   - each thread gets its own connection: `conn` is a new local variable in
 *     every iteration, and the lambda captures that value, not a place the
 *     loop writes again (compare EchoSharedHolder);
 *   - the thread that serves a connection closes it (try-with-resources), on
 *     every path, also when the client resets it (compare EchoNoClose);
 *   - nobody has to join or detach: a Java thread's resources go when its run
 *     method returns.
 *
 * Run:   bin/java/echo-thread [-p PORT | PORT] [--max-clients N]   (port 15101)
 */
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

public final class EchoThread {
    static final String NAME = "echo-thread";

    public static void main(String[] args) throws IOException, InterruptedException {
        SampleServer.Options o = SampleServer.parse(args, NAME,
                "correct thread-per-connection echo server (one new thread per client)", 15101);
        ServerSocket listener = SampleServer.listen(o);
        List<Thread> threads = new ArrayList<>();
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
                Thread t = new Thread(() -> serve(conn), "conn-" + accepted);
                t.start();
                if (o.maxClients() > 0) {
                    threads.add(t); // only a bounded run waits for its threads
                }
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        SampleServer.mainDone();
    }

    static void serve(Socket conn) {
        try (conn) {
            SampleServer.echoLines(conn);
        } catch (IOException e) {
            // the client reset the connection: nothing to answer
        }
    }
}

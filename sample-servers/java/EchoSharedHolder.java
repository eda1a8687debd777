/*
 * EchoSharedHolder - thread-per-connection echo server whose threads share
 * one mutable holder (the Java twin of echo-thread-stackarg.c).
 *
 * Lecture concept: unintended sharing. In C the accept loop passes &connfd,
 * the address of its own variable, to every new thread; a thread that starts
 * late reads the descriptor of a later client. Java has no addresses, but the
 * same bug has a Java form: one mutable object that the accept loop keeps
 * overwriting, handed to each new thread. The lambda captures the reference
 * to the holder, not the socket that was in it at the time.
 *
 * THE BUG (one line, marked "BUG" in main): the holder is created once,
 * before the loop, and reused for every connection. When two clients connect
 * close together, the first thread may read the holder after the loop stored
 * the second socket: two threads serve (and close) one client, the other is
 * served by nobody and waits. Correct form: a fresh holder (or simply the
 * socket itself, a new local each iteration) per connection, as in
 * EchoThread.
 *
 * Run:   bin/java/echo-shared-holder [-p PORT | PORT] [--max-clients N]   (port 15111)
 * See:   bin/echo-client -p 15111 -m per-request -c 8 -n 400 -t 3   (timeouts, resets)
 */
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

public final class EchoSharedHolder {
    static final String NAME = "echo-shared-holder";

    /** What a connection thread needs to know about its client. */
    static final class Connection {
        Socket socket;
        long number;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        SampleServer.Options o = SampleServer.parse(args, NAME,
                "BUG: one Connection holder, overwritten by the accept loop, shared by every thread", 15111);
        ServerSocket listener = SampleServer.listen(o);
        List<Thread> threads = new ArrayList<>();
        Connection current = new Connection(); // BUG: one holder for all connections, not one per connection
        try (listener) {
            while (o.maxClients() == 0 || current.number < o.maxClients()) {
                try {
                    current.socket = listener.accept();
                } catch (IOException e) {
                    if (SampleServer.stopping()) {
                        break;
                    }
                    throw e;
                }
                current.number++;
                Thread t = new Thread(() -> serve(current), "conn-" + current.number);
                t.start();
                if (o.maxClients() > 0) {
                    threads.add(t);
                }
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        SampleServer.mainDone();
    }

    static void serve(Connection c) {
        // reads the holder when this thread runs, which may be after the next accept()
        try (Socket conn = c.socket) {
            SampleServer.echoLines(conn);
        } catch (IOException e) {
            // reset, or closed under us by the other thread that got the same socket
        }
    }
}

/*
 * SampleServer - the plumbing the Java sample servers share, the Java twin of
 * common.c: the command line, the listening socket, the stop on SIGTERM or
 * SIGINT, and the line echo loop. None of the bugs lives here; every sample
 * keeps its one bug in its own file.
 *
 * Conventions (the same as the C samples, see README.md):
 *   -p PORT or a positional PORT, 0 = any free port, 127.0.0.1 only;
 *   prints "listening on 127.0.0.1:PORT" once listening;
 *   --max-clients N: stop accepting after N connections, let them finish,
 *   exit 0; SIGTERM/SIGINT: stop, exit 0; cannot bind: one line, exit 2;
 *   bad arguments: usage on stderr, exit 2; --help: usage on stdout.
 */
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

final class SampleServer {
    /** A line longer than this is passed on in pieces, as the C servers do. */
    static final int MAX_LINE = 8192;

    /** What the command line asked for; maxClients 0 = serve until stopped. */
    record Options(String name, int port, long maxClients) {
    }

    private static volatile boolean stopping;
    private static volatile boolean exiting;
    private static final CountDownLatch MAIN_DONE = new CountDownLatch(1);

    private SampleServer() {
    }

    static Options parse(String[] args, String name, String what, int defaultPort) {
        int port = defaultPort;
        long maxClients = 0;
        boolean havePort = false;
        boolean havePositional = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    usage(System.out, name, what, defaultPort);
                    System.exit(0);
                }
                case "-p", "--port", "--max-clients" -> {
                    if (i + 1 >= args.length) {
                        bad(name, what, defaultPort, "option '" + a + "' needs an argument");
                    }
                    String v = args[++i];
                    if (a.equals("--max-clients")) {
                        maxClients = number(v, 1, Long.MAX_VALUE);
                        if (maxClients < 0) {
                            bad(name, what, defaultPort, "bad --max-clients '" + v + "' (want a number >= 1)");
                        }
                    } else {
                        port = (int) number(v, 0, 65535);
                        if (port < 0) {
                            bad(name, what, defaultPort, "bad port '" + v + "' (want 0..65535)");
                        }
                        havePort = true;
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        bad(name, what, defaultPort, "unknown option '" + a + "'");
                    }
                    if (havePort || havePositional) {
                        bad(name, what, defaultPort, "unexpected argument '" + a + "'");
                    }
                    port = (int) number(a, 0, 65535);
                    if (port < 0) {
                        bad(name, what, defaultPort, "bad port '" + a + "' (want 0..65535)");
                    }
                    havePositional = true;
                }
            }
        }
        return new Options(name, port, maxClients);
    }

    /** The number in s if it is one within [min, max], else -1. */
    static long number(String s, long min, long max) {
        try {
            long v = Long.parseLong(s);
            return v >= min && v <= max ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void bad(String name, String what, int defaultPort, String message) {
        System.err.println(name + ": " + message);
        usage(System.err, name, what, defaultPort);
        System.exit(2);
    }

    private static void usage(PrintStream out, String name, String what, int defaultPort) {
        out.printf("usage: %s [-p PORT | PORT] [--max-clients N]%n"
                + "  %s%n"
                + "  -p, --port PORT     TCP port on 127.0.0.1 (default %d, 0 = any free port)%n"
                + "  --max-clients N     exit after serving N connections (default: serve forever)%n"
                + "  -h, --help          show this help%n"
                + "Prints \"listening on 127.0.0.1:PORT\" once listening; stops on SIGTERM/SIGINT.%n",
                name, what, defaultPort);
        out.flush();
    }

    /** Listens on 127.0.0.1 only (blocking accept), prints the listening line and arranges the stop. */
    static ServerSocket listen(Options o) {
        ServerSocket listener = null;
        try {
            listener = new ServerSocket();
            // a restarted server may bind while old connections sit in TIME_WAIT
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), o.port()), 128);
        } catch (IOException e) {
            cannotListen(o, e);
        }
        ServerSocket l = listener;
        // closing the listening socket makes the blocked accept() throw: the accept loop ends
        onStop(() -> closeQuietly(l));
        listening(l.getLocalPort());
        return l;
    }

    /** The same for a non-blocking server: {@code wakeup} (the selector's) runs when a stop is asked for. */
    static ServerSocketChannel listenChannel(Options o, Runnable wakeup) {
        ServerSocketChannel listener = null;
        try {
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), o.port()), 128);
            listener.configureBlocking(false);
            onStop(wakeup);
            listening(((InetSocketAddress) listener.getLocalAddress()).getPort());
        } catch (IOException e) {
            closeQuietly(listener);
            cannotListen(o, e);
        }
        return listener;
    }

    private static void cannotListen(Options o, IOException e) {
        System.err.println(o.name() + ": cannot listen on 127.0.0.1:" + o.port() + ": " + e.getMessage());
        System.exit(2);
    }

    private static void listening(int port) {
        System.out.println("listening on 127.0.0.1:" + port);
        System.out.flush();
    }

    /**
     * The JVM runs shutdown hooks on SIGTERM, SIGINT and SIGHUP (and would then exit with 128 + the signal). This
     * hook marks the stop, runs {@code action} to wake main, waits for main to clean up and ends the process with
     * status 0. Connections still open are closed by the end of the process, so their clients see EOF.
     */
    private static void onStop(Runnable action) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (exiting) {
                return; // main ended by itself (--max-clients): keep its exit status
            }
            stopping = true;
            action.run();
            try {
                MAIN_DONE.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // stopping anyway
            }
            Runtime.getRuntime().halt(0);
        }, "stop"));
    }

    /** True once a SIGTERM or SIGINT asked the server to stop. */
    static boolean stopping() {
        return stopping;
    }

    /**
     * Main calls this when it has left its accept loop and cleaned up. After a stop the hook then ends the process
     * with status 0; otherwise the process ends as usual once its last non-daemon thread has finished.
     */
    static void mainDone() {
        if (!stopping) {
            exiting = true;
        }
        MAIN_DONE.countDown();
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // closing on the way out: nothing left to do with the error
        }
    }

    /**
     * Echoes lines: whatever arrives is buffered, and each line is written back once its newline arrived; a line
     * longer than {@link #MAX_LINE} is passed on in pieces, and a last line without a newline is written back when
     * the peer closes. Returns the number of bytes written back. Does not close the socket: the caller owns it.
     */
    static long echoLines(Socket s) throws IOException {
        return echoLines(s, () -> {
        });
    }

    /** {@link #echoLines(Socket)}, calling {@code perLine} once for every line written back. */
    static long echoLines(Socket s, Runnable perLine) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[MAX_LINE];
        int have = 0;
        long echoed = 0;
        while (true) {
            int n = in.read(buf, have, buf.length - have);
            if (n < 0) {
                break;
            }
            have += n;
            int lineEnd = lastNewline(buf, have);
            if (lineEnd >= 0) {
                out.write(buf, 0, lineEnd + 1);
                echoed += lineEnd + 1;
                for (int i = 0; i <= lineEnd; i++) {
                    if (buf[i] == '\n') {
                        perLine.run();
                    }
                }
                System.arraycopy(buf, lineEnd + 1, buf, 0, have - lineEnd - 1);
                have -= lineEnd + 1;
            } else if (have == buf.length) {
                out.write(buf, 0, have);
                echoed += have;
                have = 0;
            }
        }
        if (have > 0) {
            out.write(buf, 0, have);
            echoed += have;
        }
        out.flush();
        return echoed;
    }

    private static int lastNewline(byte[] buf, int have) {
        for (int i = have - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}

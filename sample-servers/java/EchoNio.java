/*
 * EchoNio - correct event-based echo server: one thread, one Selector (the
 * Java twin of echo-select.c).
 *
 * Lecture concept: event-based server, I/O multiplexing. Instead of a thread
 * per client, one thread asks the Selector which channels are ready (the
 * listening one: a client is waiting to be accepted; a connection: bytes
 * arrived, or its socket can take more output) and does only the work that
 * cannot block. All state lives in explicit per-connection objects, which is
 * what makes an event-based server harder to write: a line may arrive in
 * pieces, and a write may take only part of the data.
 *
 * Correct because each connection has its own input and output buffers
 * (attached to its SelectionKey), a line is echoed only once its newline has
 * arrived, a partial write waits for OP_WRITE and stops reading from that
 * client meanwhile (so a client that never reads cannot make the server
 * buffer without bound), and every channel is closed when its client leaves.
 * Nothing is shared between threads: there is only one.
 *
 * Run:   bin/java/echo-nio [-p PORT | PORT] [--max-clients N]   (port 15103)
 */
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

public final class EchoNio {
    static final String NAME = "echo-nio";

    /** One client's state between events. */
    static final class Connection {
        final ByteBuffer in = ByteBuffer.allocate(SampleServer.MAX_LINE); // filling: bytes not yet echoed
        ByteBuffer out = ByteBuffer.allocate(0);                          // draining: bytes to write back
        boolean eof;                                                      // the client closed its side
    }

    public static void main(String[] args) throws IOException {
        SampleServer.Options o = SampleServer.parse(args, NAME,
                "correct event-based echo server (one thread, java.nio Selector)", 15103);
        Selector selector = Selector.open();
        ServerSocketChannel listener = SampleServer.listenChannel(o, selector::wakeup);
        long accepted = 0;
        int open = 0; // connections not yet closed
        try (selector) {
            SelectionKey acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
            while (!SampleServer.stopping()) {
                if (!listener.isOpen() && open == 0) {
                    break; // --max-clients reached and every client served
                }
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key == acceptKey) {
                        SocketChannel conn = listener.accept();
                        if (conn == null) {
                            continue; // the client went away before we got to it
                        }
                        conn.configureBlocking(false);
                        conn.register(selector, SelectionKey.OP_READ, new Connection());
                        accepted++;
                        open++;
                        if (o.maxClients() > 0 && accepted >= o.maxClients()) {
                            acceptKey.cancel();
                            listener.close();
                        }
                    } else if (!handle(key)) {
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
            // on a stop, the clients still connected see EOF
            for (SelectionKey key : selector.keys()) {
                SampleServer.closeQuietly(key.channel());
            }
        } finally {
            SampleServer.closeQuietly(listener);
        }
        SampleServer.mainDone();
    }

    /**
     * Reads or writes what the ready key allows; closes the connection when it is done or broken. Returns false
     * once it is closed.
     */
    static boolean handle(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                if (ch.read(c.in) < 0) {
                    c.eof = true;
                }
                c.out = takeLines(c.in, c.eof);
            }
            ch.write(c.out);
            if (c.out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE); // the client is slow: wait, and read nothing meanwhile
            } else if (c.eof) {
                ch.close();
                return false;
            } else {
                key.interestOps(SelectionKey.OP_READ);
            }
            return true;
        } catch (IOException e) {
            SampleServer.closeQuietly(ch); // reset by the client
            return false;
        }
    }

    /**
     * The bytes of {@code in} that are due: every complete line, a full buffer with no newline (a long line in
     * pieces), or all of it at the client's EOF. What stays is moved to the start of {@code in}.
     */
    static ByteBuffer takeLines(ByteBuffer in, boolean eof) {
        int end = 0;
        for (int i = in.position() - 1; i >= 0; i--) {
            if (in.get(i) == '\n') {
                end = i + 1;
                break;
            }
        }
        if (eof || !in.hasRemaining()) {
            end = in.position();
        }
        byte[] due = new byte[end];
        in.flip();
        in.get(due);
        in.compact();
        return ByteBuffer.wrap(due);
    }
}

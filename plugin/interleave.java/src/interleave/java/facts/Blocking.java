package interleave.java.facts;

import java.util.Set;

import org.eclipse.jdt.core.dom.Expression;
import org.eclipse.jdt.core.dom.IMethodBinding;
import org.eclipse.jdt.core.dom.ITypeBinding;
import org.eclipse.jdt.core.dom.MethodInvocation;

/**
 * JDK calls that can make a thread wait for a long or unbounded time: sleeping, waiting for another thread or a
 * condition, and blocking I/O on streams, sockets and channels. Reads from in-memory streams do not block and are not
 * listed.
 */
final class Blocking {
    private static final Set<String> STREAM_READS = Set.of("read", "readNBytes", "readAllBytes", "readFully",
            "readLine", "readInt", "readLong", "readShort", "readByte", "readChar", "readUTF", "readObject",
            "transferTo", "skip");
    private static final Set<String> IN_MEMORY = Set.of("java.io.ByteArrayInputStream", "java.io.StringReader",
            "java.io.CharArrayReader", "java.io.StringBufferInputStream");

    private Blocking() {
    }

    /** What the call does, in words for a message ("sleeps", "reads from a stream"), or null when it does not block. */
    static String describe(MethodInvocation mi, IMethodBinding b) {
        String n = b.getName();
        ITypeBinding dc = b.getDeclaringClass();
        Expression recv = mi.getExpression();
        ITypeBinding rt = recv == null ? dc : recv.resolveTypeBinding();
        if (Types.isA(dc, "java.lang.Thread") && n.equals("sleep")
                || Types.isA(dc, "java.util.concurrent.TimeUnit") && n.equals("sleep")) {
            return "sleeps";
        }
        if (Types.isA(dc, "java.lang.Thread") && n.equals("join")) {
            return "waits for another thread to end";
        }
        if (n.equals("wait") && "java.lang.Object".equals(dc.getErasure().getQualifiedName())) {
            return "waits";
        }
        if (isConditionAwait(b)) {
            return "waits on a condition";
        }
        if ((Types.isA(rt, "java.io.InputStream") || Types.isA(rt, "java.io.Reader")
                || Types.isA(rt, "java.io.DataInput")) && STREAM_READS.contains(n)
                && !Types.isAny(rt, IN_MEMORY.toArray(String[]::new))) {
            return "reads from a stream (blocking until data arrives)";
        }
        if (Types.isA(dc, "java.net.ServerSocket") && n.equals("accept")
                || Types.isA(dc, "java.nio.channels.ServerSocketChannel") && n.equals("accept")) {
            return "waits for a connection";
        }
        if (Types.isA(dc, "java.net.Socket") && n.equals("connect")
                || Types.isA(dc, "java.nio.channels.SocketChannel") && (n.equals("connect") || n.equals("read"))) {
            return "does network I/O";
        }
        if (Types.isA(dc, "java.nio.channels.Selector") && (n.equals("select"))) {
            return "waits for I/O readiness";
        }
        if (Types.isA(dc, "java.util.concurrent.BlockingQueue") && (n.equals("take") || n.equals("put"))
                || Types.isA(dc, "java.util.concurrent.Future") && n.equals("get")
                || Types.isA(dc, "java.util.concurrent.CountDownLatch") && n.equals("await")
                || Types.isA(dc, "java.util.concurrent.CyclicBarrier") && n.equals("await")
                || Types.isA(dc, "java.lang.Process") && n.equals("waitFor")) {
            return "waits for another thread";
        }
        return null;
    }

    /** {@code Object.wait} and {@code Condition.await*} give up one lock while they wait. */
    static boolean releasesOwnLock(IMethodBinding b) {
        return b.getName().equals("wait") || isConditionAwait(b);
    }

    static boolean isConditionAwait(IMethodBinding b) {
        return Types.isA(b.getDeclaringClass(), "java.util.concurrent.locks.Condition")
                && b.getName().startsWith("await");
    }
}

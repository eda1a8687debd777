package interleave.engine.tests.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import interleave.engine.detectors.ConnectionKeptAfterFork;
import interleave.engine.detectors.ConnectionOpenAtExit;
import interleave.engine.detectors.ObservedArgumentRace;
import interleave.engine.detectors.ObservedUnsynchronizedWrite;
import interleave.engine.events.ExecProcess;
import interleave.engine.events.ExecThread;
import interleave.engine.events.Kinds;
import interleave.engine.finding.Finding;
import interleave.engine.tests.events.Synthetic;

/** The argument race, the unsynchronized write and the connection detectors on hand-written streams. */
class SyntheticMemoryDetectorTest {
    private static final long I = 0x7ffc1000, CNT = 0x404040, LOCK = 0x404080;

    /** The lecture's &i race: two threads get &i; what each read at its first access, by watchpoint. */
    private static List<Finding> argument(long firstRead, long secondRead) {
        Synthetic s = new Synthetic();
        ExecProcess p = s.process(600, 0, "race");
        ExecThread main = s.main(p);
        ExecThread t1 = s.thread(p, 601, 0xA000, main, 1), t2 = s.thread(p, 602, 0xB000, main, 2);
        s.createWithArg(main, 10, t1, 1, 0x401100, I, 0, firstRead);
        s.firstRead(t1, 12, I, firstRead, 0x401200);
        s.createWithArg(main, 13, t2, 2, 0x401100, I, 1, secondRead);
        s.firstRead(t2, 15, I, secondRead, 0x401200);
        return Synthetic.run(new ObservedArgumentRace(), s.done());
    }

    @Test
    void aThreadThatReadTheNextIterationsValueSawARace() {
        List<Finding> found = argument(1, 1);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().startsWith("1 of 2 threads created here saw a changed argument"),
                found.get(0).message());
        assertTrue(found.get(0).message().contains("values seen by the threads: 1×2; each the value the thread read"
                + " at its first access"), found.get(0).message());
        assertEquals(601, found.get(0).moment().orElseThrow().tid());
    }

    @Test
    void threadsThatReadWhatTheyWereGivenSawNone() {
        assertEquals(List.of(), argument(0, 1));
    }

    /** Two threads do cnt++ (load, then store) with their steps overlapping; {@code locked}: both hold one lock. */
    private static List<Finding> counter(boolean locked) {
        Synthetic s = new Synthetic();
        ExecProcess p = s.process(700, 0, "badcnt");
        ExecThread main = s.main(p);
        ExecThread t1 = s.thread(p, 701, 0xA000, main, 1), t2 = s.thread(p, 702, 0xB000, main, 2);
        s.create(main, 1, t1, 1, 0x401000, false);
        s.create(main, 3, t2, 2, 0x401000, false);
        long[] held = locked ? new long[] {LOCK} : new long[0];
        s.watch(t1, 5, CNT, "cnt");
        s.watch(t2, 6, CNT, "cnt");
        s.access(t1, 10, CNT, false, 41, 0x401300, held);
        if (locked) { // the lock orders them: no overlap either
            s.access(t1, 12, CNT, true, 42, 0x401310, held);
            s.access(t2, 13, CNT, false, 42, 0x401300, held);
            s.access(t2, 14, CNT, true, 43, 0x401310, held);
        } else {
            s.access(t2, 11, CNT, false, 41, 0x401300);
            s.access(t1, 12, CNT, true, 42, 0x401310);
            s.access(t2, 13, CNT, true, 42, 0x401310);
        }
        return Synthetic.run(new ObservedUnsynchronizedWrite(), s.done());
    }

    @Test
    void twoThreadsIncrementingWithoutALockLoseAnUpdate() {
        List<Finding> found = counter(false);
        assertEquals(1, found.size(), found.toString());
        String m = found.get(0).message();
        assertTrue(m.startsWith("'cnt' was written by 2 threads with no lock held in common (thread 701: 1 write,"
                + " thread 702: 1 write; no lock held at any write)"), m);
        assertTrue(m.contains("both read the same value, one update was lost"), m);
    }

    @Test
    void incrementsUnderOneLockAreNoRace() {
        assertEquals(List.of(), counter(true));
    }

    /** A forking server: accepts fd 4, forks a child for it; the child serves and exits; the parent goes on. */
    private static List<Finding> forkingServer(boolean parentCloses, boolean childCloses) {
        Synthetic s = new Synthetic();
        ExecProcess server = s.process(800, 0, "echo-process");
        ExecThread main = s.main(server);
        s.accept(main, 10, 4, 0x401100);
        ExecProcess child = s.fork(main, 12, 801);
        ExecThread cm = child.mainThread().orElseThrow();
        if (childCloses) {
            s.close(cm, 20, 4);
        }
        s.exitProcess(cm, 21, 0);
        if (parentCloses) {
            s.close(main, 14, 4);
        }
        s.accept(main, 30, 5, 0x401100);
        s.close(main, 31, 5);
        List<Finding> out = new java.util.ArrayList<>(Synthetic.run(new ConnectionKeptAfterFork(), s.done()));
        out.addAll(Synthetic.run(new ConnectionOpenAtExit(), s.builder().model()));
        return out;
    }

    @Test
    void aParentThatKeepsTheConnectionAfterForkLeaksIt() {
        List<Finding> found = forkingServer(false, true);
        assertEquals(1, found.size(), found.toString());
        assertEquals(ConnectionKeptAfterFork.ID, found.get(0).ruleId());
        assertTrue(found.get(0).message().startsWith("1 of 1 connections accepted here stayed open in the parent"),
                found.get(0).message());
    }

    @Test
    void aChildThatExitsWithTheConnectionOpenIsReported() {
        List<Finding> found = forkingServer(true, false);
        assertEquals(1, found.size(), found.toString());
        assertEquals(ConnectionOpenAtExit.ID, found.get(0).ruleId());
        assertTrue(found.get(0).message().startsWith("1 descriptor of connections accepted here were still open when"
                + " 1 process exited"), found.get(0).message());
        // the parent closed its copy at 14 ms, the child exited at 21 ms: that is how long the client waited
        String note = found.get(0).evidence().get(0).message();
        assertTrue(note.startsWith("process 801 exited here with fd 4 still open, 7.0 ms after process 800 closed its"
                + " own copy: until this exit the client got no end-of-file"), note);
    }

    @Test
    void eachSideClosingItsCopyIsCorrect() {
        assertEquals(List.of(), forkingServer(true, true));
    }

    /**
     * redis's BGSAVE: the server accepts client fd 7 and serves it; a child forked for a snapshot inherits it, writes
     * only its file (fd 9) and exits; the parent accepts fd 8, then closes 7. When {@code servingChild}, a second
     * child forked after the snapshot does serve fd 7 (writes it) while the parent keeps its copy.
     */
    private static List<Finding> snapshotServer(boolean servingChild) {
        Synthetic s = new Synthetic();
        ExecProcess server = s.process(900, 0, "redis-server");
        ExecThread main = s.main(server);
        s.accept(main, 10, 7, 0x401100);
        s.enter(main, 12, Kinds.READ, 7, 0x401300);
        s.exit(main, 13, Kinds.READ, 20);
        ExecProcess saver = s.fork(main, 14, 901);
        ExecThread sm = saver.mainThread().orElseThrow();
        s.enter(sm, 16, Kinds.WRITE, 9, 0x401400);
        s.exit(sm, 17, Kinds.WRITE, 4096);
        s.exitProcess(sm, 18, 0);
        s.reap(main, 19, 20, 901);
        if (servingChild) {
            ExecProcess worker = s.fork(main, 21, 902);
            ExecThread wm = worker.mainThread().orElseThrow();
            s.enter(wm, 23, Kinds.WRITE, 7, 0x401500);
            s.exit(wm, 24, Kinds.WRITE, 20);
            s.close(wm, 25, 7);
            s.exitProcess(wm, 26, 0);
            s.reap(main, 27, 28, 902);
        }
        s.enter(main, 29, Kinds.WRITE, 7, 0x401300);
        s.exit(main, 30, Kinds.WRITE, 20);
        s.accept(main, 31, 8, 0x401100);
        s.close(main, 40, 7);
        s.close(main, 41, 8);
        List<Finding> out = new java.util.ArrayList<>(Synthetic.run(new ConnectionKeptAfterFork(), s.done()));
        out.addAll(Synthetic.run(new ConnectionOpenAtExit(), s.builder().model()));
        return out;
    }

    @Test
    void aChildForkedForOtherWorkDoesNotServeTheConnectionsItInherits() {
        // the snapshot child's copy is neither a connection handed to it nor the copy that kept the client open
        assertEquals(List.of(), snapshotServer(false));
    }

    @Test
    void theForkOfTheChildThatServesTheConnectionIsTheOneJudged() {
        List<Finding> found = snapshotServer(true);
        assertEquals(1, found.size(), found.toString());
        assertEquals(ConnectionKeptAfterFork.ID, found.get(0).ruleId());
        assertTrue(found.get(0).message().startsWith("1 of 1 connections accepted here stayed open in the parent"),
                found.get(0).message());
    }
    /**
     * redis again, the snapshot child still saving when a client leaves: the server serves fd 7, forks the saver (which
     * never touches 7), then reads from 7 and closes it; the saver exits 10 ms later. {@code clientClosed}: that read
     * returned end-of-file (the client had closed first); {@code answered}: the server wrote to 7 after it.
     */
    private static List<Finding> snapshotOutlivesClient(boolean clientClosed, boolean answered) {
        return snapshotOutlivesClient(clientClosed, answered, 0);
    }

    /** The same with a model budget ({@code ModelBuilder.budget}): past it, plain reads and writes are only counted. */
    private static List<Finding> snapshotOutlivesClient(boolean clientClosed, boolean answered, long budget) {
        Synthetic s = new Synthetic();
        s.builder().budget(budget);
        ExecProcess server = s.process(950, 0, "redis-server");
        ExecThread main = s.main(server);
        s.accept(main, 10, 7, 0x401100);
        ExecProcess saver = s.fork(main, 12, 951);
        ExecThread sm = saver.mainThread().orElseThrow();
        s.enter(sm, 14, Kinds.WRITE, 9, 0x401400);
        s.exit(sm, 15, Kinds.WRITE, 4096);
        s.enter(main, 16, Kinds.READ, 7, 0x401300);
        s.exit(main, 17, Kinds.READ, clientClosed ? 0 : 20);
        if (answered) {
            s.enter(main, 18, Kinds.WRITE, 7, 0x401300);
            s.exit(main, 19, Kinds.WRITE, 20);
        }
        s.close(main, 20, 7);
        s.exitProcess(sm, 30, 0);
        s.reap(main, 31, 32, 951);
        return Synthetic.run(new ConnectionOpenAtExit(), s.done());
    }

    @Test
    void aSnapshotChildOutlivingAClientThatLeftKeptNobodyWaiting() {
        assertEquals(List.of(), snapshotOutlivesClient(true, false));
    }

    @Test
    void aSnapshotChildOutlivingAConnectionTheServerClosedFirstIsReported() {
        // the server closed while the client was still connected: the client's end-of-file waited for the child
        List<Finding> found = snapshotOutlivesClient(false, false);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).evidence().get(0).message().startsWith("process 951 exited here with fd 7 still open,"
                + " 10.0 ms after process 950 closed its own copy"), found.get(0).evidence().get(0).message());
    }

    @Test
    void aServerThatAnsweredAfterEndOfFileHadAClientWaiting() {
        // the client only shut its sending side and read the answer: it waited for the server's end-of-file
        assertEquals(1, snapshotOutlivesClient(true, true).size());
    }

    @Test
    void pastTheModelBudgetEndOfFileAndTheAnswerAfterItAreStillKept() {
        // a budget of one event: every other read and write is counted, these two decide the finding
        assertEquals(List.of(), snapshotOutlivesClient(true, false, 1));
        assertEquals(1, snapshotOutlivesClient(true, true, 1).size());
        assertEquals(1, snapshotOutlivesClient(false, false, 1).size());
    }
}

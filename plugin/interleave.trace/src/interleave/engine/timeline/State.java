package interleave.engine.timeline;

/** What a thread is doing during a span. Presentation (colours, icons) is the view's business, not the model's. */
public enum State {
    RUNNING("running"),
    ACCEPT("blocked in accept"),
    CONNECT("blocked in connect"),
    READ("in read"),
    WRITE("in write"),
    RECV("in recv"),
    SEND("in send"),
    SELECT("blocked in select"),
    POLL("blocked in poll"),
    EPOLL("blocked in epoll_wait"),
    LOCK("waiting for a mutex"),
    COND_WAIT("waiting on a condition variable"),
    SEM_WAIT("waiting on a semaphore"),
    JOIN("waiting in pthread_join"),
    WAIT_CHILD("waiting for a child (wait/waitpid)"),
    SLEEP("sleeping"),
    FORK("in fork"),
    EXEC("in exec"),
    CREATE_THREAD("in pthread_create"),
    RAISE("in raise"),
    SIGNAL_HANDLER("inside a signal handler"),
    STDIO("inside printf/stdio"),
    MALLOC("inside malloc"),
    FREE("inside free");

    private final String description;

    State(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}

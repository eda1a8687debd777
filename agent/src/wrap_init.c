/* Interleave agent: the state the wrapper families share, and resolving the real functions. */
#include "wrap.h"

__thread int ilv_in_stdio __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
__thread int ilv_in_heap __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;
__thread int ilv_in_handler __attribute__((tls_model("initial-exec"))) ILV_HIDDEN;

ILV_HIDDEN void *ilv_wrap_resolve(const char *name, const char *version)
{
    void *p = version ? dlvsym(RTLD_NEXT, name, version) : 0;
    if (!p)
        p = dlsym(RTLD_NEXT, name);
    return p;
}

/* resolve everything now, outside any signal handler; malloc first */
void ilv_init_wrappers(void)
{
    ilv_wrap_init_heap();
    ilv_wrap_init_process();
    ilv_wrap_init_thread();
    ilv_wrap_init_sync();
    ilv_wrap_init_io();
    ilv_wrap_init_signal();
    ilv_wrap_init_stdio();
}

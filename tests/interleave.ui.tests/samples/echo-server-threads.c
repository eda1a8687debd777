/* A small sample for the startup test: opened as the project "sample-servers" when -Dinterleave.samples names this folder. */
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *vargp)
{
    int connfd = *((int *)vargp);
    pthread_detach(pthread_self());
    close(connfd);
    return NULL;
}

int main(void)
{
    int listenfd = socket(AF_INET, SOCK_STREAM, 0), connfd;
    pthread_t tid;
    while (1) {
        connfd = accept(listenfd, NULL, NULL);
        pthread_create(&tid, NULL, serve, &connfd);
    }
}

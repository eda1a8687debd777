/* Iterative echo server on 127.0.0.1 (ephemeral port) served to N forked client processes.
 * Every accepted connection is closed; every client process exits and is reaped. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int client(int port, int id)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return 1;
    char msg[64], back[64];
    int n = snprintf(msg, sizeof msg, "hello %d\n", id);
    if (write(fd, msg, n) != n)
        return 2;
    int got = 0;
    while (got < n) {
        int k = read(fd, back + got, sizeof back - got);
        if (k <= 0)
            return 3;
        got += k;
    }
    close(fd);
    return memcmp(msg, back, n) ? 4 : 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 64) < 0) {
        perror("bind/listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin_port);
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            close(lfd);
            exit(client(port, i));
        }
    }
    for (int i = 0; i < n; i++) {
        struct sockaddr_in peer;
        socklen_t pl = sizeof peer;
        int c = accept(lfd, (struct sockaddr *)&peer, &pl);
        if (c < 0) {
            perror("accept");
            return 1;
        }
        char buf[128];
        int k = read(c, buf, sizeof buf);
        if (k > 0)
            write(c, buf, k);
        close(c);
    }
    close(lfd);
    int bad = 0, st;
    for (int i = 0; i < n; i++) {
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            bad++;
    }
    printf("served %d clients, %d bad\n", n, bad);
    return bad ? 1 : 0;
}

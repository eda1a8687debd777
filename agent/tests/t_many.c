/* N pairs of close(-1) (EBADF, nothing else happens) in one thread: 2N events in one file. With
 * N > 8.4 million the file passes the first 1 GiB mapping window. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    for (long i = 0; i < n; i++) {
        close(-1);
        close(-1);
    }
    printf("pairs=%ld\n", n);
    return 0;
}

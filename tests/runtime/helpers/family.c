/* family: a process with a renamed thread and a renamed child, for the
 * process helpers of the stdlib (pcomm, leader_tid, ppid, ...). After the go
 * signal, each makes one read() from /dev/zero on fd 42, of a size that says
 * who made it:
 *   1 byte:  the main thread (comm "family")
 *   2 bytes: a second thread, renamed "worker"
 *   3 bytes: a child process, renamed "kid"
 * then exits 0. */
#include "go.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define FAMILY_FD 42

static void read_bytes(size_t size)
{
    char buffer[4];
    if (read(FAMILY_FD, buffer, size) < 0) {
        perror("family: read");
        exit(1);
    }
}

static void *worker(void *unused)
{
    (void)unused;
    prctl(PR_SET_NAME, "worker", 0, 0, 0);
    read_bytes(2);
    return NULL;
}

int main(void)
{
    int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0 || dup2(fd, FAMILY_FD) < 0) {
        perror("family: /dev/zero");
        return 1;
    }
    go_wait();
    read_bytes(1);

    /* One after the other, so the events come in a known order. */
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) != 0 || pthread_join(thread, NULL) != 0) {
        fputs("family: cannot run the thread\n", stderr);
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("family: fork");
        return 1;
    }
    if (child == 0) {
        prctl(PR_SET_NAME, "kid", 0, 0, 0);
        read_bytes(3);
        _exit(0);
    }
    int status = 0;
    if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    return 0;
}

/* go.h: what the runtime test helpers share.
 *
 * A runtime test must know the pid of its event source before sonde starts
 * (to filter on `pid == {{PID}}`), and the source must not make the syscalls
 * under test before sonde has attached. So when SONDE_TEST_PIDFILE is set,
 * a helper sets itself up, writes its pid to that file and waits for SIGUSR1
 * (the "go" signal) before doing its work. Without the variable it starts at
 * once, which keeps the helpers usable by hand.
 *
 * Everything here is static: each helper is a single .c file.
 */
#ifndef SONDE_TEST_GO_H
#define SONDE_TEST_GO_H

/* sigtimedwait, openat, dup2: POSIX 2008 (include this header first). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A paused helper gives up after this long, so none is ever left behind. */
#define GO_TIMEOUT_SECONDS 60

static inline void go_wait(void)
{
    const char *pid_file = getenv("SONDE_TEST_PIDFILE");
    if (!pid_file || !*pid_file)
        return;

    /* Block SIGUSR1 before publishing the pid, so an early go stays pending. */
    sigset_t go;
    sigemptyset(&go);
    sigaddset(&go, SIGUSR1);
    sigprocmask(SIG_BLOCK, &go, NULL);

    /* O_EXCL: only the first helper of a trigger pauses. Helpers that a
     * trigger runs after the go find the file there and start at once. */
    int fd = open(pid_file, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno != EEXIST) {
            fprintf(stderr, "go_wait: cannot create %s: %s\n", pid_file, strerror(errno));
            exit(1);
        }
        sigprocmask(SIG_UNBLOCK, &go, NULL);
        return;
    }
    /* One write with the newline last: a reader that sees the newline has the whole pid. */
    char line[32];
    int length = snprintf(line, sizeof(line), "%d\n", (int)getpid());
    if (write(fd, line, (size_t)length) != length) {
        fprintf(stderr, "go_wait: cannot write %s: %s\n", pid_file, strerror(errno));
        exit(1);
    }
    close(fd);

    struct timespec timeout = {.tv_sec = GO_TIMEOUT_SECONDS};
    if (sigtimedwait(&go, NULL, &timeout) != SIGUSR1) {
        fprintf(stderr, "go_wait: no go signal (SIGUSR1) within %d s\n", GO_TIMEOUT_SECONDS);
        exit(1);
    }
    sigprocmask(SIG_UNBLOCK, &go, NULL);
}

/* A non-negative decimal argument, or exit with a usage error. */
static inline long helper_number(const char *text, const char *what)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) {
        fprintf(stderr, "expected a non-negative number for %s, got '%s'\n", what, text);
        exit(2);
    }
    return value;
}

#endif

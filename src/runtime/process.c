/* -p and -c: the traced process's life, seen from sonde.
 *
 * The child of -c blocks reading a pipe before it execs. Once the probes
 * are attached, sonde writes to the pipe; a second, close-on-exec pipe then
 * tells whether the exec worked (it closes empty) or failed (the child
 * writes its errno). Its exit is seen through a pidfd, without SIGCHLD. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "runtime/process.h"

struct runtime_target {
    pid_t pid;
    bool child;   /* -c: ours to start, stop and reap */
    bool started; /* -c: the go was given */
    bool exited;
    int pidfd;   /* readable once the process has exited; -1 if unsupported */
    int go_fd;   /* -c: write end of the pipe the child waits on; -1 after the go */
    int exec_fd; /* -c: read end of the exec-status pipe */
};

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

static struct runtime_target *new_target(pid_t pid, bool child)
{
    struct runtime_target *target = calloc(1, sizeof(*target));
    if (!target)
        return NULL;
    target->pid = pid;
    target->child = child;
    target->pidfd = open_pidfd(pid);
    target->go_fd = -1;
    target->exec_fd = -1;
    return target;
}

struct runtime_target *runtime_target_watch(int pid, struct diag *diag)
{
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) {
        diag_error(diag, (struct srcloc){0}, "-p %d: no such process", pid);
        return NULL;
    }
    struct runtime_target *target = new_target(pid, false);
    if (!target)
        diag_error(diag, (struct srcloc){0}, "-p %d: out of memory", pid);
    return target;
}

/* The program `name` runs as: itself when it has a '/', else the first
 * executable regular file of that name on PATH (as bpftrace, before the
 * fork: the traced child then makes one execve, not one per PATH entry,
 * which a probe on execve would see). NULL when there is none. */
static char *find_program(const char *name)
{
    if (strchr(name, '/'))
        return strdup(name);
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t length = strcspn(path, ":");
        char *candidate = NULL;
        struct stat info;
        if (asprintf(&candidate, "%.*s/%s", (int)length, length ? path : ".", name) < 0)
            return NULL;
        if (stat(candidate, &info) == 0 && S_ISREG(info.st_mode) && access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
        path += length + (path[length] == ':');
    }
    return NULL;
}

/* In the child: wait for the go, then become the command. */
static void run_child(const char *program, char **argv, int go_fd, int exec_fd)
{
    char go;
    ssize_t got;
    do
        got = read(go_fd, &go, 1);
    while (got < 0 && errno == EINTR);
    if (got != 1)
        _exit(0); /* sonde stopped before tracing: run nothing */
    execv(program, argv);
    int error = errno;
    if (write(exec_fd, &error, sizeof(error)) < 0)
        _exit(127);
    _exit(127);
}

struct runtime_target *runtime_target_spawn(const char *command, struct diag *diag)
{
    wordexp_t words;
    if (wordexp(command, &words, WRDE_NOCMD) != 0 || words.we_wordc == 0) {
        diag_error(diag, (struct srcloc){0}, "-c '%s': not a command", command);
        return NULL;
    }
    char *program = find_program(words.we_wordv[0]);
    if (!program) {
        diag_error(diag, (struct srcloc){0}, "-c: cannot run the command: %s is not on PATH",
                   words.we_wordv[0]);
        wordfree(&words);
        return NULL;
    }
    int go[2], exec_status[2];
    if (pipe2(go, O_CLOEXEC) != 0) {
        diag_error(diag, (struct srcloc){0}, "-c: pipe: %s", strerror(errno));
        wordfree(&words);
        free(program);
        return NULL;
    }
    if (pipe2(exec_status, O_CLOEXEC) != 0) {
        diag_error(diag, (struct srcloc){0}, "-c: pipe: %s", strerror(errno));
        close(go[0]);
        close(go[1]);
        wordfree(&words);
        free(program);
        return NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]);
        close(exec_status[0]);
        run_child(program, words.we_wordv, go[0], exec_status[1]);
    }
    int fork_errno = errno;
    wordfree(&words);
    free(program);
    close(go[0]);
    close(exec_status[1]);
    if (pid < 0) {
        diag_error(diag, (struct srcloc){0}, "-c: fork: %s", strerror(fork_errno));
        close(go[1]);
        close(exec_status[0]);
        return NULL;
    }
    struct runtime_target *target = new_target(pid, true);
    if (!target) {
        close(go[1]); /* the child exits without running anything */
        close(exec_status[0]);
        waitpid(pid, NULL, 0);
        diag_error(diag, (struct srcloc){0}, "-c: out of memory");
        return NULL;
    }
    target->go_fd = go[1];
    target->exec_fd = exec_status[0];
    return target;
}

int runtime_target_pid(const struct runtime_target *target)
{
    return target->pid;
}

bool runtime_target_is_child(const struct runtime_target *target)
{
    return target->child;
}

int runtime_target_start(struct runtime_target *target, struct diag *diag)
{
    if (!target->child || target->started)
        return 0;
    target->started = true;
    char go = 'g';
    ssize_t written = write(target->go_fd, &go, 1);
    close(target->go_fd);
    target->go_fd = -1;
    if (written != 1) {
        diag_error(diag, (struct srcloc){0}, "-c: cannot start the command: %s", strerror(errno));
        return -EPIPE;
    }
    /* Empty at close-on-exec: the command runs. An errno: it could not. */
    int error = 0;
    ssize_t got;
    do
        got = read(target->exec_fd, &error, sizeof(error));
    while (got < 0 && errno == EINTR);
    close(target->exec_fd);
    target->exec_fd = -1;
    if (got == (ssize_t)sizeof(error)) {
        diag_error(diag, (struct srcloc){0}, "-c: cannot run the command: %s", strerror(error));
        return -error;
    }
    return 0;
}

bool runtime_target_exited(struct runtime_target *target)
{
    if (target->exited)
        return true;
    if (target->child) {
        /* Reaping is how a child's exit shows; it also frees its slot. */
        target->exited = waitpid(target->pid, NULL, WNOHANG) == target->pid;
    } else if (target->pidfd >= 0) {
        struct pollfd poll_fd = {.fd = target->pidfd, .events = POLLIN};
        target->exited = poll(&poll_fd, 1, 0) == 1;
    } else {
        target->exited = kill(target->pid, 0) != 0 && errno == ESRCH;
    }
    return target->exited;
}

/* SIGTERM, as bpftrace sends; a child that ignores it gets SIGKILL after
 * two seconds rather than keeping sonde from exiting. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int tries = 0; tries < 200; tries++) {
        if (waitpid(pid, NULL, WNOHANG) != 0)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
}

void runtime_target_free(struct runtime_target *target)
{
    if (!target)
        return;
    if (target->go_fd >= 0)
        close(target->go_fd); /* never started: the child exits at once */
    if (target->exec_fd >= 0)
        close(target->exec_fd);
    if (target->child && !target->exited) {
        if (target->started)
            stop_child(target->pid);
        waitpid(target->pid, NULL, 0); /* ECHILD when stop_child reaped it */
    }
    if (target->pidfd >= 0)
        close(target->pidfd);
    free(target);
}

/* launch: runs a tracer the way the benchmarks need and times it.
 *
 * It starts the tracer with its output on pipes (or stdout on a file),
 * notices the line that says the probes are attached, optionally releases
 * a paused workload, sends SIGINT, and reports when the last output arrived
 * and when the tracer exited, with its peak RSS from wait4(). Timing from
 * the outside keeps the tools comparable: nothing is asked of the tracer
 * beyond printing a "ready" line.
 *
 * The workload (-w) is started first and paused: it says it is waiting on
 * fd 4 and polls fd 3 for the go byte (see workload.c). "{PID}" in the
 * tracer's arguments becomes its pid, for predicates like `pid == {PID}`.
 *
 * One line of results goes to stdout, after whatever the workload printed:
 *   launch: ready_ms=... int_last_out_ms=... int_exit_ms=... wall_ms=...
 *           maxrss_kb=... status=... workload_status=... timed_out=0|1 interrupts=N
 * Times are milliseconds with three decimals; -1 means "did not happen".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { GO_FD = 3, WAITING_FD = 4, LINE_MAX_BYTES = 4096 };

struct options {
    const char *ready_text;  /* -r */
    double settle_ms;        /* -s: after ready, before the workload or SIGINT */
    double hold_ms;          /* -k: after the workload (or settle), before SIGINT */
    char *workload;          /* -w: "PROGRAM ARGS..." split on spaces */
    bool interrupt;          /* -i */
    const char *stdout_file; /* -f: the tracer's stdout goes straight to this file */
    const char *stdout_copy; /* -o: copy of the piped stdout */
    const char *stderr_copy; /* -e: copy of the stderr */
    double timeout_s;        /* -t */
    double reinterrupt_ms;   /* -R: SIGINT again if still running this long after one */
    char **command;
};

/* A source of tracer output that is scanned for the ready line. */
struct stream {
    int fd;       /* pipe or file being read; -1 when closed */
    bool is_file; /* a file never reports EOF for good: it is polled */
    bool is_stdout;
    FILE *copy; /* where the bytes are also written, if anywhere */
    char line[LINE_MAX_BYTES];
    size_t line_length;
};

static double now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "launch: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void usage(void)
{
    fputs("usage: launch [-r READY_TEXT] [-s SETTLE_MS] [-k HOLD_MS] [-w 'WORKLOAD ARGS']\n"
          "              [-i] [-f STDOUT_FILE | -o STDOUT_COPY] [-e STDERR_COPY]\n"
          "              [-t TIMEOUT_S] [-R REINTERRUPT_MS] -- TRACER [ARGS...]\n",
          stderr);
    exit(2);
}

static void parse_options(int argc, char **argv, struct options *options)
{
    *options = (struct options){.timeout_s = 300, .reinterrupt_ms = 2000};
    int option;
    while ((option = getopt(argc, argv, "+r:s:k:w:if:o:e:t:R:")) != -1) {
        switch (option) {
        case 'r':
            options->ready_text = optarg;
            break;
        case 's':
            options->settle_ms = atof(optarg);
            break;
        case 'k':
            options->hold_ms = atof(optarg);
            break;
        case 'w':
            options->workload = optarg;
            break;
        case 'i':
            options->interrupt = true;
            break;
        case 'f':
            options->stdout_file = optarg;
            break;
        case 'o':
            options->stdout_copy = optarg;
            break;
        case 'e':
            options->stderr_copy = optarg;
            break;
        case 't':
            options->timeout_s = atof(optarg);
            break;
        case 'R':
            options->reinterrupt_ms = atof(optarg);
            break;
        default:
            usage();
        }
    }
    if (optind >= argc)
        usage();
    options->command = argv + optind;
}

/* The workload's argv: the -w text split on spaces (it never needs quoting). */
static char **split_words(char *text)
{
    size_t capacity = 8, count = 0;
    char **words = malloc(capacity * sizeof(*words));
    for (char *word = strtok(text, " "); word; word = strtok(NULL, " ")) {
        if (count + 2 > capacity)
            words = realloc(words, (capacity *= 2) * sizeof(*words));
        words[count++] = word;
    }
    words[count] = NULL;
    return words;
}

/* Starts the workload paused and returns once it is waiting for the go byte. */
static pid_t start_workload(char *text, int *go_fd)
{
    int go[2], waiting[2];
    if (pipe(go) || pipe(waiting))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char **argv = split_words(text);
        if (dup2(go[0], GO_FD) < 0 || dup2(waiting[1], WAITING_FD) < 0)
            _exit(127);
        setenv("BENCH_GO_FD", "3", 1);
        setenv("BENCH_WAITING_FD", "4", 1);
        execvp(argv[0], argv);
        fprintf(stderr, "launch: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(go[0]);
    close(waiting[1]);
    char byte;
    if (read(waiting[0], &byte, 1) != 1) {
        fprintf(stderr, "launch: the workload exited before it was ready\n");
        exit(2);
    }
    close(waiting[0]);
    *go_fd = go[1];
    return pid;
}

/* "{PID}" anywhere in an argument becomes the workload's pid. */
static char *substitute_pid(const char *argument, pid_t pid)
{
    const char *at = strstr(argument, "{PID}");
    if (!at)
        return (char *)argument;
    char *result;
    if (asprintf(&result, "%.*s%d%s", (int)(at - argument), argument, (int)pid, at + 5) < 0)
        die("asprintf");
    return substitute_pid(result, pid);
}

static pid_t start_tracer(const struct options *options, pid_t workload, int *out_fd, int *err_fd)
{
    int out[2] = {-1, -1}, err[2];
    if ((!options->stdout_file && pipe(out)) || pipe(err))
        die("pipe");
    /* The file is emptied here, before anything reads it: a ready line left
     * from an earlier run must not count. */
    if (options->stdout_file) {
        out[1] = open(options->stdout_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        out[0] = open(options->stdout_file, O_RDONLY);
        if (out[0] < 0 || out[1] < 0)
            die(options->stdout_file);
    }
    for (char **arg = options->command; *arg; arg++)
        *arg = substitute_pid(*arg, workload);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
            _exit(127);
        execvp(options->command[0], options->command);
        fprintf(stderr, "launch: cannot run %s: %s\n", options->command[0], strerror(errno));
        _exit(127);
    }
    close(err[1]);
    close(out[1]);
    *err_fd = err[0];
    *out_fd = out[0];
    return pid;
}

/* Reads what is there; returns whether the ready text showed up in a line. */
static bool read_stream(struct stream *stream, const char *ready_text, bool *got_bytes)
{
    char buffer[65536];
    bool ready = false;
    *got_bytes = false;
    for (;;) {
        ssize_t length = read(stream->fd, buffer, sizeof(buffer));
        if (length < 0 && errno == EINTR)
            continue;
        if (length < 0 && errno == EAGAIN)
            return ready;
        if (length <= 0) {
            if (!stream->is_file) {
                close(stream->fd);
                stream->fd = -1;
            }
            return ready;
        }
        *got_bytes = true;
        if (stream->copy)
            fwrite(buffer, 1, (size_t)length, stream->copy);
        for (ssize_t i = 0; i < length && ready_text; i++) {
            char c = buffer[i];
            if (c != '\n' && stream->line_length + 1 < sizeof(stream->line)) {
                stream->line[stream->line_length++] = c;
                continue;
            }
            stream->line[stream->line_length] = '\0';
            if (strstr(stream->line, ready_text))
                ready = true;
            stream->line_length = 0;
        }
        if (!stream->is_file)
            return ready; /* a pipe: poll again rather than block */
    }
}

struct run {
    double start, ready, interrupted, last_out, exited;
    int tracer_status, workload_status;
    int timed_out;
    int interrupts; /* SIGINTs sent: more than one means the first was missed */
    double last_interrupt;
    struct rusage usage;
};

static void report(const struct run *run)
{
    double ready = run->ready > 0 ? run->ready - run->start : -1;
    double int_last = run->interrupted > 0 && run->last_out > run->interrupted
                          ? run->last_out - run->interrupted
                          : -1;
    double int_exit = run->interrupted > 0 ? run->exited - run->interrupted : -1;
    int status = WIFEXITED(run->tracer_status) ? WEXITSTATUS(run->tracer_status)
                                               : 128 + WTERMSIG(run->tracer_status);
    int workload = run->workload_status < 0          ? -1
                   : WIFEXITED(run->workload_status) ? WEXITSTATUS(run->workload_status)
                                                     : 128 + WTERMSIG(run->workload_status);
    printf("launch: ready_ms=%.3f int_last_out_ms=%.3f int_exit_ms=%.3f wall_ms=%.3f "
           "maxrss_kb=%ld status=%d workload_status=%d timed_out=%d interrupts=%d\n",
           ready, int_last, int_exit, run->exited - run->start, run->usage.ru_maxrss, status,
           workload, run->timed_out, run->interrupts);
}

/* The stages after start: wait for ready, settle, run the workload, hold, interrupt. */
enum stage { WAIT_READY, SETTLE, WORKLOAD, HOLD, INTERRUPTED };

struct state {
    const struct options *options;
    struct run run;
    struct stream streams[2];
    pid_t tracer, workload;
    int tracer_pidfd, workload_pidfd, go_fd;
    enum stage stage;
    double stage_deadline;
    bool tracer_gone;
    bool killed; /* after the timeout */
};

static void send_interrupt(struct state *state, double now)
{
    kill(state->tracer, SIGINT);
    state->run.interrupts++;
    state->run.last_interrupt = now;
}

static void enter_stage(struct state *state, enum stage stage, double now)
{
    static const char *const names[] = {"wait-ready", "settle", "workload", "hold", "interrupted"};
    if (getenv("LAUNCH_DEBUG"))
        fprintf(stderr, "launch: %.3f ms: %s\n", now - state->run.start, names[stage]);
    state->stage = stage;
    if (stage == SETTLE) {
        state->stage_deadline = now + state->options->settle_ms;
    } else if (stage == WORKLOAD) {
        if (state->workload <= 0)
            return enter_stage(state, HOLD, now);
        if (write(state->go_fd, "g", 1) != 1)
            die("write go");
    } else if (stage == HOLD) {
        state->stage_deadline = now + state->options->hold_ms;
    } else if (stage == INTERRUPTED) {
        if (!state->options->interrupt)
            return;
        state->run.interrupted = now_ms();
        send_interrupt(state, state->run.interrupted);
    }
}

/* Moves on when the current stage's time is up; returns the poll timeout. */
static int advance_by_time(struct state *state, double now)
{
    if (state->stage == SETTLE && now >= state->stage_deadline)
        enter_stage(state, WORKLOAD, now);
    if (state->stage == HOLD && now >= state->stage_deadline)
        enter_stage(state, INTERRUPTED, now);
    int timeout = -1;
    if (state->stage == SETTLE || state->stage == HOLD)
        timeout = (int)(state->stage_deadline - now) + 1;
    /* A tracer can miss a SIGINT (bpftrace 0.17 sometimes does, when it
     * arrives just before its epoll_wait): ask again, and say so. */
    if (state->stage == INTERRUPTED && state->options->interrupt && !state->tracer_gone) {
        double again = state->run.last_interrupt + state->options->reinterrupt_ms;
        if (now >= again) {
            send_interrupt(state, now);
            again = now + state->options->reinterrupt_ms;
        }
        timeout = (int)(again - now) + 1;
    }
    /* A file gives no poll events: look at it every millisecond until ready. */
    if (state->stage == WAIT_READY && state->streams[0].is_file)
        timeout = 1;
    double left = state->run.start + state->options->timeout_s * 1e3 - now;
    if (left <= 0 && !state->killed) {
        fprintf(stderr, "launch: timeout, killing %s\n", state->options->command[0]);
        kill(state->tracer, SIGKILL);
        if (state->workload > 0)
            kill(state->workload, SIGKILL);
        state->killed = true;
        state->run.timed_out = 1;
    }
    if (left <= 0)
        return 100;
    return timeout < 0 || timeout > left ? (int)left + 1 : timeout;
}

static void handle_streams(struct state *state, struct pollfd *fds, double now)
{
    for (int i = 0; i < 2; i++) {
        struct stream *stream = &state->streams[i];
        bool readable =
            stream->fd >= 0 && (stream->is_file ? state->stage == WAIT_READY : fds[i].revents != 0);
        if (!readable)
            continue;
        bool got_bytes;
        bool ready = read_stream(stream, state->options->ready_text, &got_bytes);
        if (got_bytes && stream->is_stdout)
            state->run.last_out = now_ms();
        if (ready && state->stage == WAIT_READY) {
            state->run.ready = now;
            enter_stage(state, SETTLE, now);
        }
    }
}

static void handle_exits(struct state *state, struct pollfd *fds)
{
    if (state->workload_pidfd >= 0 && fds[3].revents) {
        waitpid(state->workload, &state->run.workload_status, 0);
        close(state->workload_pidfd);
        state->workload_pidfd = -1;
        if (state->stage == WORKLOAD)
            enter_stage(state, HOLD, now_ms());
    }
    if (!state->tracer_gone && fds[2].revents) {
        state->run.exited = now_ms();
        state->tracer_gone = true;
        wait4(state->tracer, &state->run.tracer_status, 0, &state->run.usage);
    }
}

/* Once the tracer is gone, all it wrote is in the pipes: read it to the end
 * (or to EAGAIN, if a child of the tracer still holds a pipe open). */
static void drain_pipes(struct state *state)
{
    for (int i = 0; i < 2; i++) {
        struct stream *stream = &state->streams[i];
        bool got_bytes = true;
        while (stream->fd >= 0 && !stream->is_file && got_bytes) {
            read_stream(stream, NULL, &got_bytes);
            if (got_bytes && stream->is_stdout)
                state->run.last_out = now_ms();
        }
    }
}

static void supervise(struct state *state)
{
    while (!state->tracer_gone) {
        int timeout = advance_by_time(state, now_ms());
        struct pollfd fds[4] = {
            {.fd = state->streams[0].is_file ? -1 : state->streams[0].fd, .events = POLLIN},
            {.fd = state->streams[1].fd, .events = POLLIN},
            {.fd = state->tracer_gone ? -1 : state->tracer_pidfd, .events = POLLIN},
            {.fd = state->workload_pidfd, .events = POLLIN},
        };
        if (poll(fds, 4, timeout) < 0 && errno != EINTR)
            die("poll");
        double now = now_ms();
        handle_streams(state, fds, now);
        handle_exits(state, fds);
    }
    drain_pipes(state);
    /* A workload the tracer outlived is not left behind. */
    if (state->workload_pidfd >= 0) {
        kill(state->workload, SIGKILL);
        waitpid(state->workload, &state->run.workload_status, 0);
    }
}

static FILE *open_copy(const char *path)
{
    if (!path)
        return NULL;
    FILE *file = fopen(path, "w");
    if (!file)
        die(path);
    return file;
}

int main(int argc, char **argv)
{
    struct options options;
    parse_options(argc, argv, &options);
    struct state state = {.options = &options, .go_fd = -1, .workload_pidfd = -1};
    state.run.workload_status = -1;
    if (options.workload) {
        state.workload = start_workload(options.workload, &state.go_fd);
        state.workload_pidfd = pidfd_open(state.workload, 0);
    }
    signal(SIGPIPE, SIG_IGN);
    int out_fd, err_fd;
    state.run.start = now_ms();
    state.tracer = start_tracer(&options, state.workload, &out_fd, &err_fd);
    state.tracer_pidfd = pidfd_open(state.tracer, 0);
    if (state.tracer_pidfd < 0)
        die("pidfd_open");
    state.streams[0] = (struct stream){.fd = out_fd,
                                       .is_file = options.stdout_file != NULL,
                                       .is_stdout = true,
                                       .copy = open_copy(options.stdout_copy)};
    state.streams[1] = (struct stream){.fd = err_fd, .copy = open_copy(options.stderr_copy)};
    if (options.stdout_file)
        fcntl(out_fd, F_SETFL, O_NONBLOCK);
    fcntl(err_fd, F_SETFL, O_NONBLOCK);
    if (!options.stdout_file)
        fcntl(out_fd, F_SETFL, O_NONBLOCK);
    if (!options.ready_text)
        enter_stage(&state, SETTLE, state.run.start);
    supervise(&state);
    for (int i = 0; i < 2; i++)
        if (state.streams[i].copy)
            fclose(state.streams[i].copy);
    fflush(stdout);
    report(&state.run);
    return 0;
}

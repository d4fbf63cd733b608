/* runtime_run: the order of a tracing session, and the signals that end it.
 *
 * load → BEGIN → attach → events until exit()/signal → stop flag → END →
 * maps → detach. Maps are printed before detaching because detaching a
 * tracepoint costs tens of milliseconds in the kernel, and the user is
 * waiting for results; the stop flag makes the probes still attached return
 * at once, so that nothing changes under END and the printout. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "runtime/process.h"
#include "runtime/runtime_internal.h"

/* The only state a signal handler may touch. */
static volatile sig_atomic_t stop_requested;

/* Short enough that Ctrl-C and exit() feel immediate even when the BPF side
 * skipped the wake-up (see events.c), long enough to cost nothing. While
 * records keep coming the reader looks again after BUSY_POLL_INTERVAL_MS:
 * the BPF side wakes it only every eighth of the ring, and a ring of
 * bpftrace's default size fills in tens of milliseconds at full rate. */
enum { POLL_INTERVAL_MS = 100, BUSY_POLL_INTERVAL_MS = 1, LOST_CHECK_INTERVAL_MS = 1000 };

struct saved_signals {
    bool saved;
    struct sigaction interrupt;
    struct sigaction terminate;
};

static void request_stop(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

static void set_stop_handler(void (*handler)(int), struct saved_signals *saved)
{
    struct sigaction action = {0};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    /* SA_RESTART keeps a write of the output from failing with EINTR; the
     * event loop still wakes at once, as epoll_wait is never restarted. */
    action.sa_flags = SA_RESTART;
    bool save = saved && !saved->saved;
    sigaction(SIGINT, &action, save ? &saved->interrupt : NULL);
    sigaction(SIGTERM, &action, save ? &saved->terminate : NULL);
    if (save)
        saved->saved = true;
}

static void restore_signals(struct saved_signals *saved)
{
    if (!saved->saved)
        return;
    sigaction(SIGINT, &saved->interrupt, NULL);
    sigaction(SIGTERM, &saved->terminate, NULL);
    saved->saved = false;
}

static double clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* -v: how long each stage of start-up took, continuing main.c's list. */
__attribute__((format(printf, 2, 3))) static void stage_done(struct session *session,
                                                             const char *format, ...)
{
    double now = clock_ms();
    if (session->options->verbose) {
        char what[64];
        va_list args;
        va_start(args, format);
        vsnprintf(what, sizeof(what), format, args);
        va_end(args);
        fprintf(stderr, "sonde: %-44s %7.2f ms\n", what, now - session->stage_start_ms);
    }
    session->stage_start_ms = now;
}

static int wait_for_stop(struct session *session)
{
    double last_lost_check = clock_ms();
    struct runtime_target *target = session->options->target;
    int timeout_ms = POLL_INTERVAL_MS;
    while (!stop_requested && session->exit_events == 0) {
        int consumed = session__poll_events(session, timeout_ms);
        if (consumed < 0)
            return consumed;
        timeout_ms = consumed > 0 ? BUSY_POLL_INTERVAL_MS : POLL_INTERVAL_MS;
        /* -p/-c: the traced process is gone, as if exit() had been called. */
        if (target && runtime_target_exited(target))
            break;
        /* Report losses as they happen, not only at the end. */
        double now = clock_ms();
        if (now - last_lost_check >= LOST_CHECK_INTERVAL_MS) {
            session__report_lost(session);
            last_lost_check = now;
        }
    }
    return 0;
}

/* BEGIN, then the probes, then events until something says stop. A script
 * with only BEGIN/END has nothing to wait for and ends right away. */
static int trace(struct session *session)
{
    session__store_start_time(session);
    /* What BEGIN sends is shown after "Attached N probes", as in bpftrace;
     * after an exit() in BEGIN nothing is attached, and bpftrace's line
     * (it attaches first) is printed all the same. */
    session->deferring = true;
    int err = session__run_begin(session);
    stage_done(session, "ran BEGIN");
    if (!err && !session->deferred_exit) {
        err = session__attach(session);
        stage_done(session, "attached %u probes",
                   session->plan->attach_count - session->skipped_probes);
    }
    if (!err)
        session->output->ops->attached(session->output,
                                       session->plan->attach_count - session->skipped_probes);
    session__show_deferred(session);
    if (err || session->exit_events)
        return err;
    struct runtime_target *target = session->options->target;
    if (target) /* -c: the command runs from here on, under the probes */
        err = runtime_target_start(target, session->diag);
    if (!err && (session__has_phase(session, PHASE_TRACE) || target))
        err = wait_for_stop(session);
    return err;
}

static void report_ignored_events(const struct session *session)
{
    if (session->options->verbose && session->ignored_events)
        fprintf(stderr, "sonde: ignored %" PRIu64 " events of unknown kind or size\n",
                session->ignored_events);
}

/* END, then everything the user asked to see. Runs after a stop and also
 * after BEGIN called exit(). */
static int finish(struct session *session, struct saved_signals *signals)
{
    /* From here on the world is quiet, as bpftrace's is once it detached:
     * END sees the maps as the probes left them, and what it clears stays
     * cleared. (A probe already past the test finishes its run; that takes
     * microseconds, long before END runs. Waiting for it for certain would
     * take an RCU grace period, 12-16 ms here.) What was traced before a
     * signal is shown; what followed exit() is not. */
    session__stop_probes(session);
    int err = session__drain_events(session);
    int end_err = session__run_end(session);
    /* A second Ctrl-C must not cut the results short. */
    set_stop_handler(SIG_IGN, signals);
    if (session->output->ops->end)
        session->output->ops->end(session->output);
    int map_err = session__print_maps(session);
    session__report_lost(session);
    report_ignored_events(session);
    session->output->ops->flush(session->output);
    restore_signals(signals);
    session__detach(session);
    return err ? err : end_err ? end_err : map_err;
}

static int run_loaded(struct session *session)
{
    struct saved_signals signals = {0};
    stop_requested = 0;
    set_stop_handler(request_stop, &signals);
    int err = session__open_events(session);
    if (!err) {
        err = trace(session);
        if (err)
            session->output->ops->flush(session->output); /* what BEGIN printed */
        else
            err = finish(session, &signals);
    }
    restore_signals(&signals);
    return err;
}

int runtime_run(const struct plan *plan, const struct runtime_options *options, struct diag *diag,
                int *exit_code)
{
    *exit_code = 0;
    struct session session;
    runtime_log_install(options->verbose);
    double start = clock_ms();
    int err = session__open(&session, plan, options, diag);
    session.stage_start_ms = start;
    if (!err)
        err = session__load(&session);
    if (!err)
        stage_done(&session, "loaded %zu BPF programs (verified)", plan->programs.count);
    if (!err && !options->dry_run)
        err = run_loaded(&session);
    session__close(&session);
    runtime_log_uninstall();
    if (err)
        return err;
    *exit_code = (int)session.exit_code;
    return 0;
}

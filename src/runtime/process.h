/* process: the process a run is about. -p PID traces an existing process
 * and stops when it exits. -c COMMAND starts one: it is forked at once but
 * held before exec until the probes are attached, so nothing it does is
 * missed, and the run stops when it exits. */
#ifndef SONDE_RUNTIME_PROCESS_H
#define SONDE_RUNTIME_PROCESS_H

#include <stdbool.h>

#include "base/diag.h"

struct runtime_target;

/* -c: fork COMMAND, split into words as a shell would (quotes, no
 * expansion of commands), held before its exec. NULL with an error. */
struct runtime_target *runtime_target_spawn(const char *command, struct diag *diag);

/* -p: the running process `pid`. NULL with an error when there is none. */
struct runtime_target *runtime_target_watch(int pid, struct diag *diag);

int runtime_target_pid(const struct runtime_target *target);
bool runtime_target_is_child(const struct runtime_target *target);

/* -c: let the child exec its command; an error when the exec fails. No-op for -p. */
int runtime_target_start(struct runtime_target *target, struct diag *diag);

/* Whether the process has exited (does not wait). */
bool runtime_target_exited(struct runtime_target *target);

/* -c: a child still running gets SIGTERM (as with bpftrace), one never
 * started is released without running its command; either is reaped. */
void runtime_target_free(struct runtime_target *target);

#endif

/* `sonde --info`, "Probe types": which probe kinds this kernel attaches. */
#ifndef SONDE_PROBES_LIST_KINDS_H
#define SONDE_PROBES_LIST_KINDS_H

#include <stdio.h>

#include "probes/probe.h"

/* One line per kind a script can attach ("  tracepoint: yes"), in -l's
 * order: yes when the kernel loads the kind's BPF program type and has
 * what attaching needs (kprobes, fentry); kinds sonde does not implement
 * say so. Returns how many kinds are available. */
int probes_report_kinds(const struct probe_env *env, FILE *out);

#endif

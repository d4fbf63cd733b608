/* -l with a program (`sonde -l -e 'PROGRAM'`, `sonde -l script.bt`): the
 * probes it would attach, by name as `sonde -l` prints them, instead of
 * every probe of the system. */
#ifndef SONDE_PROBES_LIST_PROGRAM_H
#define SONDE_PROBES_LIST_PROGRAM_H

#include <stdbool.h>
#include <stdio.h>

#include "ast/ast.h"

/* Print the probes of `program`, already expanded by probes_expand_program()
 * (with syscalls_via_raw off, so that syscalls:* stay tracepoints): one line
 * each, block by block and attach point by attach point, sorted by name
 * within an attach point, with their arguments below when `verbose`.
 * Returns how many were printed. */
int probes_list_program(const struct ast_program *program, bool verbose, FILE *out);

/* Whether `path` names a file that exists: `sonde -l ARG` lists the probes
 * of the script ARG when it does, and takes ARG as a pattern otherwise. */
bool probes_list_arg_is_script(const char *path);

#endif

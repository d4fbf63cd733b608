/* info: `sonde --info`, a report of the system, of how sonde was built and
 * of what the running kernel offers, in bpftrace's sections (System, Build,
 * Kernel helpers, Kernel features, Map types, Probe types). Every "yes" or
 * "no" is asked of the kernel, the way bpftrace and libbpf ask. */
#ifndef SONDE_INFO_H
#define SONDE_INFO_H

#include <stdio.h>

/* Print the report; `version` is sonde's. Without root, what the kernel
 * offers cannot be asked and is reported missing (with a note on stderr).
 * Returns 0. */
int info_print(FILE *out, const char *version);

#endif

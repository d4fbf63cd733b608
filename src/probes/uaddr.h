/* uaddr: where a symbol of a uprobe's binary is while the probe runs.
 *
 * A program linked at fixed addresses (ET_EXEC) has its symbols where the
 * symbol table says. A PIE or a shared library (ET_DYN) is loaded at a base
 * the kernel picks at random, the same for all its symbols: the program
 * learns that base from where its own probe fired (bpf_get_func_ip gives
 * the probed instruction's address, at entry and at return alike), so no
 * process id and no /proc/PID/maps are needed. */
#ifndef SONDE_PROBES_UADDR_H
#define SONDE_PROBES_UADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "probes/probe.h"

struct probe_user_address {
    uint64_t symbol_address; /* the symbol's address as linked (st_value) */
    uint64_t symbol_size;    /* bytes; 0 when the symbol table does not say */
    /* ET_DYN: at run time the symbol is at symbol_address plus the load
     * bias, which is (where the probe fired) - probe_address. */
    bool relocated;
    uint64_t probe_address; /* the probed instruction's address as linked */
};

/* Resolve `symbol` (a variable or a function) in the binary of uprobe
 * `instance`. Returns 0; -ENOENT when the binary has no such symbol, with
 * the closest name it has in *closest (NULL when none is close); other
 * -errno with what went wrong in *error. Strings live in `arena`. */
int probes_user_address(struct arena *arena, const struct probe_instance *instance,
                        const char *symbol, struct probe_user_address *out, const char **closest,
                        const char **error);

#endif

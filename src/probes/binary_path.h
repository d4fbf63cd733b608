/* binary_path: which file a uprobe names. A path is taken as it is; a bare
 * name is a program on PATH or a shared library by its short name (`libc`,
 * `libssl.so.3`), found as the dynamic loader would: in the process's own
 * mappings with -p, else in /etc/ld.so.cache, else in the usual directories. */
#ifndef SONDE_PROBES_BINARY_PATH_H
#define SONDE_PROBES_BINARY_PATH_H

#include "base/arena.h"
#include "base/vec.h"

/* The file for `name`, or NULL when none is found. `pid` > 0: look in that
 * process's mappings first. */
const char *probes_resolve_binary(struct arena *arena, const char *name, int pid);

/* The library `name` ("libc", "libc.so.6") names in ld.so.cache, or NULL. */
const char *probes_library_from_cache(struct arena *arena, const char *name, const char *cache);

/* Files a process has mapped executable (its program and libraries), in
 * the order of its maps. */
void probes_process_objects(struct arena *arena, int pid, struct vec *out);

#endif

/* cgroup_path: the paths of a cgroup id in the mounted cgroup hierarchies,
 * looked up when the value is printed (bpftrace's cgroup_path()). */
#ifndef SONDE_OUTPUT_CGROUP_PATH_H
#define SONDE_OUTPUT_CGROUP_PATH_H

#include <stdint.h>

#include "base/strbuf.h"

/* Appends "name:path" for each hierarchy whose name matches the glob
 * `filter` and that has a cgroup directory with inode number `id`,
 * separated by commas: the cgroup v2 hierarchy first, named "unified"
 * wherever it is mounted, then the v1 hierarchies by the names of their
 * mount points ("cpu", "memory", ...), sorted. Paths are relative to the
 * mount point ("/" for its root). Nothing when no hierarchy has it. */
void output_cgroup_path(uint64_t id, const char *filter, struct strbuf *out);

/* The same, with the mounts read from `mountinfo_path` (tests). */
void output_cgroup_path_in(const char *mountinfo_path, uint64_t id, const char *filter,
                           struct strbuf *out);

#endif

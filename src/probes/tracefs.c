/* Finding tracefs, mounting it where the system left it unmounted. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "probes/probe.h"

static const char tracing_path[] = "/sys/kernel/tracing";
static const char debugfs_tracing_path[] = "/sys/kernel/debug/tracing";

static bool has_events(const char *tracefs)
{
    char path[64];
    struct stat status;
    snprintf(path, sizeof(path), "%s/events", tracefs);
    return stat(path, &status) == 0 && S_ISDIR(status.st_mode);
}

/* Checked on every call rather than cached: it is a stat or two, and a
 * cache would be global state that tests and long runs must reason about. */
const char *probes_tracefs_path(struct diag *diag)
{
    if (has_events(tracing_path))
        return tracing_path;
    int mount_errno = 0;
    if (mount("tracefs", tracing_path, "tracefs", 0, NULL) != 0)
        mount_errno = errno;
    else if (has_events(tracing_path))
        return tracing_path;
    if (has_events(debugfs_tracing_path))
        return debugfs_tracing_path;
    struct diag_entry *entry =
        diag_error(diag, (struct srcloc){0}, "tracefs is not mounted and could not be mounted: %s",
                   strerror(mount_errno ? mount_errno : ENOENT));
    diag_hint(entry, "mount it with 'mount -t tracefs tracefs %s' (needs root)", tracing_path);
    return NULL;
}

/* What the kinds that attach with one libbpf call share. */
#include <errno.h>
#include <string.h>

#include "probes/probes_internal.h"

int probes_keep_link(struct bpf_link *link, const struct probe_instance *instance,
                     struct probe_attachment *out, struct diag *diag)
{
    /* libbpf 1.x reports a failed attach as NULL, with the reason in errno. */
    int err = link ? 0 : errno ? -errno : -EINVAL;
    out->perf_fd = -1;
    out->link = link;
    if (err)
        diag_error(diag, instance->loc, "cannot attach to %s: %s", instance->name, strerror(-err));
    return err;
}

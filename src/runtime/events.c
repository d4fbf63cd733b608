/* Events: the records BPF programs put in the ring buffer (printf, exit),
 * decoded and handed to the output, and the per-CPU counter of records the
 * ring had no room for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/runtime_internal.h"

/* A busy tracer can write as fast as we read, and libbpf keeps consuming as
 * long as records arrive. After this many records the callback makes libbpf
 * return, so the caller gets to check for Ctrl-C and lost events. */
enum { EVENT_BUDGET = 1 << 16 };
/* What the callback returns then; libbpf passes it back unchanged. */
#define BUDGET_SPENT (-ECANCELED)

static void ignore_event(struct session *session)
{
    session->ignored_events++;
}

static void handle_printf(struct session *session, uint32_t id, const char *payload, size_t size)
{
    const struct plan *plan = session->plan;
    if (id >= plan->printfs.count) {
        ignore_event(session);
        return;
    }
    const struct plan_printf *printf_plan = vec_get(&plan->printfs, id);
    if (size < printf_plan->record_size) {
        ignore_event(session);
        return;
    }
    for (unsigned i = 0; i < printf_plan->arg_count; i++)
        session->values[i] = payload + printf_plan->arg_offsets[i];
    strbuf_reset(&session->text);
    printf_format_render(printf_plan->format, (const struct type *const *)printf_plan->arg_types,
                         (const void *const *)session->values,
                         &session->output->names, &session->text);
    session->output->ops->printf_text(session->output, strbuf_text(&session->text),
                                      session->text.length);
}

static void handle_exit(struct session *session, const char *payload, size_t size)
{
    int64_t code;
    if (size < sizeof(code)) {
        ignore_event(session);
        return;
    }
    memcpy(&code, payload, sizeof(code));
    session->exit_code = code;
    session->exit_events++;
    /* bpftrace stops at exit(): what was traced after it is not shown. */
    session->discarding = true;
}

static void decode_event(struct session *session, const char *data, size_t size)
{
    struct plan_event_header header;
    if (size < sizeof(header)) {
        ignore_event(session);
        return;
    }
    memcpy(&header, data, sizeof(header));
    const char *payload = data + sizeof(header);
    size_t payload_size = size - sizeof(header);
    switch (header.kind) {
    case EVENT_PRINTF:
        handle_printf(session, header.id, payload, payload_size);
        break;
    case EVENT_EXIT:
        handle_exit(session, payload, payload_size);
        break;
    default:
        if (!session__handle_map_event(session, header.kind, header.id, payload, payload_size) &&
            !session__handle_action_event(session, header.kind, header.id, payload, payload_size))
            ignore_event(session);
        break;
    }
}

/* A marker switches between showing and dropping, whatever the state. */
static bool handle_marker(struct session *session, const void *data, size_t size)
{
    struct plan_event_header header;
    if (size != sizeof(header))
        return false;
    memcpy(&header, data, sizeof(header));
    if (header.kind != RUNTIME_EVENT_MARKER)
        return false;
    session->discarding = header.id == MARKER_DISCARD;
    return true;
}

static void consume_record(struct session *session, const void *data, size_t size)
{
    if (!handle_marker(session, data, size) && !session->discarding)
        decode_event(session, data, size);
}

/* Kept as they came, to be shown by session__show_deferred. */
static void defer_record(struct session *session, const void *data, size_t size)
{
    struct plan_event_header header;
    if (size >= sizeof(header)) {
        memcpy(&header, data, sizeof(header));
        session->deferred_exit |= header.kind == EVENT_EXIT;
    }
    /* Padded to 8 bytes, so each record stays as aligned as the ring kept it. */
    static const char padding[8];
    strbuf_append(&session->deferred, (const char *)&size, sizeof(size));
    strbuf_append(&session->deferred, data, size);
    strbuf_append(&session->deferred, padding, (8 - size % 8) % 8);
}

void session__show_deferred(struct session *session)
{
    session->deferring = false;
    const char *at = session->deferred.data, *end = at + session->deferred.length;
    while (at && at + sizeof(size_t) <= end) {
        size_t size;
        memcpy(&size, at, sizeof(size));
        at += sizeof(size);
        consume_record(session, at, size);
        at += size + (8 - size % 8) % 8;
    }
    strbuf_free(&session->deferred);
    output_batch_done(session->output);
}

static int on_event(void *context, void *data, size_t size)
{
    struct session *session = context;
    if (session->deferring)
        defer_record(session, data, size);
    else
        consume_record(session, data, size);
    /* libbpf has already moved past this record, so stopping loses nothing. */
    if (--session->event_budget == 0)
        return BUDGET_SPENT;
    return 0;
}

int session__open_events(struct session *session)
{
    const struct plan *plan = session->plan;
    if (plan->lost_map) {
        struct bpf_map *lost = bpf_object__find_map_by_name(session->object, plan->lost_map);
        if (lost)
            session->lost_fd = bpf_map__fd(lost);
    }
    if (!plan->events_map)
        return 0;
    struct bpf_map *events = bpf_object__find_map_by_name(session->object, plan->events_map);
    session->ring = events ? ring_buffer__new(bpf_map__fd(events), on_event, session, NULL) : NULL;
    if (!session->ring) {
        int err = events ? -errno : -ENOENT;
        diag_error(session->diag, (struct srcloc){0},
                   "cannot read events from the ring buffer '%s': %s", plan->events_map,
                   strerror(-err));
        return err;
    }
    return 0;
}

static int events_failed(struct session *session, int err)
{
    diag_error(session->diag, (struct srcloc){0}, "reading events failed: %s", strerror(-err));
    return err;
}

int session__poll_events(struct session *session, int timeout_ms)
{
    if (!session->ring)
        return 0;
    session->event_budget = EVENT_BUDGET;
    int result = ring_buffer__poll(session->ring, timeout_ms);
    if (result == BUDGET_SPENT) {
        output_batch_done(session->output);
        return EVENT_BUDGET;
    }
    if (result < 0 && result != -EINTR)
        return events_failed(session, result);
    int seen = EVENT_BUDGET - (int)session->event_budget;
    /* Records submitted with BPF_RB_NO_WAKEUP never wake epoll: collect them too. */
    session->event_budget = EVENT_BUDGET;
    result = ring_buffer__consume(session->ring);
    if (result < 0 && result != BUDGET_SPENT)
        return events_failed(session, result);
    seen += EVENT_BUDGET - (int)session->event_budget;
    output_batch_done(session->output);
    return seen;
}

/* Attached programs may keep writing while we drain; a bounded number of
 * rounds still empties any ring (64 budgets cover a 64 MiB ring of the
 * smallest, 16-byte records) without chasing a writer forever. */
enum { DRAIN_ROUNDS = 64 };

int session__drain_events(struct session *session)
{
    if (!session->ring)
        return 0;
    for (int round = 0; round < DRAIN_ROUNDS; round++) {
        session->event_budget = EVENT_BUDGET;
        int result = ring_buffer__consume(session->ring);
        if (result == BUDGET_SPENT)
            continue;
        output_batch_done(session->output);
        return result < 0 ? events_failed(session, result) : 0;
    }
    output_batch_done(session->output);
    return 0;
}

/* The counter is per CPU: the lookup returns one u64 for each possible CPU. */
static int read_lost(struct session *session, uint64_t *total)
{
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0)
        return cpus < 0 ? cpus : -EINVAL;
    uint64_t *counts = calloc((size_t)cpus, sizeof(*counts));
    if (!counts)
        return -ENOMEM;
    uint32_t key = 0;
    int err = bpf_map_lookup_elem(session->lost_fd, &key, counts);
    *total = 0;
    for (int cpu = 0; !err && cpu < cpus; cpu++)
        *total += counts[cpu];
    free(counts);
    return err;
}

void session__report_lost(struct session *session)
{
    uint64_t total;
    if (session->lost_fd < 0 || read_lost(session, &total) != 0)
        return;
    if (total > session->lost_reported) {
        session->output->ops->lost(session->output, total - session->lost_reported);
        session->lost_reported = total;
    }
}

void session__close_events(struct session *session)
{
    ring_buffer__free(session->ring);
    session->ring = NULL;
}

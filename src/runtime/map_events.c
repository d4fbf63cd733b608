/* Map actions that BPF programs ask user space to carry out: print(@m),
 * clear(@m), zero(@m), and print(value). They run when their record comes
 * out of the ring buffer, in order with printf output, as in bpftrace. */
#include <errno.h>
#include <string.h>

#include "runtime/runtime_internal.h"

static void report(struct session *session, int err, const char *action,
                   const struct plan_map *planned)
{
    if (err && session->options->verbose)
        fprintf(stderr, "sonde: %s(%s) failed: %s\n", action, planned->name, strerror(-err));
}

static void print_map(struct session *session, const struct plan_map *planned, const char *payload,
                      size_t size)
{
    uint64_t arguments[2] = {0, 0}; /* top, div */
    memcpy(arguments, payload, size < sizeof(arguments) ? size : sizeof(arguments));
    report(session, session__print_map(session, planned, (size_t)arguments[0], arguments[1]),
           "print", planned);
}

static void print_value(struct session *session, uint32_t id, const char *payload, size_t size)
{
    const struct plan *plan = session->plan;
    if (id >= plan->value_prints.count) {
        session->ignored_events++;
        return;
    }
    const struct plan_value_print *print = vec_get(&plan->value_prints, id);
    if (size < print->type->size) {
        session->ignored_events++;
        return;
    }
    session->output->ops->value(session->output, print->type, payload);
}

bool session__handle_map_event(struct session *session, uint32_t kind, uint32_t id,
                               const char *payload, size_t size)
{
    if (kind == EVENT_PRINT_VALUE) {
        print_value(session, id, payload, size);
        return true;
    }
    if (kind != EVENT_PRINT_MAP && kind != EVENT_CLEAR_MAP && kind != EVENT_ZERO_MAP)
        return false;
    const struct plan_map *planned = session__find_map(session, id);
    if (!planned) {
        session->ignored_events++;
        return true;
    }
    switch (kind) {
    case EVENT_PRINT_MAP:
        print_map(session, planned, payload, size);
        break;
    case EVENT_CLEAR_MAP:
        report(session, session__clear_map(session, planned), "clear", planned);
        break;
    default:
        report(session, session__zero_map(session, planned), "zero", planned);
        break;
    }
    return true;
}

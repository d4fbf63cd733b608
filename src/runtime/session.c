/* The loaded object's life cycle: open and configure it, load it (the
 * verifier runs here), run BEGIN/END by hand, attach the traced programs
 * through their probe kind, detach and close. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "runtime/runtime_internal.h"

static const struct plan_program *plan_program_at(const struct plan *plan, size_t index)
{
    return vec_get(&plan->programs, index);
}

struct srcloc runtime_program_loc(const struct plan_program *program)
{
    if (program->instances.count == 0)
        return (struct srcloc){0};
    const struct probe_instance *first = vec_get(&program->instances, 0);
    return first->loc;
}

const char *runtime_program_probe_name(const struct plan_program *program, struct strbuf *out)
{
    strbuf_reset(out);
    if (program->instances.count == 0) {
        strbuf_puts(out, program->kind ? program->kind->name : program->function_name);
        return strbuf_text(out);
    }
    const struct probe_instance *first = vec_get(&program->instances, 0);
    strbuf_puts(out, first->name);
    if (program->instances.count > 1)
        strbuf_printf(out, " (and %zu more)", program->instances.count - 1);
    return strbuf_text(out);
}

static bool valid_ring_size(unsigned bytes)
{
    unsigned page = (unsigned)sysconf(_SC_PAGESIZE);
    return bytes >= page && (bytes & (bytes - 1)) == 0;
}

/* The ring's size is fixed at map creation, so it is set between open and load. */
static int size_ring_buffer(struct session *session)
{
    if (!session->plan->events_map)
        return 0;
    struct bpf_map *ring = bpf_object__find_map_by_name(session->object, session->plan->events_map);
    if (!ring) {
        diag_error(session->diag, (struct srcloc){0},
                   "internal error: the compiled object has no ring buffer '%s'",
                   session->plan->events_map);
        return -ENOENT;
    }
    unsigned bytes = session->options->ring_buffer_bytes;
    if (bytes == 0 && bpf_map__max_entries(ring) != 0)
        return 0;
    if (bytes == 0)
        bytes = RUNTIME_DEFAULT_RING_BUFFER_BYTES;
    if (!valid_ring_size(bytes)) {
        struct diag_entry *entry = diag_error(session->diag, (struct srcloc){0},
                                              "invalid ring buffer size %u bytes", bytes);
        diag_hint(entry, "use a power of two of at least %ld bytes", sysconf(_SC_PAGESIZE));
        return -EINVAL;
    }
    return bpf_map__set_max_entries(ring, bytes);
}

static int configure_program(struct session *session, size_t index)
{
    const struct plan_program *planned = plan_program_at(session->plan, index);
    struct bpf_program *program =
        bpf_object__find_program_by_name(session->object, planned->function_name);
    if (!program) {
        diag_error(session->diag, runtime_program_loc(planned),
                   "internal error: the compiled object has no program '%s'",
                   planned->function_name);
        return -ENOENT;
    }
    /* The section says the type when libbpf knows it; for the rest the kind
     * does. Changing it needlessly would drop what libbpf derived from the section. */
    enum bpf_prog_type type = (enum bpf_prog_type)planned->kind->program_type;
    if (bpf_program__type(program) != type) {
        int err = bpf_program__set_type(program, type);
        if (err) {
            diag_error(session->diag, runtime_program_loc(planned),
                       "internal error: cannot set the type of program '%s': %s",
                       planned->function_name, strerror(-err));
            return err;
        }
    }
    /* The runtime attaches (or runs) every program itself. */
    bpf_program__set_autoattach(program, false);
    /* -v shows the verifier's log of every program, not only of one it refuses. */
    if (session->options->verbose)
        bpf_program__set_log_level(program, 1);
    session->programs[index] = program;
    return 0;
}

static size_t largest_printf(const struct plan *plan)
{
    size_t largest = 1;
    for (size_t i = 0; i < plan->printfs.count; i++) {
        const struct plan_printf *printf_plan = vec_get(&plan->printfs, i);
        if (printf_plan->arg_count > largest)
            largest = printf_plan->arg_count;
    }
    return largest;
}

int session__open(struct session *session, const struct plan *plan,
                  const struct runtime_options *options, struct diag *diag)
{
    memset(session, 0, sizeof(*session));
    session->plan = plan;
    session->options = options;
    session->diag = diag;
    session->output = options->output;
    session->lost_fd = -1;
    session->programs = calloc(plan->programs.count + 1, sizeof(*session->programs));
    session->values = calloc(largest_printf(plan), sizeof(*session->values));
    if (!session->programs || !session->values)
        return -ENOMEM;

    runtime_log_capture_start();
    LIBBPF_OPTS(bpf_object_open_opts, open_options, .object_name = "sonde");
    session->object = bpf_object__open_mem(plan->elf, plan->elf_size, &open_options);
    if (!session->object) {
        int err = -errno;
        runtime_log_capture_stop();
        session__explain_load_failure(session, err);
        return err;
    }
    for (size_t i = 0; i < plan->programs.count; i++) {
        int err = configure_program(session, i);
        if (err)
            return err;
    }
    return size_ring_buffer(session);
}

int session__load(struct session *session)
{
    int err = bpf_object__load(session->object);
    runtime_log_capture_stop();
    if (err && session->options->load_may_be_refused)
        return RUNTIME_LOAD_REFUSED;
    if (err) {
        session__explain_load_failure(session, err);
        return err;
    }
    session__install_symbolizer(session);
    return 0;
}

/* `elapsed` subtracts this from bpf_ktime_get_ns(), which reads CLOCK_MONOTONIC. */
void session__store_start_time(struct session *session)
{
    if (!session->plan->start_map)
        return;
    struct bpf_map *map = bpf_object__find_map_by_name(session->object, session->plan->start_map);
    if (!map)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t nanoseconds = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    uint32_t key = 0;
    bpf_map_update_elem(bpf_map__fd(map), &key, &nanoseconds, BPF_ANY);
}

/* Where the flag lies in the ".bss" map's one value: the offset its BTF
 * variable has in the section's DATASEC (libbpf filled it in at open). */
static int stop_flag_offset(struct session *session, const struct bpf_map *map, size_t *offset)
{
    const struct btf *btf = bpf_object__btf(session->object);
    int section = btf ? btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC) : -ENOENT;
    if (section < 0)
        return section;
    const struct btf_type *datasec = btf__type_by_id(btf, (unsigned)section);
    const struct btf_var_secinfo *entry = btf_var_secinfos(datasec);
    for (unsigned i = 0; i < btf_vlen(datasec); i++, entry++) {
        const struct btf_type *variable = btf__type_by_id(btf, entry->type);
        const char *name = variable ? btf__name_by_offset(btf, variable->name_off) : NULL;
        if (name && strcmp(name, session->plan->stop_flag) == 0 &&
            entry->offset + sizeof(uint64_t) <= bpf_map__value_size(map)) {
            *offset = entry->offset;
            return 0;
        }
    }
    return -ENOENT;
}

void session__stop_probes(struct session *session)
{
    if (!session->plan->stop_flag || !session->object)
        return;
    struct bpf_map *map = bpf_object__find_map_by_name(session->object, ".bss");
    size_t offset;
    if (!map || bpf_map__fd(map) < 0 || stop_flag_offset(session, map, &offset) != 0)
        return; /* the probes then run until detached, as they did before the flag */
    size_t size = bpf_map__value_size(map);
    unsigned char *value = calloc(1, size);
    uint32_t key = 0;
    if (value && bpf_map_lookup_elem(bpf_map__fd(map), &key, value) == 0) {
        uint64_t stopping = 1;
        memcpy(value + offset, &stopping, sizeof(stopping));
        bpf_map_update_elem(bpf_map__fd(map), &key, value, BPF_ANY);
    }
    free(value);
}

bool session__has_phase(const struct session *session, enum probe_phase phase)
{
    for (size_t i = 0; i < session->plan->programs.count; i++)
        if (plan_program_at(session->plan, i)->kind->phase == phase)
            return true;
    return false;
}

int session__run_program(struct session *session, size_t index)
{
    LIBBPF_OPTS(bpf_test_run_opts, run_options);
    int err = bpf_prog_test_run_opts(bpf_program__fd(session->programs[index]), &run_options);
    if (err) {
        const struct plan_program *planned = plan_program_at(session->plan, index);
        struct strbuf name = {0};
        diag_error(session->diag, runtime_program_loc(planned), "could not run %s: %s",
                   runtime_program_probe_name(planned, &name), strerror(-err));
        strbuf_free(&name);
    }
    return err;
}

int session__run_begin(struct session *session)
{
    for (size_t i = 0; i < session->plan->programs.count; i++) {
        if (plan_program_at(session->plan, i)->kind->phase != PHASE_BEGIN)
            continue;
        int err = session__run_program(session, i);
        if (!err)
            err = session__drain_events(session);
        if (err || session->exit_events || session->deferred_exit)
            return err;
    }
    return 0;
}

static int push_attachment(struct session *session, struct probe_attachment attachment)
{
    if (session->attachment_count == session->attachment_capacity) {
        size_t capacity = session->attachment_capacity ? session->attachment_capacity * 2 : 16;
        struct probe_attachment *grown = realloc(session->attachments, capacity * sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        session->attachments = grown;
        session->attachment_capacity = capacity;
    }
    session->attachments[session->attachment_count++] = attachment;
    return 0;
}

/* Move what the kind said about a failed attachment into the session's
 * diagnostics: as errors, or under missing_probes=warn as warnings (the
 * probe is skipped and tracing goes on), or under ignore not at all. */
static void report_failure(struct session *session, const struct diag *failure, bool fatal)
{
    if (!fatal && session->options->missing_probes == MISSING_IGNORE)
        return;
    for (size_t i = 0; i < failure->entries.count; i++) {
        const struct diag_entry *entry = vec_get(&failure->entries, i);
        struct diag_entry *copy =
            fatal ? diag_error(session->diag, entry->loc, "%s", entry->message)
                  : diag_warning(session->diag, entry->loc, "%s; skipping it", entry->message);
        if (entry->hint)
            diag_hint(copy, "%s", entry->hint);
        if (entry->detail)
            diag_detail(copy, entry->detail);
    }
}

static int attach_instance(struct session *session, size_t index,
                           const struct probe_instance *instance)
{
    const struct plan_program *planned = plan_program_at(session->plan, index);
    struct probe_attachment attachment = {.link = NULL, .perf_fd = -1};
    struct diag failure;
    diag_init(&failure, session->diag->filename, session->diag->source);
    int err = planned->kind->attach ? planned->kind->attach(session->programs[index], instance,
                                                            &attachment, &failure)
                                    : -EOPNOTSUPP;
    /* The kind explains its own failures; make sure none goes unexplained. */
    if (err && failure.error_count == 0)
        diag_error(&failure, instance->loc, "could not attach to %s: %s", instance->name,
                   strerror(-err));
    if (err) {
        bool fatal = session->options->missing_probes == MISSING_ERROR;
        report_failure(session, &failure, fatal);
        if (!fatal) {
            session->skipped_probes++;
            err = 0;
        }
    } else {
        err = push_attachment(session, attachment);
    }
    diag_free(&failure);
    return err;
}

int session__attach(struct session *session)
{
    for (size_t i = 0; i < session->plan->programs.count; i++) {
        const struct plan_program *planned = plan_program_at(session->plan, i);
        if (planned->kind->phase != PHASE_TRACE)
            continue;
        /* A shared program dispatches on its own; it is attached once. */
        size_t count = planned->kind->shared_program && planned->instances.count > 0
                           ? 1
                           : planned->instances.count;
        for (size_t j = 0; j < count; j++) {
            int err = attach_instance(session, i, vec_get(&planned->instances, j));
            if (err)
                return err;
        }
    }
    return 0;
}

void session__detach(struct session *session)
{
    runtime_detach_all(session->attachments, session->attachment_count);
    session->attachment_count = 0;
}

void session__close(struct session *session)
{
    session__detach(session);
    session__close_events(session);
    session__remove_symbolizer(session);
    bpf_object__close(session->object);
    session->object = NULL;
    free(session->attachments);
    free(session->programs);
    free(session->values);
    strbuf_free(&session->text);
    strbuf_free(&session->deferred);
}

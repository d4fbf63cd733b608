/* What the runtime's files share: one `struct session` per run, holding the
 * loaded object, the attachments and the event decoder's state. */
#ifndef SONDE_RUNTIME_RUNTIME_INTERNAL_H
#define SONDE_RUNTIME_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "runtime/runtime.h"

struct bpf_object;
struct bpf_program;
struct ring_buffer;

struct session {
    const struct plan *plan;
    const struct runtime_options *options;
    struct diag *diag;
    struct output *output;

    struct bpf_object *object;
    struct bpf_program **programs; /* parallel to plan->programs */
    struct probe_attachment *attachments;
    size_t attachment_count;
    size_t attachment_capacity;
    unsigned skipped_probes; /* failed to attach, and missing_probes said go on */

    struct ring_buffer *ring; /* NULL when the plan has no events map */
    int lost_fd;              /* -1 when the plan has no lost map */
    uint64_t lost_reported;   /* lost events already passed to output->lost */

    /* Event decoding. */
    bool discarding;         /* drop events: after exit(), outside END's markers */
    unsigned exit_events;    /* EXIT events consumed */
    int64_t exit_code;       /* from the last EXIT event consumed */
    uint64_t ignored_events; /* unknown kind or malformed, reported with -v */
    unsigned event_budget;   /* events left before a drain yields (see events.c) */
    struct strbuf text;      /* rendered printf, reused */
    /* BEGIN's records, kept until the probes are attached (events.c): as
     * in bpftrace, "Attached N probes" comes before what BEGIN printed. */
    bool deferring;
    bool deferred_exit;      /* a kept record is an exit() */
    struct strbuf deferred;  /* size_t length, then the record, each */
    const void **values;     /* printf argument pointers, sized for the largest printf */
    double stage_start_ms;   /* -v: when the stage being timed began */
};

/* The source location to blame for a plan program: its first instance. */
struct srcloc runtime_program_loc(const struct plan_program *program);
/* "tracepoint:syscalls:sys_enter_read" (plus how many more share the program). */
const char *runtime_program_probe_name(const struct plan_program *program, struct strbuf *out);

/* session.c: the object's life cycle. */
int session__open(struct session *session, const struct plan *plan,
                  const struct runtime_options *options, struct diag *diag);
int session__load(struct session *session);
void session__store_start_time(struct session *session);
/* Run plan program `index` once (BEGIN/END), recording a diag on failure. */
int session__run_program(struct session *session, size_t index);
/* Run every BEGIN program once, in plan order, showing each one's events
 * before the next runs; stops early when one calls exit(). */
int session__run_begin(struct session *session);
bool session__has_phase(const struct session *session, enum probe_phase phase);
int session__attach(struct session *session);
/* Set the object's stop flag: from now on the attached probes return at
 * once, as if detached (detaching itself waits until after the maps are
 * printed, for it is slow). Best effort: without the flag they keep running. */
void session__stop_probes(struct session *session);
void session__detach(struct session *session);
/* detach.c: destroy every attachment, several at a time (kernel detach
 * waits overlap). */
void runtime_detach_all(struct probe_attachment *attachments, size_t count);
void session__close(struct session *session);

/* markers.c: the same for END, whose records share the ring with those of
 * programs still attached. Leaves `discarding` set: nothing after END shows. */
int session__run_end(struct session *session);

/* A record kind of the runtime's own (codegen's kinds start at 1): the
 * marker program writes it, with the marker in the header's id. */
enum { RUNTIME_EVENT_MARKER = 0 };
enum runtime_marker {
    MARKER_ACCEPT = 1,  /* show the records that follow */
    MARKER_DISCARD = 2, /* drop the records that follow */
};

/* events.c: the ring buffer and the lost-event counter. */
int session__open_events(struct session *session);
/* Wait up to `timeout_ms` for a wake-up, then consume whatever is waiting
 * (also what was submitted without a wake-up). Returns how many records
 * were consumed, or a negative errno. */
int session__poll_events(struct session *session, int timeout_ms);
/* Consume everything waiting now. */
int session__drain_events(struct session *session);
/* Show the records kept while `deferring`, in order, and stop keeping. */
void session__show_deferred(struct session *session);
/* Pass lost events not yet reported to the output. */
void session__report_lost(struct session *session);
void session__close_events(struct session *session);

/* maps.c: reading maps for print(), clear(), zero() and at exit. */
int session__print_maps(struct session *session);
int session__print_map(struct session *session, const struct plan_map *planned, size_t top,
                       uint64_t div);
int session__clear_map(struct session *session, const struct plan_map *planned);
int session__zero_map(struct session *session, const struct plan_map *planned);
/* The map events name by `id`, or NULL. */
const struct plan_map *session__find_map(const struct session *session, unsigned id);

/* map_events.c: print/clear/zero/print(value) records from the ring buffer.
 * Returns false for a kind it does not handle. */
bool session__handle_map_event(struct session *session, uint32_t kind, uint32_t id,
                               const char *payload, size_t size);

/* actions.c: time(), system() and cat() records. Returns false for a kind
 * it does not handle. */
bool session__handle_action_event(struct session *session, uint32_t kind, uint32_t id,
                                  const char *payload, size_t size);
/* symbols.c: the output's symbolizer (stack maps, kallsyms, ELF symbols),
 * installed while the object is loaded. */
void session__install_symbolizer(struct session *session);
void session__remove_symbolizer(struct session *session);

/* verifier.c: libbpf's messages and load failures. */
void runtime_log_install(bool verbose);
void runtime_log_uninstall(void);
/* Keep libbpf's messages from now on, to explain a failure. */
void runtime_log_capture_start(void);
void runtime_log_capture_stop(void);
/* Record one diag explaining why bpf_object__load failed with `error`. */
void session__explain_load_failure(struct session *session, int error);

#endif

/* Maps at exit: every entry of every user map, per-CPU values combined,
 * handed to the output in one call per map (the output sorts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/runtime_internal.h"

/* Entries are copied out as records: the key, then the (combined) value,
 * each padded to 8 bytes so the output can read any field in place. */
struct map_reader {
    const struct plan_map *planned;
    int fd;
    unsigned cpus;     /* per-CPU maps: copies in one lookup */
    void *cpu_values;  /* per-CPU maps: the lookup's buffer */
    size_t key_stride; /* 0 for a scalar map */
    size_t value_stride;
    char *records;
    size_t count;
    size_t capacity;
};

static size_t round_up8(size_t size)
{
    return (size + 7) & ~(size_t)7;
}

static int reader_open(struct session *session, const struct plan_map *planned,
                       struct map_reader *reader)
{
    memset(reader, 0, sizeof(*reader));
    reader->planned = planned;
    struct bpf_map *map = bpf_object__find_map_by_name(session->object, planned->bpf_name);
    if (!map || bpf_map__key_size(map) != planned->key_size ||
        bpf_map__value_size(map) != planned->value_size) {
        diag_error(session->diag, (struct srcloc){0},
                   "internal error: map %s does not match its plan in the compiled object",
                   planned->name);
        return -EINVAL;
    }
    reader->fd = bpf_map__fd(map);
    reader->key_stride = planned->key ? round_up8(planned->key_size) : 0;
    reader->value_stride = round_up8(planned->value_size);
    if (planned->per_cpu) {
        int cpus = libbpf_num_possible_cpus();
        if (cpus <= 0)
            return cpus < 0 ? cpus : -EINVAL;
        reader->cpus = (unsigned)cpus;
        reader->cpu_values = calloc((size_t)cpus, reader->value_stride);
        if (!reader->cpu_values)
            return -ENOMEM;
    }
    return 0;
}

static void reader_close(struct map_reader *reader)
{
    free(reader->cpu_values);
    free(reader->records);
}

/* Room for one more record; NULL when out of memory. */
static char *reader_next_record(struct map_reader *reader)
{
    size_t stride = reader->key_stride + reader->value_stride;
    if (reader->count == reader->capacity) {
        size_t capacity = reader->capacity ? reader->capacity * 2 : 64;
        char *grown = realloc(reader->records, capacity * stride);
        if (!grown)
            return NULL;
        reader->records = grown;
        reader->capacity = capacity;
    }
    char *record = reader->records + reader->count * stride;
    memset(record, 0, stride);
    return record;
}

/* 0, -ENOENT when the key is gone, or another negative errno. */
static int read_value(struct map_reader *reader, const void *key, void *out)
{
    if (!reader->planned->per_cpu)
        return bpf_map_lookup_elem(reader->fd, key, out);
    int err = bpf_map_lookup_elem(reader->fd, key, reader->cpu_values);
    if (!err)
        output_combine_per_cpu(reader->planned->value, reader->cpu_values,
                               reader->planned->value_size, reader->cpus, out);
    return err;
}

/* A scalar map keeps its one value under the u64 key 0. */
static int read_scalar(struct map_reader *reader)
{
    uint64_t key = 0;
    char *record = reader_next_record(reader);
    if (!record)
        return -ENOMEM;
    int err = read_value(reader, &key, record);
    if (err == -ENOENT)
        return 0;
    if (!err)
        reader->count++;
    return err;
}

/* Walk the keys. Programs may still update the map meanwhile; `limit` (the
 * map's capacity) bounds the walk should the kernel restart it because the
 * cursor key was deleted. */
static int read_keyed(struct map_reader *reader, size_t limit)
{
    void *cursor = calloc(1, reader->key_stride);
    if (!cursor)
        return -ENOMEM;
    bool started = false;
    int err = 0;
    while (reader->count < limit) {
        char *record = reader_next_record(reader);
        if (!record) {
            err = -ENOMEM;
            break;
        }
        err = bpf_map_get_next_key(reader->fd, started ? cursor : NULL, record);
        if (err) {
            if (err == -ENOENT)
                err = 0;
            break;
        }
        memcpy(cursor, record, reader->planned->key_size);
        started = true;
        err = read_value(reader, record, record + reader->key_stride);
        if (err == -ENOENT) {
            err = 0; /* deleted since we saw its key */
            continue;
        }
        if (err)
            break;
        reader->count++;
    }
    free(cursor);
    return err;
}

static int show_entries(struct session *session, struct map_reader *reader, size_t top,
                        uint64_t div)
{
    struct output_map_entry *entries = calloc(reader->count ? reader->count : 1, sizeof(*entries));
    if (!entries)
        return -ENOMEM;
    size_t stride = reader->key_stride + reader->value_stride;
    for (size_t i = 0; i < reader->count; i++) {
        char *record = reader->records + i * stride;
        entries[i].key = reader->planned->key ? record : NULL;
        entries[i].value = record + reader->key_stride;
    }
    const struct plan_map *planned = reader->planned;
    struct output_map map = {
        .name = planned->name,
        .key = planned->key,
        .value = planned->value,
        .hist = planned->hist.bucket_count ? &planned->hist : NULL,
        .top = top,
        .div = div,
    };
    session->output->ops->map(session->output, &map, entries, reader->count);
    free(entries);
    return 0;
}

/* Every entry of the map, per-CPU values combined; reader_close frees it. */
static int read_map(struct session *session, const struct plan_map *planned,
                    struct map_reader *reader)
{
    int errors_before = session->diag->error_count;
    int err = reader_open(session, planned, reader);
    if (!err) {
        size_t limit = planned->max_entries ? planned->max_entries : 1;
        err = planned->key ? read_keyed(reader, limit) : read_scalar(reader);
    }
    if (err && session->diag->error_count == errors_before)
        diag_error(session->diag, (struct srcloc){0}, "cannot read map %s: %s", planned->name,
                   strerror(-err));
    return err;
}

int session__print_map(struct session *session, const struct plan_map *planned, size_t top,
                       uint64_t div)
{
    struct map_reader reader;
    int err = read_map(session, planned, &reader);
    /* bpftrace prints nothing for a map that was never written. */
    if (!err && reader.count > 0)
        err = show_entries(session, &reader, top, div);
    reader_close(&reader);
    return err;
}

int session__print_maps(struct session *session)
{
    int first_error = 0;
    for (size_t i = 0; i < session->plan->maps.count; i++) {
        int err = session__print_map(session, vec_get(&session->plan->maps, i), 0, 0);
        if (err && !first_error)
            first_error = err;
    }
    return first_error;
}

const struct plan_map *session__find_map(const struct session *session, unsigned id)
{
    for (size_t i = 0; i < session->plan->maps.count; i++) {
        const struct plan_map *planned = vec_get(&session->plan->maps, i);
        if (planned->id == id)
            return planned;
    }
    return NULL;
}

/* clear(): every key goes. The keys are read first, so deleting does not
 * disturb the walk; programs may add keys meanwhile, as in bpftrace. */
int session__clear_map(struct session *session, const struct plan_map *planned)
{
    struct map_reader reader;
    int err = read_map(session, planned, &reader);
    size_t stride = reader.key_stride + reader.value_stride;
    uint64_t scalar_key = 0;
    for (size_t i = 0; !err && i < reader.count; i++) {
        const void *key = planned->key ? (const void *)(reader.records + i * stride) : &scalar_key;
        int deleted = bpf_map_delete_elem(reader.fd, key);
        if (deleted && deleted != -ENOENT)
            err = deleted;
    }
    reader_close(&reader);
    return err;
}

/* zero(): every key stays, with a zero value on every CPU. */
int session__zero_map(struct session *session, const struct plan_map *planned)
{
    struct map_reader reader;
    int err = read_map(session, planned, &reader);
    size_t stride = reader.key_stride + reader.value_stride;
    size_t copies = planned->per_cpu ? reader.cpus : 1;
    void *zeros = err ? NULL : calloc(copies, reader.value_stride);
    if (!err && !zeros)
        err = -ENOMEM;
    uint64_t scalar_key = 0;
    for (size_t i = 0; !err && i < reader.count; i++) {
        const void *key = planned->key ? (const void *)(reader.records + i * stride) : &scalar_key;
        int updated = bpf_map_update_elem(reader.fd, key, zeros, BPF_EXIST);
        if (updated && updated != -ENOENT)
            err = updated;
    }
    free(zeros);
    reader_close(&reader);
    return err;
}

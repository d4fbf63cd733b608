/* Reading the kernel's BTF: function prototypes and the C text of types. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "probes/kernel_btf.h"
#include "types/btf.h"

/* Loaded objects live for the process: the kernel's types do not change
 * while sonde runs, and parsing vmlinux's BTF takes tens of milliseconds.
 * vmlinux's comes from the type system (btf_types_kernel), which the type
 * checker asks too: one parse per run, and one sonde type per kernel type. */
struct loaded_btf {
    char *module;
    const struct btf *btf;
    struct btf_types *types; /* sonde's view of the same types */
    struct loaded_btf *next;
};
static struct loaded_btf *loaded;

static bool is_vmlinux(const char *module)
{
    return !module || !*module || strcmp(module, "vmlinux") == 0;
}

/* The object's BTF and sonde's view of it, or false when it has none. */
static bool load(const char *module, const struct btf **btf, struct btf_types **types)
{
    if (is_vmlinux(module)) {
        *types = btf_types_kernel();
        *btf = *types ? btf_types_btf(*types) : NULL;
        return *types != NULL;
    }
    /* libbpf takes the base non-const, but only reads it. */
    struct btf *vmlinux = (struct btf *)probe_kernel_btf(NULL);
    struct btf *split = vmlinux ? btf__load_module_btf(module, vmlinux) : NULL;
    if (!split)
        return false;
    *btf = split;
    *types = btf_types_open(split);
    return true;
}

static struct loaded_btf *find_by_module(const char *module)
{
    for (struct loaded_btf *entry = loaded; entry; entry = entry->next)
        if (strcmp(entry->module, module) == 0)
            return entry;
    return NULL;
}

static struct loaded_btf *find_by_btf(const struct btf *btf)
{
    for (struct loaded_btf *entry = loaded; entry; entry = entry->next)
        if (entry->btf == btf)
            return entry;
    return NULL;
}

const struct btf *probe_kernel_btf(const char *module)
{
    const char *name = is_vmlinux(module) ? "vmlinux" : module;
    struct loaded_btf *found = find_by_module(name);
    if (found)
        return found->btf;
    const struct btf *btf = NULL;
    struct btf_types *types = NULL;
    if (!load(module, &btf, &types))
        return NULL;
    struct loaded_btf *entry = calloc(1, sizeof(*entry));
    char *copy = strdup(name);
    if (!entry || !copy) {
        /* Out of memory: the BTF stays (vmlinux's belongs to the type system). */
        free(entry);
        free(copy);
        return NULL;
    }
    entry->module = copy;
    entry->btf = btf;
    entry->types = types;
    entry->next = loaded;
    loaded = entry;
    return btf;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void probe_kernel_btf_objects(struct arena *arena, struct vec *out)
{
    vec_push(out, "vmlinux");
    size_t first = out->count;
    DIR *dir = opendir("/sys/kernel/btf");
    struct dirent *entry;
    while (dir && (entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.' && strcmp(entry->d_name, "vmlinux") != 0)
            vec_push(out, arena_strdup(arena, entry->d_name));
    if (dir)
        closedir(dir);
    qsort(out->items + first, out->count - first, sizeof(void *), compare_names);
}

static const char *name_of(const struct btf *btf, const struct btf_type *type)
{
    const char *name = btf__name_by_offset(btf, type->name_off);
    return name && *name ? name : "(anon)";
}

void probe_btf_type_text(const struct btf *btf, uint32_t id, struct strbuf *out)
{
    const struct btf_type *type = id ? btf__type_by_id(btf, id) : NULL;
    if (!type) {
        strbuf_puts(out, "void");
        return;
    }
    switch (btf_kind(type)) {
    case BTF_KIND_PTR: {
        const struct btf_type *target = btf__type_by_id(btf, type->type);
        if (target && btf_kind(target) == BTF_KIND_FUNC_PROTO) {
            strbuf_puts(out, "void *"); /* function pointers: only the address is usable */
            return;
        }
        probe_btf_type_text(btf, type->type, out);
        strbuf_puts(out, " *");
        return;
    }
    case BTF_KIND_CONST:
        strbuf_puts(out, "const ");
        probe_btf_type_text(btf, type->type, out);
        return;
    case BTF_KIND_VOLATILE:
        strbuf_puts(out, "volatile ");
        probe_btf_type_text(btf, type->type, out);
        return;
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
        probe_btf_type_text(btf, type->type, out);
        return;
    case BTF_KIND_STRUCT:
        strbuf_printf(out, "struct %s", name_of(btf, type));
        return;
    case BTF_KIND_UNION:
        strbuf_printf(out, "union %s", name_of(btf, type));
        return;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
        strbuf_printf(out, "enum %s", name_of(btf, type));
        return;
    case BTF_KIND_FWD:
        strbuf_printf(out, "%s %s", btf_kflag(type) ? "union" : "struct", name_of(btf, type));
        return;
    case BTF_KIND_ARRAY:
        probe_btf_type_text(btf, btf_array(type)->type, out);
        strbuf_printf(out, "[%u]", btf_array(type)->nelems);
        return;
    case BTF_KIND_FUNC_PROTO:
        strbuf_puts(out, "void");
        return;
    default: /* INT, FLOAT, TYPEDEF */
        strbuf_puts(out, name_of(btf, type));
        return;
    }
}

/* What a value of the type is once typedefs and qualifiers are gone. */
struct resolved {
    const struct btf_type *type; /* NULL: void */
    uint32_t id;
    unsigned size;
    bool is_signed;
    bool user; /* a pointer whose target is tagged __user */
};

static uint32_t skip_modifiers(const struct btf *btf, uint32_t id, bool *user)
{
    for (;;) {
        const struct btf_type *type = id ? btf__type_by_id(btf, id) : NULL;
        if (!type)
            return id;
        switch (btf_kind(type)) {
        case BTF_KIND_TYPE_TAG:
            if (user && strcmp(name_of(btf, type), "user") == 0)
                *user = true;
            /* fall through */
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_CONST:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_RESTRICT:
            id = type->type;
            break;
        default:
            return id;
        }
    }
}

static struct resolved resolve(const struct btf *btf, uint32_t id)
{
    struct resolved result = {0};
    result.id = skip_modifiers(btf, id, NULL);
    result.type = result.id ? btf__type_by_id(btf, result.id) : NULL;
    if (!result.type)
        return result;
    switch (btf_kind(result.type)) {
    case BTF_KIND_INT:
        result.size = result.type->size;
        result.is_signed = btf_int_encoding(result.type) & BTF_INT_SIGNED;
        break;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
        result.size = result.type->size;
        result.is_signed = btf_kflag(result.type);
        break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
        result.size = result.type->size;
        break;
    case BTF_KIND_PTR:
        result.size = 8;
        skip_modifiers(btf, result.type->type, &result.user);
        break;
    default:
        result.size = 8;
        break;
    }
    return result;
}

/* The language type of a value of BTF type `id`: as the type checker sees
 * kernel types elsewhere (struct pointers can be followed), except that a
 * pointer tagged __user points into the process. */
static const struct type *language_type(struct arena *arena, const struct btf *btf, uint32_t id)
{
    struct loaded_btf *entry = find_by_btf(btf);
    struct resolved resolved = resolve(btf, id);
    const struct type *type = entry && entry->types ? btf_types_convert(entry->types, id) : NULL;
    if (type && type->kind == TYPE_POINTER && resolved.user)
        return type_pointer(arena, type->element, SPACE_USER);
    if (type)
        return type;
    /* Not a kernel object's types (tests): type the C text as tracefs' would be. */
    struct strbuf text = {0};
    probe_btf_type_text(btf, resolved.id, &text);
    type = tracepoint_c_type(arena, strbuf_text(&text), resolved.size, resolved.is_signed,
                             resolved.user);
    strbuf_free(&text);
    return type;
}

static const char *text_of(struct arena *arena, const struct btf *btf, uint32_t id)
{
    struct strbuf text = {0};
    probe_btf_type_text(btf, id, &text);
    char *copy = arena_strdup(arena, strbuf_text(&text));
    strbuf_free(&text);
    return copy;
}

const struct tracepoint_format *probe_btf_arguments(struct arena *arena, const struct btf *btf,
                                                    uint32_t proto_id, unsigned skip,
                                                    const char *category, const char *event)
{
    const struct btf_type *proto = btf__type_by_id(btf, proto_id);
    if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO)
        return NULL;
    const struct btf_param *params = btf_params(proto);
    unsigned count = btf_vlen(proto) > skip ? btf_vlen(proto) - skip : 0;
    struct tracepoint_field *fields = arena_alloc(arena, sizeof(*fields) * (count + 1));
    struct type_field *record = arena_alloc(arena, sizeof(*record) * (count + 1));
    unsigned used = 0, slot = 0;
    for (unsigned i = 0; i < count; i++) {
        const struct btf_param *param = &params[skip + i];
        if (param->type == 0)
            break; /* `...`: variadic functions end with a void parameter */
        const char *name = btf__name_by_offset(btf, param->name_off);
        struct tracepoint_field *field = &fields[used];
        field->name = name && *name ? arena_strdup(arena, name) : arena_printf(arena, "arg%u", i);
        field->c_type = text_of(arena, btf, param->type);
        struct resolved resolved = resolve(btf, param->type);
        /* A struct passed by value takes as many slots as it has words. */
        field->offset = 8 * slot;
        slot += resolved.size > 8 ? (resolved.size + 7) / 8 : 1;
        field->size = resolved.size;
        field->is_signed = resolved.is_signed;
        field->type = language_type(arena, btf, param->type);
        record[used] =
            (struct type_field){.name = field->name, .type = field->type, .offset = field->offset};
        used++;
    }
    struct tracepoint_format *format = ARENA_NEW(arena, struct tracepoint_format);
    format->category = category;
    format->event = event;
    format->fields = fields;
    format->field_count = used;
    format->args_type =
        type_record(arena, arena_printf(arena, "%s_args", event), record, used, 8 * slot);
    return format;
}

const struct type *probe_btf_return_type(struct arena *arena, const struct btf *btf,
                                         uint32_t proto_id, const char **text)
{
    const struct btf_type *proto = btf__type_by_id(btf, proto_id);
    if (text)
        *text = NULL;
    if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO || proto->type == 0)
        return NULL;
    if (text)
        *text = text_of(arena, btf, proto->type);
    return language_type(arena, btf, proto->type);
}

uint32_t probe_btf_find_function(const struct btf *btf, const char *name, uint32_t *proto_id)
{
    int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -1;
    if (id <= 0)
        return 0;
    if (proto_id)
        *proto_id = btf__type_by_id(btf, (uint32_t)id)->type;
    return (uint32_t)id;
}

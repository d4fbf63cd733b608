/* Format files as tracefs writes them (copied from a 6.18 kernel), parsed
 * into fields with the language types sonde gives them. */
#include <bpf/btf.h>
#include <string.h>

#include "test.h"
#include "types/btf.h"
#include "types/tracepoint_format.h"

static const char sys_enter_openat[] =
    "name: sys_enter_openat\n"
    "ID: 782\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
    "\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n"
    "\n"
    "print fmt: \"dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx\", ((unsigned "
    "long)(REC->dfd)), ((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), ((unsigned "
    "long)(REC->mode))\n";

static const char sys_enter_read[] =
    "name: sys_enter_read\n"
    "ID: 842\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
    "\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\n"
    "print fmt: \"fd: 0x%08lx, buf: 0x%08lx, count: 0x%08lx\", ((unsigned long)(REC->fd)), "
    "((unsigned long)(REC->buf)), ((unsigned long)(REC->count))\n";

static const char sys_exit_read[] =
    "name: sys_exit_read\n"
    "ID: 841\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
    "\n"
    "print fmt: \"0x%lx\", REC->ret\n";

static const char sys_enter_execve[] =
    "name: sys_enter_execve\n"
    "ID: 862\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:const char *const * argv;\toffset:24;\tsize:8;\tsigned:0;\n"
    "\tfield:const char *const * envp;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\n"
    "print fmt: \"filename: 0x%08lx, argv: 0x%08lx, envp: 0x%08lx\", ((unsigned "
    "long)(REC->filename)), ((unsigned long)(REC->argv)), ((unsigned long)(REC->envp))\n";

static const char sched_switch[] =
    "name: sched_switch\n"
    "ID: 372\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
    "\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
    "\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
    "\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
    "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
    "\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
    "\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n"
    "\n"
    "print fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state...\"\n";

static const char sched_process_exec[] =
    "name: sched_process_exec\n"
    "ID: 365\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
    "\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
    "\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
    "\n"
    "print fmt: \"filename=%s pid=%d old_pid=%d\", __get_str(filename), REC->pid, REC->old_pid\n";

struct expected_field {
    const char *name;
    const char *c_type;
    unsigned offset, size;
    const char *type;
    bool is_data_loc;
};

static void check_fields(struct arena *arena, const struct tracepoint_format *format,
                         const struct expected_field *expected, unsigned count)
{
    CHECK(format != NULL);
    if (!format)
        return;
    CHECK(format->field_count == count);
    for (unsigned i = 0; i < count && i < format->field_count; i++) {
        const struct tracepoint_field *field = &format->fields[i];
        CHECK_STR(field->name, expected[i].name);
        CHECK_STR(field->c_type, expected[i].c_type);
        CHECK(field->offset == expected[i].offset);
        CHECK(field->size == expected[i].size);
        CHECK(field->is_data_loc == expected[i].is_data_loc);
        CHECK_STR(type_name(arena, field->type), expected[i].type);
    }
}

static const struct tracepoint_format *parse(struct arena *arena, const char *category,
                                             const char *event, const char *text, bool user)
{
    const char *error = NULL;
    const struct tracepoint_format *format =
        tracepoint_format_parse(arena, category, event, text, user, &error);
    if (!format)
        fprintf(stderr, "parse %s:%s failed: %s\n", category, event, error ? error : "?");
    return format;
}

/* Syscall arguments sit in 8-byte slots but keep their C types. */
static void test_sys_enter_openat(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "syscalls", "sys_enter_openat", sys_enter_openat, true);
    static const struct expected_field expected[] = {
        {"__syscall_nr", "int", 8, 4, "int32", false},
        {"dfd", "int", 16, 8, "int32", false},
        {"filename", "const char *", 24, 8, "int8 *", false},
        {"flags", "int", 32, 8, "int32", false},
        {"mode", "umode_t", 40, 8, "uint16", false},
    };
    check_fields(arena, format, expected, 5);
    if (!format)
        return;
    CHECK(format->fields[2].type->space == SPACE_USER);
    CHECK_STR(format->category, "syscalls");
    CHECK_STR(format->event, "sys_enter_openat");
    const struct type *args = format->args_type;
    CHECK(args->kind == TYPE_RECORD);
    CHECK_STR(args->name, "syscalls_sys_enter_openat");
    CHECK_STR(type_name(arena, args), "struct syscalls_sys_enter_openat");
    CHECK(args->field_count == 5);
    CHECK(args->size == 48);
    CHECK(type_find_field(args, "flags") && type_find_field(args, "flags")->offset == 32);
    CHECK(type_find_field(args, "common_pid") == NULL);
}

static void test_sys_enter_read(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "syscalls", "sys_enter_read", sys_enter_read, true);
    static const struct expected_field expected[] = {
        {"__syscall_nr", "int", 8, 4, "int32", false},
        {"fd", "unsigned int", 16, 8, "uint32", false},
        {"buf", "char *", 24, 8, "int8 *", false},
        {"count", "size_t", 32, 8, "uint64", false},
    };
    check_fields(arena, format, expected, 4);
    if (format)
        CHECK(format->args_type->size == 40);
}

static void test_sys_exit_read(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "syscalls", "sys_exit_read", sys_exit_read, true);
    static const struct expected_field expected[] = {
        {"__syscall_nr", "int", 8, 4, "int32", false},
        {"ret", "long", 16, 8, "int64", false},
    };
    check_fields(arena, format, expected, 2);
}

static void test_sys_enter_execve(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "syscalls", "sys_enter_execve", sys_enter_execve, true);
    static const struct expected_field expected[] = {
        {"__syscall_nr", "int", 8, 4, "int32", false},
        {"filename", "const char *", 16, 8, "int8 *", false},
        {"argv", "const char *const *", 24, 8, "int8 * *", false},
        {"envp", "const char *const *", 32, 8, "int8 * *", false},
    };
    check_fields(arena, format, expected, 4);
}

/* char[16] is a string; signed/unsigned come from the C type. */
static void test_sched_switch(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "sched", "sched_switch", sched_switch, false);
    static const struct expected_field expected[] = {
        {"prev_comm", "char[16]", 8, 16, "string[16]", false},
        {"prev_pid", "pid_t", 24, 4, "int32", false},
        {"prev_prio", "int", 28, 4, "int32", false},
        {"prev_state", "long", 32, 8, "int64", false},
        {"next_comm", "char[16]", 40, 16, "string[16]", false},
        {"next_pid", "pid_t", 56, 4, "int32", false},
        {"next_prio", "int", 60, 4, "int32", false},
    };
    check_fields(arena, format, expected, 7);
    if (format) {
        CHECK(format->args_type->size == 64);
        CHECK_STR(format->args_type->name, "sched_sched_switch");
    }
}

static void test_sched_process_exec(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "sched", "sched_process_exec", sched_process_exec, false);
    static const struct expected_field expected[] = {
        {"filename", "__data_loc char[]", 8, 4, "string[64]", true},
        {"pid", "pid_t", 12, 4, "int32", false},
        {"old_pid", "pid_t", 16, 4, "int32", false},
    };
    check_fields(arena, format, expected, 3);
}

/* Kernel pointers unless told otherwise; unknown typedefs by size and sign. */
static void test_c_types(struct arena *arena)
{
    struct {
        const char *c_type;
        unsigned size;
        bool is_signed;
        const char *expected;
    } cases[] = {
        {"u8", 1, false, "uint8"},
        {"s64", 8, true, "int64"},
        {"__u32", 4, false, "uint32"},
        {"const __u32", 8, false, "uint32"},
        {"unsigned long long", 8, false, "uint64"},
        {"long long", 8, true, "int64"},
        {"short", 2, true, "int16"},
        {"unsigned char", 1, false, "uint8"},
        {"gfp_t", 4, false, "uint32"},
        {"pid_t", 8, false, "int32"},
        {"bool", 1, false, "bool"},
        {"xfs_ino_t", 8, false, "uint64"},
        {"xfs_daddr_t", 8, true, "int64"},
        {"enum zone_type", 4, false, "uint32"},
        {"const enum landlock_rule_type", 8, false, "uint32"},
        {"void *", 8, false, "void *"},
        {"struct file *", 8, false, "void *"},
        {"u32 *", 8, false, "uint32 *"},
        {"void __seg_gs *", 8, false, "void *"},
        {"cap_user_header_t", 8, false, "void *"},
        {"u8[6]", 6, false, "uint8[6]"},
        {"unsigned long[4]", 32, false, "uint64[4]"},
        {"char[32]", 32, false, "string[32]"},
        {"u32[]", 0, false, "uint32[0]"},
        {"__data_loc u64[]", 4, false, "uint32"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct type *type =
            tracepoint_c_type(arena, cases[i].c_type, cases[i].size, cases[i].is_signed, false);
        CHECK_STR(type_name(arena, type), cases[i].expected);
    }
    const struct type *kernel = tracepoint_c_type(arena, "const char *", 8, false, false);
    const struct type *user = tracepoint_c_type(arena, "const char *", 8, false, true);
    CHECK(kernel->space == SPACE_KERNEL);
    CHECK(user->space == SPACE_USER);
}

/* struct timespec { long tv_sec; long tv_nsec; };
 * struct msg { void *name; struct msg *next; struct timespec when; };
 * union value { int i; long l; }; enum color : short { RED }; typedef struct msg msg_t; */
static struct btf *named_btf(void)
{
    struct btf *btf = btf__new_empty();
    int long_id = btf__add_int(btf, "long", 8, BTF_INT_SIGNED); /* 1 */
    int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);   /* 2 */
    int timespec_id = btf__add_struct(btf, "timespec", 16);     /* 3 */
    btf__add_field(btf, "tv_sec", long_id, 0, 0);
    btf__add_field(btf, "tv_nsec", long_id, 64, 0);
    int void_ptr_id = btf__add_ptr(btf, 0);       /* 4 */
    int msg_id = btf__add_struct(btf, "msg", 32); /* 5 */
    btf__add_field(btf, "name", void_ptr_id, 0, 0);
    btf__add_field(btf, "next", msg_id + 1, 64, 0);
    btf__add_field(btf, "when", timespec_id, 128, 0);
    btf__add_ptr(btf, msg_id);       /* 6 */
    btf__add_union(btf, "value", 8); /* 7 */
    btf__add_field(btf, "i", int_id, 0, 0);
    btf__add_field(btf, "l", long_id, 0, 0);
    btf__add_enum(btf, "color", 2);
    btf__add_enum_value(btf, "RED", 0);
    btf__add_typedef(btf, "msg_t", msg_id);
    return btf;
}

static const char *const sys_enter_nap =
    "name: sys_enter_nap\nID: 1\nformat:\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:struct timespec * rqtp;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:msg_t * msg;\toffset:24;\tsize:8;\tsigned:0;\n";

/* Named pointees come from BTF: syscall arguments point into the process,
 * and so does every pointer reached through them. */
static void test_named_types(struct arena *arena)
{
    struct btf *btf = named_btf();
    struct btf_types *types = btf_types_open(btf);
    const char *error = NULL;
    const struct tracepoint_format *format = tracepoint_format_parse_btf(
        arena, "syscalls", "sys_enter_nap", sys_enter_nap, true, types, &error);
    CHECK(format != NULL);
    if (format) {
        const struct type *rqtp = format->fields[1].type;
        CHECK_STR(type_name(arena, rqtp), "struct timespec *");
        CHECK(rqtp->space == SPACE_USER);
        const struct type_field *nsec = type_find_field(rqtp->element, "tv_nsec");
        CHECK(nsec && nsec->offset == 8 && nsec->type == type_int(8, true));

        const struct type *msg = format->fields[2].type;
        CHECK_STR(type_name(arena, msg), "struct msg *");
        const struct type_field *name = type_find_field(msg->element, "name");
        const struct type_field *next = type_find_field(msg->element, "next");
        const struct type_field *when = type_find_field(msg->element, "when");
        CHECK(name && name->type->space == SPACE_USER);
        CHECK(next && next->type->space == SPACE_USER);
        CHECK(next && type_find_field(next->type->element, "next")->type->space == SPACE_USER);
        CHECK(when && when->offset == 16 && type_find_field(when->type, "tv_sec") != NULL);
        CHECK(msg->element->size == 32);
    }

    /* Kernel records keep BTF's own types. */
    const struct type *kernel =
        tracepoint_c_type_btf(arena, "const struct msg *", 8, false, false, types);
    CHECK(kernel->space == SPACE_KERNEL && kernel->element == btf_types_find(types, "struct msg"));
    struct {
        const char *c_type;
        unsigned size;
        const char *expected;
    } cases[] = {
        {"union value *", 8, "struct value *"}, /* records print as struct */
        {"enum color *", 8, "uint16 *"},
        {"const enum color", 8, "uint16"}, /* BTF says 2 bytes */
        {"enum nothing", 8, "uint32"},
        {"struct nothing *", 8, "void *"},
        {"struct timespec", 16, "struct timespec"},
        {"struct timespec", 12, "uint8[12]"}, /* BTF's size differs: bytes */
        {"struct timespec[2]", 32, "struct timespec[2]"},
        {"msg_t", 32, "struct msg"},
        {"u32 *", 8, "uint32 *"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct type *type =
            tracepoint_c_type_btf(arena, cases[i].c_type, cases[i].size, false, false, types);
        CHECK_STR(type_name(arena, type), cases[i].expected);
    }
    btf_types_close(types);
    btf__free(btf);
}

/* `args` as a value: a __data_loc string is 64 bytes there, not 4, so the
 * fields after it move down instead of overlapping it. */
static void test_args_layout(struct arena *arena)
{
    const struct tracepoint_format *format =
        parse(arena, "sched", "sched_process_exec", sched_process_exec, false);
    if (!format)
        return;
    const struct type *args = format->args_type;
    CHECK(type_find_field(args, "filename")->offset == 8);
    CHECK(type_find_field(args, "pid")->offset == 72);
    CHECK(type_find_field(args, "old_pid")->offset == 76);
    CHECK(args->size == 80 && args->align == 4);
}

static void test_malformed(struct arena *arena)
{
    const char *error = NULL;
    CHECK(tracepoint_format_parse(arena, "a", "b", "name: b\nID: 1\n", false, &error) == NULL);
    CHECK(error != NULL);
    error = NULL;
    CHECK(tracepoint_format_parse(arena, "a", "b",
                                  "format:\n\tfield:int x;\toffset:8;\n\tfield:int y;\t"
                                  "offset:12;\tsize:4;\tsigned:1;\n",
                                  false, &error) == NULL);
    CHECK(error && strstr(error, "int x") != NULL);
    /* An event without fields of its own is fine. */
    const struct tracepoint_format *empty = tracepoint_format_parse(
        arena, "a", "b",
        "format:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n", false,
        &error);
    CHECK(empty && empty->field_count == 0 && empty->args_type->kind == TYPE_RECORD);
}

int main(void)
{
    struct arena arena;
    arena_init(&arena);
    test_sys_enter_openat(&arena);
    test_sys_enter_read(&arena);
    test_sys_exit_read(&arena);
    test_sys_enter_execve(&arena);
    test_sched_switch(&arena);
    test_sched_process_exec(&arena);
    test_c_types(&arena);
    test_named_types(&arena);
    test_args_layout(&arena);
    test_malformed(&arena);
    arena_free(&arena);
    return TEST_DONE();
}

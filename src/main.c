/* sonde: the command line. Reads the script, runs the pipeline
 * (parse → expand probes → type check → codegen → runtime) and decides the
 * exit status; every error is printed here, from the diagnostics. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ast/config.h"
#include "ast/getopt.h"
#include "ast/sema.h"
#include "base/strbuf.h"
#include "codegen/codegen.h"
#include "codegen/object_cache.h"
#include "front/parse.h"
#include "info.h"
#include "output/exit_maps.h"
#include "output/output.h"
#include "probes/list_program.h"
#include "probes/probe.h"
#include "runtime/bpf_cpu.h"
#include "runtime/process.h"
#include "runtime/runtime.h"

#define SONDE_VERSION "0.1.0"

struct cli {
    const char *program_text; /* -e */
    const char *script_path;  /* file or "-" */
    const char *const *params; /* positional: $1, $2, ... */
    int param_count;
    struct ast_named_params named; /* --name[=value] for getopt() */
    const char **named_storage;    /* named.args, writable */
    bool dump_ast, dump_llvm, dry_run, verbose, list;
    bool info;   /* --info: the system's and the build's features */
    bool unsafe; /* --unsafe: system(), signal(), uprobes inside instructions */
    int target_pid;             /* -p */
    const char *child_command;  /* -c */
    const char *emit_elf;       /* --emit-elf FILE: write the object, run nothing */
    const char *list_pattern;
    struct output_config output; /* -f, -o, -B, -q */
};

static void usage(FILE *out)
{
    fputs("usage: sonde [options] [script.bt | -] [arguments...]\n"
          "       sonde [options] -e 'program' [arguments...]\n"
          "       sonde -l [pattern | script.bt | -e 'program']\n"
          "       sonde --info\n"
          "\n"
          "options:\n"
          "  -e PROGRAM     trace with the program given on the command line\n"
          "  -l [PATTERN]   list probes matching PATTERN (wildcards * and ?; -lv: arguments);\n"
          "                 -l 'struct task*' kernel types (-lv: their definitions);\n"
          "                 -l script.bt or -l -e 'program': the probes the program attaches\n"
          "  -d ast         print the syntax tree before running\n"
          "  -d codegen     print the optimised LLVM IR before running\n"
          "  --dry-run      compile and have the kernel verify, but attach nothing\n"
          "  --unsafe       allow actions that change the system: system(), signal(),\n"
          "                 uprobes at offsets not known to start an instruction\n"
          "  -p PID         trace only process PID (its uprobes, a pid filter elsewhere);\n"
          "                 stop when it exits\n"
          "  -c 'CMD ARGS'  run CMD once the probes are attached; stop when it exits\n"
          "                 (its pid is the cpid builtin)\n"
          "  --emit-elf FILE  write the compiled BPF object to FILE and run nothing\n"
          "  -f FORMAT      output format: text (default) or json (one JSON object a line)\n"
          "  -o FILE        write the output to FILE instead of stdout\n"
          "  -B MODE        output buffering: line (default), full or none\n"
          "  -q             quiet: no \"Attached N probes\" message\n"
          "  -v             verbose: each stage, libbpf messages, whole verifier logs\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version\n"
          "  --info         show the system, the build and what the kernel supports\n"
          "\n"
          "Arguments after the script are its positional parameters $1, $2, ... ($# counts them);\n"
          "--name[=value] ones are named parameters for getopt() (script.bt --help lists them).\n"
          "sonde's own options may follow the script too; after --, every argument is the script's.\n"
          "Environment: BPFTRACE_MAX_STRLEN (default 64), BPFTRACE_MAX_MAP_KEYS (default 4096),\n"
          "BPFTRACE_MISSING_PROBES=error|warn|ignore for probes that do not exist,\n"
          "BPFTRACE_PERF_RB_PAGES (ring buffer pages of 4 KiB per CPU; default 64), and the\n"
          "other settings of bpftrace's config block: BPFTRACE_STR_TRUNC_TRAILER (default \"..\"),\n"
          "BPFTRACE_PRINT_MAPS_ON_EXIT, BPFTRACE_MAX_PROBES (default 1024), ...;\n"
          "SONDE_SYSCALLS_VIA_RAW=0 to attach syscalls:* tracepoints one by one,\n"
          "SONDE_BACKEND=llvm to compile every script with LLVM (not the direct backend),\n"
          "SONDE_CACHE=0 to compile without the cache of LLVM's objects (SONDE_CACHE_DIR: its\n"
          "directory, default ~/.cache/sonde), SONDE_BPF_CPU=v3|v4 to choose the BPF instruction set.\n",
          out);
}

static int parse_output_option(int option, const char *value, struct output_config *config)
{
    switch (option) {
    case 'f':
        if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0) {
            fprintf(stderr, "sonde: unknown output format '%s' (known: text, json)\n", value);
            return -1;
        }
        config->format = value;
        return 0;
    case 'B':
        if (strcmp(value, "line") != 0 && strcmp(value, "full") != 0 &&
            strcmp(value, "none") != 0) {
            fprintf(stderr, "sonde: unknown buffering mode '%s' (known: line, full, none)\n",
                    value);
            return -1;
        }
        config->buffering = value;
        return 0;
    case 'o':
        config->path = value;
        return 0;
    default:
        config->quiet = true;
        return 0;
    }
}

/* -p PID, -c COMMAND, --emit-elf FILE. */
static int parse_target_option(int option, const char *value, struct cli *cli)
{
    if (option == 'E') {
        cli->emit_elf = value;
        return 0;
    }
    if (option == 'c') {
        cli->child_command = value;
    } else {
        char *end = NULL;
        long pid = strtol(value, &end, 10);
        if (*end || pid <= 0 || pid > INT32_MAX) {
            fprintf(stderr, "sonde: -p needs a process id, got '%s'\n", value);
            return -1;
        }
        cli->target_pid = (int)pid;
    }
    if (cli->target_pid && cli->child_command) {
        fputs("sonde: -p and -c cannot be used together\n", stderr);
        return -1;
    }
    return 0;
}

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"dry-run", no_argument, NULL, 'n'},
    {"unsafe", no_argument, NULL, 'U'},
    {"emit-elf", required_argument, NULL, 'E'},
    {"info", no_argument, NULL, 'i'},
    {NULL, 0, NULL, 0},
};

/* One option getopt_long() returned. Returns 0 to go on, 1 to stop with
 * success (help, version), -1 on a usage error. */
static int apply_option(int option, struct cli *cli, char **argv)
{
    switch (option) {
    case 'e':
        cli->program_text = optarg;
        return 0;
    case 'd':
        if (strcmp(optarg, "ast") == 0)
            cli->dump_ast = true;
        else if (strcmp(optarg, "codegen") == 0)
            cli->dump_llvm = true;
        else {
            fprintf(stderr, "sonde: unknown -d stage '%s' (known: ast, codegen)\n", optarg);
            return -1;
        }
        return 0;
    case 'l':
        cli->list = true;
        return 0;
    case 'n':
        cli->dry_run = true;
        return 0;
    case 'i':
        cli->info = true;
        return 0;
    case 'U':
        cli->unsafe = true;
        return 0;
    case 'p':
    case 'c':
    case 'E':
        return parse_target_option(option, optarg, cli) != 0 ? -1 : 0;
    case 'v':
        cli->verbose = true;
        return 0;
    case 'f':
    case 'o':
    case 'B':
    case 'q':
        return parse_output_option(option, optarg, &cli->output) != 0 ? -1 : 0;
    case 'h':
        usage(stdout);
        return 1;
    case 'V':
        printf("sonde %s\n", SONDE_VERSION);
        return 1;
    default:
        if (optopt == 0 && ast_is_named_param(argv[optind - 1])) {
            cli->named_storage[cli->named.count++] = argv[optind - 1];
            return 0;
        }
        if (optopt)
            fprintf(stderr, "sonde: option -%c is unknown or needs a value\n", optopt);
        else
            fprintf(stderr, "sonde: unknown option %s\n", argv[optind - 1]);
        usage(stderr);
        return -1;
    }
}

/* A negative number after the script is a positional parameter, not an
 * option (`script.bt -5`). */
static bool is_negative_number(const char *arg)
{
    if (arg[0] != '-' || arg[1] == '\0')
        return false;
    for (const char *c = arg + 1; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    return true;
}

/* What follows the script (or -e): sonde's own options still count, as in
 * bpftrace (`script.bt -c 'cmd'`); `--name[=value]` are getopt()
 * parameters of the script, and so is `--help` there (`script.bt --help`
 * lists them); after `--` everything belongs to the script; the rest are
 * positional parameters. */
static int parse_after_program(int argc, char **argv, struct cli *cli, const char **positional,
                               bool options_ended)
{
    while (optind < argc) {
        const char *arg = argv[optind];
        if (!options_ended && strcmp(arg, "--") == 0) {
            options_ended = true;
            optind++;
        } else if (ast_is_named_param(arg) &&
                   (options_ended || strcmp(arg, "--help") == 0 || cli->script_path)) {
            cli->named_storage[cli->named.count++] = arg;
            optind++;
        } else if (options_ended || arg[0] != '-' || arg[1] == '\0' || is_negative_number(arg)) {
            positional[cli->param_count++] = arg;
            optind++;
        } else {
            /* One option (and its value), then back here. */
            int option = getopt_long(argc, argv, "+e:d:lvhVf:o:B:qp:c:", long_options, NULL);
            if (option == -1) {
                /* Not expected (operands and `--` are handled above), but
                 * never loop on the same word. */
                if (optind < argc && argv[optind] == arg)
                    positional[cli->param_count++] = argv[optind++];
                continue;
            }
            int status = apply_option(option, cli, argv);
            if (status != 0)
                return status;
        }
    }
    return 0;
}

/* Returns 0 to go on, 1 to stop with success (help), -1 on a usage error. */
static int parse_cli(int argc, char **argv, struct cli *cli)
{
    int option;
    /* One allocation: the named parameters, then the positional ones. */
    const char **named = calloc(2 * ((size_t)argc + 1), sizeof(*named));
    const char **positional = named + argc + 1;
    cli->named.args = cli->named_storage = named;
    cli->params = positional;
    opterr = 0; /* an unknown --name is a getopt() parameter of the script */
    /* '+': stop at the first operand, the script, and go on after it. */
    while ((option = getopt_long(argc, argv, "+e:d:lvhVf:o:B:qp:c:", long_options, NULL)) != -1) {
        int status = apply_option(option, cli, argv);
        if (status != 0)
            return status;
    }
    if (cli->info)
        return 0;
    if (cli->list) {
        /* As in bpftrace: `-l FILE` lists the probes of the script FILE when
         * that file exists, else FILE is a pattern; `-l -e PROGRAM` lists the
         * program's probes. */
        const char *arg = optind < argc ? argv[optind] : NULL;
        if (arg && !cli->program_text && probes_list_arg_is_script(arg))
            cli->script_path = arg;
        else if (!cli->program_text)
            cli->list_pattern = arg;
        return 0;
    }
    /* getopt_long() consumed a `--` and stopped there. */
    bool options_ended = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
    if (!cli->program_text) {
        if (optind >= argc) {
            fputs("sonde: no program given: use -e 'program' or a script file\n", stderr);
            usage(stderr);
            return -1;
        }
        cli->script_path = argv[optind++];
    }
    return parse_after_program(argc, argv, cli, positional, options_ended);
}

static char *read_all(FILE *file, size_t *length)
{
    struct strbuf text = {0};
    char chunk[4096];
    size_t count;
    while ((count = fread(chunk, 1, sizeof(chunk), file)) > 0)
        strbuf_append(&text, chunk, count);
    if (!text.data)
        strbuf_puts(&text, "");
    *length = text.length;
    return text.data;
}

static char *read_script(const struct cli *cli, const char **name, size_t *length)
{
    if (cli->program_text) {
        *name = "-e";
        *length = strlen(cli->program_text);
        return strdup(cli->program_text);
    }
    if (strcmp(cli->script_path, "-") == 0) {
        *name = "stdin";
        return read_all(stdin, length);
    }
    *name = cli->script_path;
    FILE *file = fopen(cli->script_path, "r");
    if (!file) {
        fprintf(stderr, "sonde: cannot read %s: %s\n", cli->script_path, strerror(errno));
        return NULL;
    }
    char *text = read_all(file, length);
    /* A directory opens, then fails to read: not an empty program. */
    int failed = ferror(file) ? errno : 0;
    fclose(file);
    if (failed) {
        fprintf(stderr, "sonde: cannot read %s: %s\n", cli->script_path, strerror(failed));
        free(text);
        return NULL;
    }
    return text;
}

/* The parser sees the text up to its first NUL byte: whatever follows would
 * be dropped without a word, so a NUL byte is an error where it is. */
static int check_nul_bytes(const char *source, size_t length, struct diag *diag)
{
    size_t end = strlen(source);
    if (end == length)
        return 0;
    struct srcloc loc = {.line = 1, .column = 1, .length = 1};
    for (size_t i = 0; i < end; i++) {
        loc.column = source[i] == '\n' ? 1 : loc.column + 1;
        loc.line += source[i] == '\n';
    }
    struct diag_entry *entry = diag_error(diag, loc, "the program contains a NUL byte");
    diag_hint(entry, "a script is text: remove the byte, or write \"\\0\" in a string");
    return -EINVAL;
}

static unsigned parse_unsigned(const char *value, unsigned fallback)
{
    if (!value || !*value)
        return fallback;
    char *end = NULL;
    unsigned long number = strtoul(value, &end, 10);
    return *end == '\0' && number > 0 ? (unsigned)number : fallback;
}

/* A numeric setting: BPFTRACE_<KEY>, then the old variable name, then the
 * script's config block. */
static unsigned setting_unsigned(const struct ast_program *program, const char *key,
                                 const char *old_name, unsigned fallback)
{
    const char *value = ast_config_setting(NULL, key);
    if (!value && old_name)
        value = getenv(old_name);
    if (!value)
        value = ast_config_setting(program, key);
    return parse_unsigned(value, fallback);
}

/* The capacity of str()'s strings (bpftrace's old name BPFTRACE_STRLEN too). */
static unsigned max_strlen_setting(const struct ast_program *program)
{
    return setting_unsigned(program, "max_strlen", "BPFTRACE_STRLEN", 64);
}

/* bpftrace's perf_rb_pages sizes the ring; without it, 64 pages per CPU. */
static unsigned ring_buffer_bytes(const struct ast_program *program)
{
    return runtime_ring_buffer_bytes(setting_unsigned(program, "perf_rb_pages", NULL, 0));
}

static int list_probes(const struct cli *cli, struct diag *diag)
{
    const char *tracefs = probes_tracefs_path(diag);
    if (!tracefs)
        return -ENOENT;
    struct arena arena;
    arena_init(&arena);
    struct probe_env env = {.arena = &arena, .tracefs = tracefs, .syscalls_via_raw = false,
                            .target_pid = cli->target_pid};
    int listed = probes_list(&env, cli->list_pattern, cli->verbose, stdout);
    arena_free(&arena);
    if (listed == -ENODATA)
        diag_error(diag, (struct srcloc){0},
                   "cannot list kernel types: this kernel has no BTF (/sys/kernel/btf/vmlinux)");
    return listed < 0 ? listed : 0;
}

static double now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

struct pipeline {
    bool verbose;
    double stage_start;
    struct arena arena;
    struct diag diag;
    struct ast_program *program;
    struct sema_result sema;
    struct plan plan;
    struct runtime_target *target; /* -p/-c */
    enum probe_missing missing_probes;
    bool options_listed; /* `script.bt --help`: its getopt() options were printed */
    bool direct;         /* the plan's object came from codegen's direct backend */
};

/* missing_probes (BPFTRACE_MISSING_PROBES or the config block), and the
 * process of -p or -c: the child is forked here, before its pid (cpid) is
 * compiled in, and held until the probes are attached. */
static int prepare_targets(const struct cli *cli, struct pipeline *p)
{
    /* Both the script's value and the environment's were checked (ast_config_check*). */
    const char *missing = ast_config_setting(p->program, "missing_probes");
    if (missing)
        probes_parse_missing(missing, &p->missing_probes);
    if (cli->child_command)
        p->target = runtime_target_spawn(cli->child_command, &p->diag);
    else if (cli->target_pid)
        p->target = runtime_target_watch(cli->target_pid, &p->diag);
    else
        return 0;
    return p->target ? 0 : -EINVAL;
}

/* -v: what each stage produced and how long it took. */
static void stage_done(struct pipeline *p, const char *what)
{
    double now = now_ms();
    if (p->verbose)
        fprintf(stderr, "sonde: %-44s %7.2f ms\n", what, now - p->stage_start);
    p->stage_start = now;
}

static size_t count_instances(const struct ast_program *program)
{
    size_t count = 0;
    for (size_t i = 0; i < program->probes.count; i++) {
        const struct ast_probe *probe = vec_get(&program->probes, i);
        for (size_t j = 0; j < probe->variants.count; j++)
            count += ((const struct ast_variant *)vec_get(&probe->variants, j))->instances.count;
    }
    return count;
}

/* bpftrace's max_probes (default 1024): a wildcard that matches more is
 * refused at the block that crosses the limit, before anything loads. */
static int check_probe_count(struct pipeline *p)
{
    unsigned limit = setting_unsigned(p->program, "max_probes", NULL, 1024);
    size_t count = 0;
    for (size_t i = 0; i < p->program->probes.count; i++) {
        const struct ast_probe *probe = vec_get(&p->program->probes, i);
        for (size_t j = 0; j < probe->variants.count; j++)
            count += ((const struct ast_variant *)vec_get(&probe->variants, j))->instances.count;
        if (count > limit) {
            struct diag_entry *entry = diag_error(
                &p->diag, probe->loc,
                "this brings the program to %zu probes, more than max_probes (%u)", count, limit);
            diag_hint(entry,
                      "narrow the wildcards, or raise the limit: config = { max_probes = N } "
                      "or BPFTRACE_MAX_PROBES");
            return -E2BIG;
        }
    }
    return 0;
}

/* -v: headers are not read; say so, since a reader of the script may expect it. */
static void note_ignored_includes(const struct ast_program *program)
{
    for (size_t i = 0; i < program->c_definitions.count; i++) {
        const struct ast_c_definition *definition = vec_get(&program->c_definitions, i);
        if (definition->kind == C_INCLUDE)
            fprintf(stderr, "sonde: line %d: #include %s not read: kernel types come from BTF\n",
                    definition->loc.line, definition->name);
    }
}

/* The BPF instruction set the kernel takes, and the object cache. */
static void set_backend_options(struct codegen_options *options, struct codegen_report *report,
                                char *cache_dir, size_t size)
{
    const char *cpu = getenv("SONDE_BPF_CPU"); /* v3 or v4: overrides the kernel's answer */
    options->cpu = cpu && (strcmp(cpu, "v3") == 0 || strcmp(cpu, "v4") == 0) ? cpu
                                                                            : runtime_bpf_cpu();
    options->cache_dir = object_cache_directory(cache_dir, size, &options->cache_off_why);
    const char *backend = getenv("SONDE_BACKEND"); /* llvm: never the direct backend */
    options->llvm_only = backend && strcmp(backend, "llvm") == 0;
    options->report = report;
}

/* -v: the compiled stage, and where the time went. */
static void report_compiled(struct pipeline *p, const struct codegen_options *options,
                            const struct codegen_report *report)
{
    char what[96];
    snprintf(what, sizeof(what), "compiled %zu BPF programs (%zu bytes of ELF)%s",
             p->plan.programs.count, p->plan.elf_size,
             report->cached ? " (cached)" : report->direct ? " (direct)" : "");
    stage_done(p, what);
    if (report->direct) {
        fprintf(stderr, "sonde:   -mcpu=%s; IR %.2f ms, direct backend %.2f ms\n", options->cpu,
                report->build_ms, report->direct_ms);
        return;
    }
    if (report->direct_note[0])
        fprintf(stderr, "sonde:   LLVM compiles this script: the direct backend does not take %s\n",
                report->direct_note);
    fprintf(stderr,
            "sonde:   -mcpu=%s; LLVM set-up %.2f ms, IR %.2f ms, cache key+lookup %.2f ms, "
            "optimise %.2f ms, emit %.2f ms\n",
            options->cpu, report->setup_ms, report->build_ms, report->key_ms,
            report->optimise_ms, report->emit_ms);
    if (!report->cached && report->cache_note[0])
        fprintf(stderr, "sonde:   %s\n", report->cache_note);
}

/* Everything up to a loadable object; errors are left in p->diag. */
/* Parse, apply the script's settings, add the standard library and expand
 * macros and getopt(): the program as the probes will be checked. Returns
 * 1 when getopt() only listed the options (nothing more to do). */
static int parse_stage(const struct cli *cli, const char *source, struct pipeline *p)
{
    p->stage_start = now_ms();
    p->program = front_parse(source, &p->arena, &p->diag);
    if (!p->program)
        return -EINVAL;
    front_substitute_attach_params(p->program, cli->params, cli->param_count, &p->arena);
    if (p->verbose)
        note_ignored_includes(p->program);
    if (ast_config_check(p->program, &p->diag) != 0 ||
        ast_config_check_environment(&p->diag) != 0 ||
        ast_config_check_unstable(p->program, &p->diag) != 0 ||
        front_add_stdlib(p->program, &p->arena, &p->diag) != 0 ||
        ast_expand_macros(p->program, &p->arena, &p->diag) != 0)
        return -EINVAL;
    int listed = ast_resolve_getopt(p->program, &cli->named,
                                    cli->script_path ? cli->script_path : "the program", stdout,
                                    &p->arena, &p->diag);
    if (listed != 0) {
        p->options_listed = listed > 0;
        return listed > 0 ? 1 : listed;
    }
    stage_done(p, "parsed");
    if (cli->dump_ast)
        ast_print(p->program, stdout);
    return 0;
}

/* Each attach point becomes the concrete probes it names on this system. */
static int expand_stage(const struct cli *cli, struct pipeline *p)
{
    if (geteuid() != 0) {
        diag_error(&p->diag, (struct srcloc){0},
                   "sonde must run as root: loading BPF programs needs CAP_BPF and CAP_PERFMON");
        return -EPERM;
    }
    const char *tracefs = probes_tracefs_path(&p->diag);
    if (!tracefs)
        return -ENOENT;
    int err = prepare_targets(cli, p);
    if (err)
        return err;
    const char *via_raw = getenv("SONDE_SYSCALLS_VIA_RAW");
    struct probe_env env = {.arena = &p->arena, .tracefs = tracefs,
                            .syscalls_via_raw = !via_raw || strcmp(via_raw, "0") != 0,
                            .missing_probes = p->missing_probes,
                            .target_pid = cli->target_pid,
                            .skip_kernel_checks = cli->emit_elf != NULL,
                            .unsafe = cli->unsafe};
    err = probes_expand_program(p->program, &env, &p->diag);
    if (!err)
        err = check_probe_count(p);
    if (!err && p->verbose) {
        char what[64];
        snprintf(what, sizeof(what), "expanded into %zu probes", count_instances(p->program));
        stage_done(p, what);
    }
    return err;
}

/* The typed program → the plan to run: the direct backend's object, or
 * LLVM's (or the object cache's). */
static int codegen_stage(const struct cli *cli, struct pipeline *p, bool llvm_only)
{
    struct codegen_options codegen_options = {
        .ring_buffer_bytes = ring_buffer_bytes(p->program),
        .max_map_keys = setting_unsigned(p->program, "max_map_keys", "BPFTRACE_MAP_KEYS_MAX", 4096),
        .llvm_ir_out = cli->dump_llvm ? stdout : NULL,
        .target_pid = cli->target_pid,
    };
    struct codegen_report report = {0};
    char cache_dir[4096];
    set_backend_options(&codegen_options, &report, cache_dir, sizeof(cache_dir));
    codegen_options.llvm_only |= llvm_only;
    int err =
        codegen_compile(p->program, &p->sema, &codegen_options, &p->arena, &p->plan, &p->diag);
    p->direct = !err && report.direct;
    if (!err && p->verbose)
        report_compiled(p, &codegen_options, &report);
    return err;
}

/* Type checking, then code generation. */
static int generate_stage(const struct cli *cli, struct pipeline *p)
{
    struct sema_options sema_options = {
        .max_strlen = max_strlen_setting(p->program),
        .params = {.values = cli->params, .count = cli->param_count},
        .unsafe = cli->unsafe,
        .stack_mode = ast_config_setting(p->program, "stack_mode"),
        .child_pid = p->target && runtime_target_is_child(p->target)
                         ? runtime_target_pid(p->target)
                         : 0,
    };
    int err = sema_check_program(p->program, &sema_options, &p->arena, &p->sema, &p->diag);
    if (err)
        return err;
    stage_done(p, "type checked");
    return codegen_stage(cli, p, false);
}

static int compile(const struct cli *cli, const char *source, struct pipeline *p)
{
    int err = parse_stage(cli, source, p);
    if (err)
        return err > 0 ? 0 : err;
    err = expand_stage(cli, p);
    return err ? err : generate_stage(cli, p);
}

/* -l with a program: the probes it would attach, its wildcards expanded.
 * syscalls:* stay tracepoints (not merged onto sys_enter/sys_exit), so that
 * each lists under its own name; kinds this kernel cannot attach (kprobe,
 * fentry) are listed as --emit-elf compiles them, by name. */
static int list_program_probes(const struct cli *cli, const char *source, struct pipeline *p)
{
    p->program = front_parse(source, &p->arena, &p->diag);
    if (!p->program)
        return -EINVAL;
    front_substitute_attach_params(p->program, cli->params, cli->param_count, &p->arena);
    if (ast_config_check(p->program, &p->diag) != 0 ||
        front_add_stdlib(p->program, &p->arena, &p->diag) != 0 ||
        ast_expand_macros(p->program, &p->arena, &p->diag) != 0)
        return -EINVAL;
    const char *tracefs = probes_tracefs_path(&p->diag);
    if (!tracefs)
        return -ENOENT;
    const char *missing = ast_config_setting(p->program, "missing_probes");
    if (missing)
        probes_parse_missing(missing, &p->missing_probes);
    struct probe_env env = {.arena = &p->arena, .tracefs = tracefs, .syscalls_via_raw = false,
                            .missing_probes = p->missing_probes, .target_pid = cli->target_pid,
                            .skip_kernel_checks = true};
    int err = probes_expand_program(p->program, &env, &p->diag);
    if (!err)
        probes_list_program(p->program, cli->verbose, stdout);
    return err;
}

/* --emit-elf: the object as it would be loaded, for readelf/llvm-objdump. */
static int emit_elf(const char *path, struct pipeline *p)
{
    FILE *file = fopen(path, "wb");
    bool written = file && fwrite(p->plan.elf, 1, p->plan.elf_size, file) == p->plan.elf_size;
    if (file && fclose(file) != 0)
        written = false;
    if (!written) {
        diag_error(&p->diag, (struct srcloc){0}, "cannot write %s: %s", path, strerror(errno));
        return -EIO;
    }
    return 0;
}

/* print_maps_on_exit: false keeps the maps printed at exit out. */
static struct output *apply_output_settings(const struct ast_program *program,
                                            struct output *output)
{
    if (ast_config_flag(program, "print_maps_on_exit", true))
        return output;
    struct output *filtered = output_without_exit_maps(output);
    return filtered ? filtered : output;
}

static int run_plan(const struct cli *cli, struct pipeline *p, int *exit_code)
{
    struct output_names names = {
        .probe_names = (const char *const *)p->plan.probe_names.items,
        .probe_count = (unsigned)p->plan.probe_names.count,
        .truncation_trailer = ast_config_setting(p->program, "str_trunc_trailer"),
        .max_strlen = max_strlen_setting(p->program),
    };
    const char *problem = NULL;
    struct output *output = output_open(&cli->output, names, &problem);
    if (!output) {
        diag_error(&p->diag, (struct srcloc){0}, "cannot write the output to %s: %s",
                   cli->output.path ? cli->output.path : "stdout", problem);
        return -EINVAL;
    }
    output = apply_output_settings(p->program, output);
    struct runtime_options options = {
        .output = output,
        .verbose = cli->verbose,
        .dry_run = cli->dry_run,
        .missing_probes = p->missing_probes,
        .target = p->target,
        .max_cat_bytes =
            setting_unsigned(p->program, "max_cat_bytes", NULL, RUNTIME_DEFAULT_MAX_CAT_BYTES),
        .load_may_be_refused = p->direct,
    };
    diag_flush(&p->diag, stderr); /* warnings (skipped probes) before any output */
    int err = runtime_run(&p->plan, &options, &p->diag, exit_code);
    output_close(output);
    return err;
}

/* The direct backend's code is plainer than LLVM's; should the verifier
 * refuse it (an older kernel tracking less through the stack), LLVM
 * compiles the script and that object runs instead. Nothing was attached
 * or printed by then. */
static int run(const struct cli *cli, struct pipeline *p, int *exit_code)
{
    int err = run_plan(cli, p, exit_code);
    if (err != RUNTIME_LOAD_REFUSED)
        return err;
    if (p->verbose)
        fprintf(stderr, "sonde: the kernel refused the direct backend's object; "
                        "compiling with LLVM\n");
    plan_free(&p->plan);
    p->plan = (struct plan){0};
    err = codegen_stage(cli, p, true);
    return err ? err : run_plan(cli, p, exit_code);
}

/* After this many errors the rest are counted, not shown: a mistake repeated
 * thousands of times (or a garbled file) would otherwise print every
 * long line again for each error. */
#define MAX_ERRORS_SHOWN 20

static void print_diagnostics(const struct diag *diag)
{
    struct diag shown = *diag;
    size_t errors = 0;
    for (size_t i = 0; i < diag->entries.count; i++) {
        const struct diag_entry *entry = vec_get(&diag->entries, i);
        if (entry->severity == DIAG_ERROR && ++errors == MAX_ERRORS_SHOWN + 1)
            shown.entries.count = i;
    }
    diag_print(&shown, stderr);
    if (errors > MAX_ERRORS_SHOWN)
        fprintf(stderr, "sonde: %zu more errors not shown (%zu in all)\n",
                errors - MAX_ERRORS_SHOWN, errors);
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    int status = parse_cli(argc, argv, &cli);
    if (status != 0)
        return status > 0 ? 0 : 1;

    struct pipeline p = {.verbose = cli.verbose};
    arena_init(&p.arena);
    const char *name = "sonde";
    size_t length = 0;
    bool list_program = cli.list && (cli.program_text || cli.script_path);
    bool no_script = cli.info || (cli.list && !list_program);
    char *source = no_script ? strdup("") : read_script(&cli, &name, &length);
    if (!source)
        return 1;
    diag_init(&p.diag, name, source);

    int exit_code = 0;
    int err;
    if (cli.info)
        err = info_print(stdout, SONDE_VERSION);
    else if (cli.list && !list_program)
        err = list_probes(&cli, &p.diag);
    else
        err = check_nul_bytes(source, length, &p.diag);
    if (!err && list_program)
        err = list_program_probes(&cli, source, &p);
    else if (!err && !cli.list && !cli.info)
        err = compile(&cli, source, &p);
    if (!err && p.options_listed)
        ; /* nothing to run */
    else if (!err && cli.emit_elf && !cli.list)
        err = emit_elf(cli.emit_elf, &p);
    else if (!err && !cli.list && !cli.info)
        err = run(&cli, &p, &exit_code);
    runtime_target_free(p.target);
    print_diagnostics(&p.diag);
    if (err && !diag_has_errors(&p.diag))
        fprintf(stderr, "sonde: failed: %s\n", strerror(-err));

    plan_free(&p.plan);
    sema_result_free(&p.sema);
    diag_free(&p.diag);
    arena_free(&p.arena);
    free(source);
    free((void *)cli.named.args);
    return err ? 1 : exit_code;
}

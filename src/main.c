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

#include "ast/sema.h"
#include "base/strbuf.h"
#include "codegen/codegen.h"
#include "front/parse.h"
#include "output/output.h"
#include "probes/probe.h"
#include "runtime/runtime.h"

#define SONDE_VERSION "0.1.0"

struct cli {
    const char *program_text; /* -e */
    const char *script_path;  /* file or "-" */
    const char *const *params;
    int param_count;
    bool dump_ast, dump_llvm, dry_run, verbose, list;
    const char *list_pattern;
};

static void usage(FILE *out)
{
    fputs("usage: sonde [options] [script.bt | -] [arguments...]\n"
          "       sonde [options] -e 'program' [arguments...]\n"
          "       sonde -l [pattern]\n"
          "\n"
          "options:\n"
          "  -e PROGRAM     trace with the program given on the command line\n"
          "  -l [PATTERN]   list probes matching PATTERN (wildcards * and ?)\n"
          "  -d ast         print the syntax tree before running\n"
          "  -d codegen     print the optimised LLVM IR before running\n"
          "  --dry-run      compile and have the kernel verify, but attach nothing\n"
          "  -v             verbose: each stage, libbpf messages, whole verifier logs\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version\n"
          "\n"
          "Arguments after the script are its positional parameters $1, $2, ... ($# counts them).\n"
          "Environment: BPFTRACE_MAX_STRLEN (default 64), BPFTRACE_MAX_MAP_KEYS (default 4096),\n"
          "SONDE_SYSCALLS_VIA_RAW=0 to attach syscalls:* tracepoints one by one.\n",
          out);
}

/* Returns 0 to go on, 1 to stop with success (help), -1 on a usage error. */
static int parse_cli(int argc, char **argv, struct cli *cli)
{
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"dry-run", no_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    int option;
    /* '+': options end at the first operand, so script arguments may look like options. */
    while ((option = getopt_long(argc, argv, "+e:d:lvhV", long_options, NULL)) != -1) {
        switch (option) {
        case 'e':
            cli->program_text = optarg;
            break;
        case 'd':
            if (strcmp(optarg, "ast") == 0)
                cli->dump_ast = true;
            else if (strcmp(optarg, "codegen") == 0)
                cli->dump_llvm = true;
            else {
                fprintf(stderr, "sonde: unknown -d stage '%s' (known: ast, codegen)\n", optarg);
                return -1;
            }
            break;
        case 'l':
            cli->list = true;
            break;
        case 'n':
            cli->dry_run = true;
            break;
        case 'v':
            cli->verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 'V':
            printf("sonde %s\n", SONDE_VERSION);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (cli->list) {
        cli->list_pattern = optind < argc ? argv[optind] : NULL;
        return 0;
    }
    if (!cli->program_text) {
        if (optind >= argc) {
            fputs("sonde: no program given: use -e 'program' or a script file\n", stderr);
            usage(stderr);
            return -1;
        }
        cli->script_path = argv[optind++];
    }
    cli->params = (const char *const *)argv + optind;
    cli->param_count = argc - optind;
    return 0;
}

static char *read_all(FILE *file)
{
    struct strbuf text = {0};
    char chunk[4096];
    size_t length;
    while ((length = fread(chunk, 1, sizeof(chunk), file)) > 0)
        strbuf_append(&text, chunk, length);
    if (!text.data)
        strbuf_puts(&text, "");
    return text.data;
}

static char *read_script(const struct cli *cli, const char **name)
{
    if (cli->program_text) {
        *name = "-e";
        return strdup(cli->program_text);
    }
    if (strcmp(cli->script_path, "-") == 0) {
        *name = "stdin";
        return read_all(stdin);
    }
    *name = cli->script_path;
    FILE *file = fopen(cli->script_path, "r");
    if (!file) {
        fprintf(stderr, "sonde: cannot read %s: %s\n", cli->script_path, strerror(errno));
        return NULL;
    }
    char *text = read_all(file);
    fclose(file);
    return text;
}

static unsigned env_unsigned(const char *name, const char *old_name, unsigned fallback)
{
    const char *value = getenv(name);
    if (!value && old_name)
        value = getenv(old_name);
    if (!value || !*value)
        return fallback;
    char *end = NULL;
    unsigned long number = strtoul(value, &end, 10);
    return *end == '\0' && number > 0 ? (unsigned)number : fallback;
}

static int list_probes(const struct cli *cli, struct diag *diag)
{
    const char *tracefs = probes_tracefs_path(diag);
    if (!tracefs)
        return -ENOENT;
    struct arena arena;
    arena_init(&arena);
    struct probe_env env = {.arena = &arena, .tracefs = tracefs, .syscalls_via_raw = false};
    for (size_t i = 0; probe_kinds[i]; i++)
        if (probe_kinds[i]->list)
            probe_kinds[i]->list(&env, cli->list_pattern, stdout);
    arena_free(&arena);
    return 0;
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
};

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

/* Everything up to a loadable object; errors are left in p->diag. */
static int compile(const struct cli *cli, const char *source, struct pipeline *p)
{
    p->stage_start = now_ms();
    p->program = front_parse(source, &p->arena, &p->diag);
    if (!p->program)
        return -EINVAL;
    stage_done(p, "parsed");
    if (cli->dump_ast)
        ast_print(p->program, stdout);
    if (geteuid() != 0) {
        diag_error(&p->diag, (struct srcloc){0},
                   "sonde must run as root: loading BPF programs needs CAP_BPF and CAP_PERFMON");
        return -EPERM;
    }
    const char *tracefs = probes_tracefs_path(&p->diag);
    if (!tracefs)
        return -ENOENT;
    const char *via_raw = getenv("SONDE_SYSCALLS_VIA_RAW");
    struct probe_env env = {.arena = &p->arena, .tracefs = tracefs,
                            .syscalls_via_raw = !via_raw || strcmp(via_raw, "0") != 0};
    int err = probes_expand_program(p->program, &env, &p->diag);
    if (err)
        return err;
    if (p->verbose) {
        char what[64];
        snprintf(what, sizeof(what), "expanded into %zu probes", count_instances(p->program));
        stage_done(p, what);
    }
    struct sema_options sema_options = {
        .max_strlen = env_unsigned("BPFTRACE_MAX_STRLEN", "BPFTRACE_STRLEN", 64),
        .params = {.values = cli->params, .count = cli->param_count},
    };
    err = sema_check_program(p->program, &sema_options, &p->arena, &p->sema, &p->diag);
    if (err)
        return err;
    stage_done(p, "type checked");
    struct codegen_options codegen_options = {
        .ring_buffer_bytes = 4u << 20,
        .max_map_keys = env_unsigned("BPFTRACE_MAX_MAP_KEYS", "BPFTRACE_MAP_KEYS_MAX", 4096),
        .llvm_ir_out = cli->dump_llvm ? stdout : NULL,
    };
    err = codegen_compile(p->program, &p->sema, &codegen_options, &p->arena, &p->plan, &p->diag);
    if (!err && p->verbose) {
        char what[96];
        snprintf(what, sizeof(what), "compiled %zu BPF programs (%zu bytes of ELF)",
                 p->plan.programs.count, p->plan.elf_size);
        stage_done(p, what);
    }
    return err;
}

static int run(const struct cli *cli, struct pipeline *p, int *exit_code)
{
    struct output_names names = {
        .probe_names = (const char *const *)p->plan.probe_names.items,
        .probe_count = (unsigned)p->plan.probe_names.count,
    };
    struct output *output = output_text_new(stdout, stderr, names);
    struct runtime_options options = {
        .output = output,
        .verbose = cli->verbose,
        .dry_run = cli->dry_run,
    };
    int err = runtime_run(&p->plan, &options, &p->diag, exit_code);
    output->ops->destroy(output);
    return err;
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
    char *source = cli.list ? strdup("") : read_script(&cli, &name);
    if (!source)
        return 1;
    diag_init(&p.diag, name, source);

    int exit_code = 0;
    int err = cli.list ? list_probes(&cli, &p.diag) : compile(&cli, source, &p);
    if (!err && !cli.list)
        err = run(&cli, &p, &exit_code);
    diag_print(&p.diag, stderr);
    if (err && !diag_has_errors(&p.diag))
        fprintf(stderr, "sonde: failed: %s\n", strerror(-err));

    plan_free(&p.plan);
    sema_result_free(&p.sema);
    diag_free(&p.diag);
    arena_free(&p.arena);
    free(source);
    return err ? 1 : exit_code;
}

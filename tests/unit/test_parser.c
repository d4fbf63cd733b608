/* The front end turns the scripts people actually write (tutorial one-liners,
 * 0.17-era and current dialects) into the AST later stages expect, and points
 * at the exact place when a script is wrong. */
#include <stdlib.h>
#include <string.h>

#include "front/parse.h"
#include "test.h"

static struct arena arena;
static struct diag diag;

static struct ast_program *parse(const char *source)
{
    diag_free(&diag);
    diag_init(&diag, "test", source);
    return front_parse(source, &arena, &diag);
}

static struct ast_probe *probe_at(struct ast_program *program, size_t index)
{
    return vec_get(&program->probes, index);
}

static struct ast_attach_point *attach_at(struct ast_probe *probe, size_t index)
{
    return vec_get(&probe->attach_points, index);
}

static struct ast_stmt *stmt_at(struct ast_probe *probe, size_t index)
{
    return vec_get(&probe->body->block.statements, index);
}

/* The expression of the index-th statement, which must be an expression statement. */
static struct ast_expr *expr_at(struct ast_probe *probe, size_t index)
{
    struct ast_stmt *stmt = stmt_at(probe, index);
    CHECK(stmt->kind == STMT_EXPR);
    return stmt->expr.expr;
}

static struct ast_expr *arg_at(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

/* Parses a one-probe script whose body is a single expression statement. */
static struct ast_expr *parse_expr(const char *source)
{
    struct ast_program *program = parse(source);
    CHECK(program != NULL);
    if (!program)
        return NULL;
    return expr_at(probe_at(program, 0), 0);
}

static void check_attach(struct ast_attach_point *point, const char *text, const char *provider,
                         const char *target)
{
    CHECK_STR(point->text, text);
    CHECK_STR(point->provider, provider);
    CHECK_STR(point->target, target);
}

static void check_loc(struct srcloc loc, int line, int column, int length)
{
    CHECK(loc.line == line);
    CHECK(loc.column == column);
    CHECK(loc.length == length);
    if (loc.line != line || loc.column != column || loc.length != length)
        fprintf(stderr, "  got %d:%d+%d, expected %d:%d+%d\n", loc.line, loc.column, loc.length,
                line, column, length);
}

static void test_read_bytes_by_pid(void)
{
    struct ast_program *program =
        parse("tracepoint:syscalls:sys_enter_read /pid == 12345/ { printf(\"PID %d read %d "
              "bytes from fd %d\\n\", pid, args->count, args->fd); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->probes.count == 1);
    struct ast_probe *probe = probe_at(program, 0);
    CHECK(probe->index == 0);
    CHECK(probe->attach_points.count == 1);
    check_attach(attach_at(probe, 0), "tracepoint:syscalls:sys_enter_read", "tracepoint",
                 "syscalls:sys_enter_read");
    check_loc(attach_at(probe, 0)->loc, 1, 1, 34);
    check_loc(probe->loc, 1, 1, 34);

    struct ast_expr *predicate = probe->predicate;
    CHECK(predicate->kind == EXPR_BINARY && predicate->binary.op == OP_EQ);
    CHECK(predicate->binary.left->kind == EXPR_IDENTIFIER);
    CHECK_STR(predicate->binary.left->identifier.name, "pid");
    CHECK(predicate->binary.right->kind == EXPR_INTEGER);
    CHECK(predicate->binary.right->integer.value == 12345);
    check_loc(predicate->loc, 1, 37, 12);

    CHECK(probe->body->kind == STMT_BLOCK && probe->body->block.statements.count == 1);
    struct ast_expr *call = expr_at(probe, 0);
    CHECK(call->kind == EXPR_CALL);
    CHECK_STR(call->call.name, "printf");
    check_loc(call->call.name_loc, 1, 53, 6);
    CHECK(call->call.args.count == 4);
    CHECK(arg_at(call, 0)->kind == EXPR_STRING);
    CHECK_STR(arg_at(call, 0)->string.bytes, "PID %d read %d bytes from fd %d\n");
    CHECK(arg_at(call, 0)->string.length == 32);
    struct ast_expr *count = arg_at(call, 2);
    CHECK(count->kind == EXPR_FIELD && count->field.arrow);
    CHECK_STR(count->field.name, "count");
    CHECK_STR(count->field.base->identifier.name, "args");
    CHECK_STR(arg_at(call, 3)->field.name, "fd");
}

static void test_tutorial_one_liners(void)
{
    struct ast_program *program =
        parse("tracepoint:syscalls:sys_enter_* /pid == 12345/ { printf(\"PID %d called %s with "
              "%d args\\n\", pid, comm, nargs); }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    check_attach(attach_at(probe, 0), "tracepoint:syscalls:sys_enter_*", "tracepoint",
                 "syscalls:sys_enter_*");
    CHECK(probe->predicate->binary.op == OP_EQ);
    CHECK(expr_at(probe, 0)->call.args.count == 4);
    CHECK_STR(arg_at(expr_at(probe, 0), 2)->identifier.name, "comm");
    CHECK_STR(arg_at(expr_at(probe, 0), 3)->identifier.name, "nargs");

    program = parse("tracepoint:syscalls:sys_enter_openat { printf(\"PID: %d, Filename: %s\\n\", "
                    "pid, str(args->filename)); }");
    CHECK(program != NULL);
    if (!program)
        return;
    probe = probe_at(program, 0);
    CHECK(probe->predicate == NULL);
    struct ast_expr *str = arg_at(expr_at(probe, 0), 2);
    CHECK(str->kind == EXPR_CALL);
    CHECK_STR(str->call.name, "str");
    CHECK(str->call.args.count == 1);
    CHECK_STR(arg_at(str, 0)->field.name, "filename");

    program = parse("tracepoint:syscalls:sys_enter_read { @[comm] = count(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_stmt *assign = stmt_at(probe_at(program, 0), 0);
    CHECK(assign->kind == STMT_ASSIGN && assign->assign.op == ASSIGN_PLAIN);
    CHECK(assign->assign.target->kind == EXPR_MAP);
    CHECK_STR(assign->assign.target->map.name, "");
    CHECK(assign->assign.target->map.keys.count == 1);
    CHECK(assign->assign.value->kind == EXPR_CALL);
    CHECK_STR(assign->assign.value->call.name, "count");
    CHECK(assign->assign.value->call.args.count == 0);

    program = parse("BEGIN { printf(\"hello\\n\"); exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    probe = probe_at(program, 0);
    check_attach(attach_at(probe, 0), "BEGIN", "BEGIN", "");
    CHECK(probe->body->block.statements.count == 2);
    CHECK_STR(expr_at(probe, 1)->call.name, "exit");
}

static void test_attach_point_lists(void)
{
    struct ast_program *program =
        parse("t:syscalls:sys_enter_read, t:syscalls:sys_enter_write { @[probe] = count(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    CHECK(probe->attach_points.count == 2);
    check_attach(attach_at(probe, 0), "t:syscalls:sys_enter_read", "t", "syscalls:sys_enter_read");
    check_attach(attach_at(probe, 1), "t:syscalls:sys_enter_write", "t",
                 "syscalls:sys_enter_write");
    check_loc(attach_at(probe, 1)->loc, 1, 28, 26);

    program = parse("interval:s:1 { print(@x); clear(@x); }   uprobe:/bin/bash:readline { }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->probes.count == 2);
    check_attach(attach_at(probe_at(program, 0), 0), "interval:s:1", "interval", "s:1");
    CHECK_STR(expr_at(probe_at(program, 0), 1)->call.name, "clear");
    struct ast_probe *uprobe = probe_at(program, 1);
    CHECK(uprobe->index == 1);
    check_attach(attach_at(uprobe, 0), "uprobe:/bin/bash:readline", "uprobe", "/bin/bash:readline");
    CHECK(uprobe->body->block.statements.count == 0);
}

/* Every spec is one token, whatever '/', '*', '-', '+' or '$' it contains. */
static void test_attach_point_spellings(void)
{
    static const char *const specs[] = {
        "BEGIN",
        "END",
        "begin",
        "end",
        "tracepoint:syscalls:sys_enter_read",
        "t:syscalls:sys_enter_*",
        "interval:s:1",
        "i:ms:100",
        "interval:1s",
        "kprobe:vfs_read",
        "kprobe:vfs_*",
        "uprobe:/bin/bash:readline",
        "uretprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc",
        "u:libc:malloc+4",
        "profile:hz:99",
        "software:page-faults:100",
        "tracepoint:sched:sched_*",
        "kprobe:f.constprop.*",
        "uprobe:\"/path with space/bin\":fn",
        "usdt:/bin/x:prov:probe",
        "tracepoint:$1:$2",
    };
    size_t count = sizeof(specs) / sizeof(specs[0]);
    char source[1024] = "";
    for (size_t i = 0; i < count; i++) {
        strcat(source, specs[i]);
        strcat(source, i + 1 < count ? ",\n  " : " {}");
    }
    struct ast_program *program = parse(source);
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    CHECK(probe->attach_points.count == count);
    for (size_t i = 0; i < count && i < probe->attach_points.count; i++)
        CHECK_STR(attach_at(probe, i)->text, specs[i]);
    /* Quotes go; the text keeps them for messages. */
    check_attach(attach_at(probe, 18), "uprobe:\"/path with space/bin\":fn", "uprobe",
                 "/path with space/bin:fn");
    check_loc(attach_at(probe, 1)->loc, 2, 3, 3);
}

/* A quoted segment that holds ':' keeps its quotes (the kind splits it);
 * $N in a spec becomes the positional parameter's text. */
static void test_attach_point_quotes_and_params(void)
{
    struct ast_program *program =
        parse("uprobe:/bin/x:cpp:\"ns::f\", tracepoint:$1:sys_enter_$2, t:a:b$3 {}");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    check_attach(attach_at(probe, 0), "uprobe:/bin/x:cpp:\"ns::f\"", "uprobe",
                 "/bin/x:cpp:\"ns::f\"");
    static const char *const params[] = {"syscalls", "read"};
    front_substitute_attach_params(program, params, 2, &arena);
    check_attach(attach_at(probe, 1), "tracepoint:syscalls:sys_enter_read", "tracepoint",
                 "syscalls:sys_enter_read");
    check_attach(attach_at(probe, 2), "t:a:b", "t", "a:b");
}

/* `+N` after a quoted function name is part of the same attach point: the
 * uprobe kind gets what the unquoted spelling gives it, quotes kept only
 * around a name with ':' (which the kind splits off before the offset). */
static void test_attach_point_quoted_offset(void)
{
    struct ast_program *program =
        parse("uprobe:/path/bin:cpp:\"ns::f\"+4, uprobe:/bin/bash:\"readline\"+0x10,\n"
              "  u:/bin/x:\"f\" { }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    CHECK(probe->attach_points.count == 3);
    check_attach(attach_at(probe, 0), "uprobe:/path/bin:cpp:\"ns::f\"+4", "uprobe",
                 "/path/bin:cpp:\"ns::f\"+4");
    check_attach(attach_at(probe, 1), "uprobe:/bin/bash:\"readline\"+0x10", "uprobe",
                 "/bin/bash:readline+0x10");
    check_attach(attach_at(probe, 2), "u:/bin/x:\"f\"", "u", "/bin/x:f");
    check_loc(attach_at(probe, 0)->loc, 1, 1, 30);

    /* A '+' with no offset after it is still not part of the spec. */
    parse("uprobe:/bin/bash:\"readline\"+ { }");
    CHECK(diag_has_errors(&diag));
}

/* A '/' only belongs to a spec inside a path segment; elsewhere it opens the predicate. */
static void test_predicate_boundaries(void)
{
    struct ast_program *program = parse("kprobe:f/arg0/{ 1 }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    check_attach(attach_at(probe, 0), "kprobe:f", "kprobe", "f");
    CHECK_STR(probe->predicate->identifier.name, "arg0");

    program = parse("uprobe:/bin/bash:readline /(pid / 2) == 1/ { }");
    CHECK(program != NULL);
    if (!program)
        return;
    probe = probe_at(program, 0);
    CHECK_STR(attach_at(probe, 0)->text, "uprobe:/bin/bash:readline");
    CHECK(probe->predicate->binary.op == OP_EQ);
    CHECK(probe->predicate->binary.left->binary.op == OP_DIV);
}

static void test_precedence(void)
{
    struct ast_expr *expr = parse_expr("BEGIN { 1 + 2 * 3 }");
    if (!expr)
        return;
    CHECK(expr->binary.op == OP_ADD);
    CHECK(expr->binary.left->integer.value == 1);
    CHECK(expr->binary.right->binary.op == OP_MUL);
    check_loc(expr->loc, 1, 9, 9);
    check_loc(expr->binary.right->loc, 1, 13, 5);

    expr = parse_expr("BEGIN { a == b && c }");
    CHECK(expr->binary.op == OP_LOGICAL_AND);
    CHECK(expr->binary.left->binary.op == OP_EQ);

    expr = parse_expr("BEGIN { !a == b }");
    CHECK(expr->binary.op == OP_EQ);
    CHECK(expr->binary.left->kind == EXPR_UNARY);
    CHECK(expr->binary.left->unary.op == OP_LOGICAL_NOT);

    expr = parse_expr("BEGIN { -x * y }");
    CHECK(expr->binary.op == OP_MUL);
    CHECK(expr->binary.left->unary.op == OP_NEGATE);

    expr = parse_expr("BEGIN { a ? b : c ? d : e }");
    CHECK(expr->kind == EXPR_TERNARY);
    CHECK_STR(expr->ternary.condition->identifier.name, "a");
    CHECK(expr->ternary.else_value->kind == EXPR_TERNARY);
    CHECK_STR(expr->ternary.else_value->ternary.condition->identifier.name, "c");

    expr = parse_expr("BEGIN { a || b ? 1 : 2 }");
    CHECK(expr->kind == EXPR_TERNARY);
    CHECK(expr->ternary.condition->binary.op == OP_LOGICAL_OR);

    expr = parse_expr("BEGIN { a - b - c }");
    CHECK(expr->binary.op == OP_SUB);
    CHECK(expr->binary.left->binary.op == OP_SUB);

    expr = parse_expr("BEGIN { a | b ^ c & d == e < f << g + h }");
    CHECK(expr->binary.op == OP_BIT_OR);
    expr = expr->binary.right;
    CHECK(expr->binary.op == OP_BIT_XOR);
    expr = expr->binary.right;
    CHECK(expr->binary.op == OP_BIT_AND);
    expr = expr->binary.right;
    CHECK(expr->binary.op == OP_EQ);
    expr = expr->binary.right;
    CHECK(expr->binary.op == OP_LT);
    expr = expr->binary.right;
    CHECK(expr->binary.op == OP_SHIFT_LEFT);
    CHECK(expr->binary.right->binary.op == OP_ADD);

    expr = parse_expr("BEGIN { (1 + 2) * 3 }");
    CHECK(expr->binary.op == OP_MUL);
    CHECK(expr->binary.left->binary.op == OP_ADD);
    check_loc(expr->loc, 1, 9, 11);
}

static void test_maps_and_assignments(void)
{
    struct ast_expr *map = parse_expr("BEGIN { @a[1, \"x\"] }");
    if (!map)
        return;
    CHECK(map->kind == EXPR_MAP);
    CHECK_STR(map->map.name, "a");
    CHECK(map->map.keys.count == 2);
    CHECK(((struct ast_expr *)vec_get(&map->map.keys, 1))->kind == EXPR_STRING);

    map = parse_expr("BEGIN { @m[(a, b)] }");
    CHECK(map->map.keys.count == 1);
    struct ast_expr *key = vec_get(&map->map.keys, 0);
    CHECK(key->kind == EXPR_TUPLE && key->tuple.elements.count == 2);

    struct ast_program *program =
        parse("BEGIN { $x += 2; @y[pid] <<= 1; @ = 5; $z %= 3; @w |= 1; $v >>= 2 }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    static const enum ast_assign_op ops[] = {ASSIGN_ADD, ASSIGN_SHIFT_LEFT, ASSIGN_PLAIN,
                                             ASSIGN_MOD, ASSIGN_BIT_OR,     ASSIGN_SHIFT_RIGHT};
    for (size_t i = 0; i < 6; i++) {
        CHECK(stmt_at(probe, i)->kind == STMT_ASSIGN);
        CHECK(stmt_at(probe, i)->assign.op == ops[i]);
    }
    struct ast_stmt *add = stmt_at(probe, 0);
    CHECK(add->assign.target->kind == EXPR_VARIABLE);
    CHECK_STR(add->assign.target->variable.name, "x");
    CHECK(add->assign.value->integer.value == 2);
    check_loc(add->loc, 1, 9, 7);

    program = parse("BEGIN { @x++; $y--; ++@z; --$w; @m[k]-- }");
    CHECK(program != NULL);
    if (!program)
        return;
    probe = probe_at(program, 0);
    CHECK(expr_at(probe, 0)->unary.op == OP_POST_INCREMENT);
    CHECK(expr_at(probe, 0)->unary.operand->kind == EXPR_MAP);
    CHECK(expr_at(probe, 1)->unary.op == OP_POST_DECREMENT);
    CHECK(expr_at(probe, 2)->unary.op == OP_PRE_INCREMENT);
    CHECK(expr_at(probe, 3)->unary.op == OP_PRE_DECREMENT);
    CHECK(expr_at(probe, 4)->unary.operand->map.keys.count == 1);
}

static void test_fields_calls_and_tuples(void)
{
    struct ast_expr *expr = parse_expr("BEGIN { curtask->real_parent->pid }");
    if (!expr)
        return;
    CHECK(expr->kind == EXPR_FIELD && expr->field.arrow);
    CHECK_STR(expr->field.name, "pid");
    check_loc(expr->field.name_loc, 1, 31, 3);
    CHECK_STR(expr->field.base->field.name, "real_parent");
    CHECK_STR(expr->field.base->field.base->identifier.name, "curtask");

    expr = parse_expr("BEGIN { args.count }");
    CHECK(expr->kind == EXPR_FIELD && !expr->field.arrow);
    CHECK_STR(expr->field.name, "count");

    expr = parse_expr("BEGIN { $t.0 }");
    CHECK(expr->kind == EXPR_FIELD);
    CHECK_STR(expr->field.name, "0");
    CHECK_STR(expr->field.base->variable.name, "t");

    expr = parse_expr("BEGIN { $a[3] }");
    CHECK(expr->kind == EXPR_INDEX);
    CHECK(expr->index.index->integer.value == 3);

    expr = parse_expr("BEGIN { delete(@m[k]) }");
    CHECK_STR(expr->call.name, "delete");
    CHECK(expr->call.args.count == 1);
    CHECK(arg_at(expr, 0)->kind == EXPR_MAP && arg_at(expr, 0)->map.keys.count == 1);

    expr = parse_expr("BEGIN { delete(@m, k) }");
    CHECK(expr->call.args.count == 2);
    CHECK(arg_at(expr, 0)->kind == EXPR_MAP && arg_at(expr, 0)->map.keys.count == 0);

    expr = parse_expr("BEGIN { (a,) }");
    CHECK(expr->kind == EXPR_TUPLE && expr->tuple.elements.count == 1);
    expr = parse_expr("BEGIN { (1, \"two\", 3) }");
    CHECK(expr->kind == EXPR_TUPLE && expr->tuple.elements.count == 3);
    check_loc(expr->loc, 1, 9, 13);
}

static void test_casts(void)
{
    struct ast_expr *expr = parse_expr("BEGIN { (uint32)x }");
    if (!expr)
        return;
    CHECK(expr->kind == EXPR_CAST);
    CHECK_STR(expr->cast.type_text, "uint32");
    check_loc(expr->cast.type_loc, 1, 10, 6);
    CHECK_STR(expr->cast.operand->identifier.name, "x");

    expr = parse_expr("BEGIN { (struct task_struct *)curtask }");
    CHECK_STR(expr->cast.type_text, "struct task_struct *");
    check_loc(expr->cast.type_loc, 1, 10, 20);

    expr = parse_expr("BEGIN { (unsigned   long long)x + 1 }");
    CHECK(expr->binary.op == OP_ADD);
    CHECK_STR(expr->binary.left->cast.type_text, "unsigned long long");

    expr = parse_expr("BEGIN { (struct sock**)arg0 }");
    CHECK_STR(expr->cast.type_text, "struct sock **");
    expr = parse_expr("BEGIN { (uint8[8])x }");
    CHECK_STR(expr->cast.type_text, "uint8[8]");
    expr = parse_expr("BEGIN { (string[64])x }");
    CHECK_STR(expr->cast.type_text, "string[64]");
    expr = parse_expr("BEGIN { (u64)(int8)-1 }");
    CHECK_STR(expr->cast.type_text, "u64");
    CHECK_STR(expr->cast.operand->cast.type_text, "int8");
    CHECK(expr->cast.operand->cast.operand->unary.op == OP_NEGATE);
}

static void test_statements(void)
{
    struct ast_program *program =
        parse("BEGIN {\n"
              "  if ($x > 1) { a(); } else if $x { b() } else { c(); d() }\n"
              "  while ($i < 10) { $i++; if ($i == 5) { break; } continue }\n"
              "  unroll (3) { e() };\n"
              "  { f() }\n"
              "  return;\n"
              "  return 1\n"
              "}");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = probe_at(program, 0);
    CHECK(probe->body->block.statements.count == 6);

    struct ast_stmt *if_stmt = stmt_at(probe, 0);
    CHECK(if_stmt->kind == STMT_IF);
    CHECK(if_stmt->if_stmt.condition->binary.op == OP_GT);
    CHECK(if_stmt->if_stmt.then_branch->kind == STMT_BLOCK);
    struct ast_stmt *else_if = if_stmt->if_stmt.else_branch;
    CHECK(else_if->kind == STMT_IF);
    CHECK(else_if->if_stmt.condition->kind == EXPR_VARIABLE);
    CHECK(else_if->if_stmt.else_branch->kind == STMT_BLOCK);
    CHECK(else_if->if_stmt.else_branch->block.statements.count == 2);
    check_loc(if_stmt->loc, 2, 3, 57);

    struct ast_stmt *loop = stmt_at(probe, 1);
    CHECK(loop->kind == STMT_WHILE);
    CHECK(loop->while_stmt.body->block.statements.count == 3);
    struct ast_stmt *inner_if = vec_get(&loop->while_stmt.body->block.statements, 1);
    struct ast_stmt *brk = vec_get(&inner_if->if_stmt.then_branch->block.statements, 0);
    CHECK(brk->kind == STMT_BREAK);
    CHECK(((struct ast_stmt *)vec_get(&loop->while_stmt.body->block.statements, 2))->kind ==
          STMT_CONTINUE);

    struct ast_stmt *unroll = stmt_at(probe, 2);
    CHECK(unroll->kind == STMT_UNROLL && unroll->unroll.count->integer.value == 3);
    CHECK(stmt_at(probe, 3)->kind == STMT_BLOCK);
    CHECK(stmt_at(probe, 4)->kind == STMT_RETURN && !stmt_at(probe, 4)->return_stmt.value);
    CHECK(stmt_at(probe, 5)->return_stmt.value->integer.value == 1);
}

static void test_comments_shebang_and_positionals(void)
{
    struct ast_program *program = parse("#!/usr/bin/env bpftrace\n"
                                        "/* count reads */\n"
                                        "tracepoint:syscalls:sys_enter_read, // the old way\n"
                                        "  t:syscalls:sys_enter_pread64 /* and this */\n"
                                        "/ pid == $1 /* the target */ /\n"
                                        "{ @reads = count(); // per probe\n"
                                        "  printf(\"%d\\n\", $#) }\n"
                                        "// between probes\n"
                                        "END { clear(@reads) }\n");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->probes.count == 2);
    struct ast_probe *probe = probe_at(program, 0);
    CHECK(probe->attach_points.count == 2);
    check_loc(attach_at(probe, 0)->loc, 3, 1, 34);
    check_attach(attach_at(probe, 1), "t:syscalls:sys_enter_pread64", "t",
                 "syscalls:sys_enter_pread64");
    CHECK(probe->predicate->binary.right->kind == EXPR_POSITIONAL);
    CHECK(probe->predicate->binary.right->positional.index == 1);
    CHECK(arg_at(expr_at(probe, 1), 1)->kind == EXPR_POSITIONAL_COUNT);
    check_attach(attach_at(probe_at(program, 1), 0), "END", "END", "");
    check_loc(attach_at(probe_at(program, 1), 0)->loc, 9, 1, 3);
}

static void test_integer_literals(void)
{
    static const struct {
        const char *text;
        uint64_t value;
    } cases[] = {
        {"0", 0},
        {"42", 42},
        {"0x1F", 31},
        {"0XfF", 255},
        {"017", 15},
        {"1_000_000", 1000000},
        {"0xffff_ffff", 0xffffffff},
        {"1e6", 1000000},
        {"2e3", 2000},
        {"10ULL", 10},
        {"42u", 42},
        {"7L", 7},
        {"18446744073709551615", UINT64_MAX},
        {"0xffffffffffffffff", UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char source[128];
        snprintf(source, sizeof(source), "BEGIN { %s }", cases[i].text);
        struct ast_expr *expr = parse_expr(source);
        if (!expr)
            continue;
        CHECK(expr->kind == EXPR_INTEGER);
        CHECK(expr->integer.value == cases[i].value);
        if (expr->integer.value != cases[i].value)
            fprintf(stderr, "  %s parsed as %llu\n", cases[i].text,
                    (unsigned long long)expr->integer.value);
    }
    struct ast_expr *yes = parse_expr("BEGIN { true }");
    CHECK(yes->kind == EXPR_BOOL && yes->boolean.value);
}

static void test_string_escapes(void)
{
    struct ast_expr *expr = parse_expr("BEGIN { \"a\\tb\\x41\\101\\0z\\\\\\\"\\'\\n\\r\\x7\" }");
    if (!expr)
        return;
    static const char expected[] = {'a',  '\t', 'b',  'A',  'A',  '\0',  'z',
                                    '\\', '"',  '\'', '\n', '\r', '\x07'};
    CHECK(expr->kind == EXPR_STRING);
    CHECK(expr->string.length == sizeof(expected));
    CHECK(memcmp(expr->string.bytes, expected, sizeof(expected)) == 0);
    CHECK(expr->string.bytes[expr->string.length] == '\0');
    check_loc(expr->loc, 1, 9, 30);

    expr = parse_expr("BEGIN { \"\" }");
    CHECK(expr->string.length == 0);
}

/* The first (and only) error: its place and its words. */
static void check_error(const char *source, int line, int column, const char *message)
{
    struct ast_program *program = parse(source);
    CHECK(program == NULL);
    CHECK(diag.error_count == 1);
    if (diag.entries.count == 0)
        return;
    struct diag_entry *entry = vec_get(&diag.entries, 0);
    CHECK_STR(entry->message, message);
    CHECK(entry->loc.line == line);
    CHECK(entry->loc.column == column);
    if (entry->loc.line != line || entry->loc.column != column)
        fprintf(stderr, "  \"%s\": error at %d:%d, expected %d:%d\n", source, entry->loc.line,
                entry->loc.column, line, column);
}

static void test_syntax_errors(void)
{
    check_error("BEGIN { printf(\"x\" }", 1, 20, "unexpected '}', expecting ',' or ')'");
    check_error("BEGIN { $x = ; }", 1, 14, "unexpected ';', expecting an expression");
    check_error("BEGIN { 1 2 }", 1, 11, "unexpected integer '2', expecting '}' or ';'");
    check_error("kprobe:f /pid == 1 { }", 1, 20, "unexpected '{', expecting '/'");
    check_error("BEGIN { if (x) { } else }", 1, 25, "unexpected '}', expecting 'if' or '{'");
    check_error("BEGIN { a ? b }", 1, 15, "unexpected '}', expecting ':'");
    check_error("", 1, 1, "unexpected end of file, expecting an attach point");

    /* A missing '}' is reported just after the last token, not on a blank line. */
    check_error("BEGIN { printf(\"x\");\n\n", 1, 21,
                "unexpected end of file, expecting a statement or '}'");
    struct diag_entry *entry = vec_get(&diag.entries, 0);
    CHECK_STR(entry->hint, "the probe body opened at line 1, column 7 is never closed");

    check_error("BEGIN", 1, 6, "unexpected end of file, expecting '/', ',' or '{'");
    check_error("BEGIN\nEND { }", 2, 1, "unexpected attach point 'END', expecting '/', ',' or '{'");
    check_error("BEGIN {\n  $x = 1;\n  $y = $x +* ; }", 3, 14,
                "unexpected ';', expecting an expression");
    check_error("BEGIN { args->x = 1 }", 1, 9, "cannot assign to this expression");
}

static void test_lexical_errors(void)
{
    check_error("BEGIN { \"abc }", 1, 9, "unterminated string");
    check_error("BEGIN { 99999999999999999999 }", 1, 9, "integer literal is too large");
    check_error("BEGIN { 0x10000000000000000 }", 1, 9, "integer literal is too large");
    check_error("BEGIN { printf(\"\\q\") }", 1, 17, "unknown escape sequence '\\q'");
    struct diag_entry *entry = vec_get(&diag.entries, 0);
    CHECK(entry->loc.length == 2);
    check_error("BEGIN { \"\\x\" }", 1, 10, "no hexadecimal digits after '\\x'");
    check_error("BEGIN { 09 }", 1, 10, "invalid digit '9' in octal literal");
    check_error("BEGIN { 12abc }", 1, 9, "invalid integer literal '12abc'");
    check_error("BEGIN { /* x", 1, 9, "unterminated comment");
    check_error("BEGIN { # }", 1, 9, "unexpected character '#'");
    check_error("BEGIN { $ }", 1, 9, "expected a variable name after '$'");
}

static const char *print_to_string(const struct ast_program *program, char **buffer)
{
    size_t size = 0;
    FILE *out = open_memstream(buffer, &size);
    ast_print(program, out);
    fclose(out);
    return *buffer;
}

static void test_print(void)
{
    struct ast_program *program = parse("tracepoint:syscalls:sys_enter_read /pid == 1234/ "
                                        "{ printf(\"PID %d\\n\", pid, args->count); @x[1] += 2 }");
    CHECK(program != NULL);
    if (!program)
        return;
    char *text = NULL;
    CHECK_STR(print_to_string(program, &text), "Program\n"
                                               " Probe\n"
                                               "  tracepoint:syscalls:sys_enter_read\n"
                                               "  predicate\n"
                                               "   ==\n"
                                               "    builtin pid\n"
                                               "    int 1234\n"
                                               "  call printf\n"
                                               "   string \"PID %d\\n\"\n"
                                               "   builtin pid\n"
                                               "   -> count\n"
                                               "    builtin args\n"
                                               "  +=\n"
                                               "   map @x\n"
                                               "    int 1\n"
                                               "   int 2\n");
    free(text);
}

static void test_clone(void)
{
    struct ast_program *program = parse("BEGIN { @x[1] = $a + f(2, \"s\"); if (c) { $y = 1 } }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_stmt *original = probe_at(program, 0)->body;
    struct ast_stmt *copy = ast_stmt_clone(&arena, original);
    CHECK(copy != original);
    CHECK(copy->block.statements.items != original->block.statements.items);
    CHECK(copy->block.statements.count == 2);

    struct ast_stmt *assign = vec_get(&copy->block.statements, 0);
    assign->assign.value->binary.op = OP_SUB;
    struct ast_expr *key = vec_get(&assign->assign.target->map.keys, 0);
    key->integer.value = 99;
    struct ast_expr *call = assign->assign.value->binary.right;
    vec_push(&call->call.args, ast_expr_new(&arena, EXPR_INTEGER, (struct srcloc){0}));
    arg_at(call, 1)->string.bytes[0] = 'z';
    struct ast_stmt *inner_if = vec_get(&copy->block.statements, 1);
    inner_if->if_stmt.condition->identifier.name = "d";

    struct ast_stmt *kept = vec_get(&original->block.statements, 0);
    CHECK(kept->assign.value->binary.op == OP_ADD);
    CHECK(((struct ast_expr *)vec_get(&kept->assign.target->map.keys, 0))->integer.value == 1);
    CHECK(kept->assign.value->binary.right->call.args.count == 2);
    CHECK_STR(arg_at(kept->assign.value->binary.right, 1)->string.bytes, "s");
    struct ast_stmt *kept_if = vec_get(&original->block.statements, 1);
    CHECK_STR(kept_if->if_stmt.condition->identifier.name, "c");
    CHECK(ast_expr_clone(&arena, NULL) == NULL);
}

struct walk_count {
    int visited;
    bool skip_calls;
};

static bool count_node(struct ast_expr *expr, void *context)
{
    struct walk_count *count = context;
    count->visited++;
    return !(count->skip_calls && expr->kind == EXPR_CALL);
}

static void test_walk(void)
{
    struct ast_program *program =
        parse("BEGIN { @x[1] = $a + f(2, \"s\"); if (c) { $y = 1 } else { (uint8)-z } }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_stmt *body = probe_at(program, 0)->body;
    struct walk_count count = {0};
    ast_walk_stmt(body, count_node, &count);
    /* @x 1 + $a f 2 "s" | c | $y 1 | cast - z */
    CHECK(count.visited == 13);

    count = (struct walk_count){.skip_calls = true};
    ast_walk_stmt(vec_get(&body->block.statements, 0), count_node, &count);
    CHECK(count.visited == 5);
}

int main(void)
{
    arena_init(&arena);
    diag_init(&diag, "test", "");
    test_read_bytes_by_pid();
    test_tutorial_one_liners();
    test_attach_point_lists();
    test_attach_point_spellings();
    test_attach_point_quotes_and_params();
    test_attach_point_quoted_offset();
    test_predicate_boundaries();
    test_precedence();
    test_maps_and_assignments();
    test_fields_calls_and_tuples();
    test_casts();
    test_statements();
    test_comments_shebang_and_positionals();
    test_integer_literals();
    test_string_escapes();
    test_syntax_errors();
    test_lexical_errors();
    test_print();
    test_clone();
    test_walk();
    diag_free(&diag);
    arena_free(&arena);
    return TEST_DONE();
}

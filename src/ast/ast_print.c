/* ast_print.c: the `-d ast` dump, one node per line, one space per level. */
#include "ast/ast.h"

#include "base/strbuf.h"

static void print_stmt(const struct ast_stmt *stmt, int depth, FILE *out);

static void indent(int depth, FILE *out)
{
    for (int i = 0; i < depth; i++)
        fputc(' ', out);
}

/* Strings are printed the way they would be written in a script, so a dump
 * never contains a raw newline or control byte. */
static void print_escaped(const char *bytes, size_t length, FILE *out)
{
    fputc('"', out);
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        switch (c) {
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '"':
            fputs("\\\"", out);
            break;
        default:
            if (c < 0x20 || c >= 0x7f)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

static void print_type_suffix(const struct ast_expr *expr, FILE *out)
{
    if (!expr->type)
        return;
    struct strbuf text = {0};
    type_describe(expr->type, &text);
    fprintf(out, " :: %s", strbuf_text(&text));
    strbuf_free(&text);
}

/* Everything a node shows on its own line, before its children. */
static void print_expr_label(const struct ast_expr *expr, FILE *out)
{
    switch (expr->kind) {
    case EXPR_INTEGER:
        fprintf(out, "int %llu", (unsigned long long)expr->integer.value);
        break;
    case EXPR_STRING:
        fputs("string ", out);
        print_escaped(expr->string.bytes, expr->string.length, out);
        break;
    case EXPR_BOOL:
        fprintf(out, "bool %s", expr->boolean.value ? "true" : "false");
        break;
    case EXPR_IDENTIFIER:
        fprintf(out, "builtin %s", expr->identifier.name);
        break;
    case EXPR_VARIABLE:
        fprintf(out, "variable $%s", expr->variable.name);
        break;
    case EXPR_POSITIONAL:
        fprintf(out, "positional $%d", expr->positional.index);
        break;
    case EXPR_POSITIONAL_COUNT:
        fputs("positional $#", out);
        break;
    case EXPR_MAP:
        fprintf(out, "map @%s", expr->map.name);
        break;
    case EXPR_CALL:
        fprintf(out, "call %s", expr->call.name);
        break;
    case EXPR_UNARY:
        fputs(ast_unary_op_text(expr->unary.op), out);
        if (expr->unary.op == OP_PRE_INCREMENT || expr->unary.op == OP_PRE_DECREMENT)
            fputs(" (pre)", out);
        else if (expr->unary.op == OP_POST_INCREMENT || expr->unary.op == OP_POST_DECREMENT)
            fputs(" (post)", out);
        break;
    case EXPR_BINARY:
        fputs(ast_binary_op_text(expr->binary.op), out);
        break;
    case EXPR_TERNARY:
        fputs("?:", out);
        break;
    case EXPR_FIELD:
        fprintf(out, "%s %s", expr->field.arrow ? "->" : ".", expr->field.name);
        break;
    case EXPR_INDEX:
        fputs("[]", out);
        break;
    case EXPR_TUPLE:
        fputs("tuple", out);
        break;
    case EXPR_CAST:
        fprintf(out, "cast %s", expr->cast.type_text);
        break;
    case EXPR_BLOCK:
        fputs("block expression", out);
        break;
    case EXPR_SIZEOF:
        fprintf(out, "sizeof %s", expr->size_of.type_text ? expr->size_of.type_text : "");
        break;
    case EXPR_OFFSETOF:
        fprintf(out, "offsetof %s %s", expr->offset_of.type_text, expr->offset_of.path);
        break;
    }
}

static void print_expr(const struct ast_expr *expr, int depth, FILE *out);
static void print_body(const struct ast_stmt *block, int depth, FILE *out);

static void print_expr_list(const struct vec *list, int depth, FILE *out)
{
    for (size_t i = 0; i < list->count; i++)
        print_expr(vec_get(list, i), depth, out);
}

static void print_expr(const struct ast_expr *expr, int depth, FILE *out)
{
    if (!expr)
        return;
    indent(depth, out);
    print_expr_label(expr, out);
    print_type_suffix(expr, out);
    fputc('\n', out);
    switch (expr->kind) {
    case EXPR_MAP:
        print_expr_list(&expr->map.keys, depth + 1, out);
        break;
    case EXPR_CALL:
        print_expr_list(&expr->call.args, depth + 1, out);
        break;
    case EXPR_UNARY:
        print_expr(expr->unary.operand, depth + 1, out);
        break;
    case EXPR_BINARY:
        print_expr(expr->binary.left, depth + 1, out);
        print_expr(expr->binary.right, depth + 1, out);
        break;
    case EXPR_TERNARY:
        print_expr(expr->ternary.condition, depth + 1, out);
        print_expr(expr->ternary.then_value, depth + 1, out);
        print_expr(expr->ternary.else_value, depth + 1, out);
        break;
    case EXPR_FIELD:
        print_expr(expr->field.base, depth + 1, out);
        break;
    case EXPR_INDEX:
        print_expr(expr->index.base, depth + 1, out);
        print_expr(expr->index.index, depth + 1, out);
        break;
    case EXPR_TUPLE:
        print_expr_list(&expr->tuple.elements, depth + 1, out);
        break;
    case EXPR_CAST:
        print_expr(expr->cast.operand, depth + 1, out);
        break;
    case EXPR_BLOCK:
        print_body(expr->block.body, depth + 1, out);
        print_expr(expr->block.value, depth + 1, out);
        break;
    case EXPR_SIZEOF:
        if (expr->size_of.operand)
            print_expr(expr->size_of.operand, depth + 1, out);
        break;
    default:
        break;
    }
}

static void print_line(const char *text, int depth, FILE *out)
{
    indent(depth, out);
    fputs(text, out);
    fputc('\n', out);
}

/* A block's statements sit directly under whatever owns the block. */
static void print_body(const struct ast_stmt *block, int depth, FILE *out)
{
    if (!block)
        return;
    if (block->kind != STMT_BLOCK) {
        print_stmt(block, depth, out);
        return;
    }
    for (size_t i = 0; i < block->block.statements.count; i++)
        print_stmt(vec_get(&block->block.statements, i), depth, out);
}

static void print_labelled_body(const char *label, const struct ast_stmt *block, int depth,
                                FILE *out)
{
    print_line(label, depth, out);
    print_body(block, depth + 1, out);
}

static void print_stmt(const struct ast_stmt *stmt, int depth, FILE *out)
{
    switch (stmt->kind) {
    case STMT_EXPR:
        print_expr(stmt->expr.expr, depth, out);
        break;
    case STMT_ASSIGN:
        print_line(ast_assign_op_text(stmt->assign.op), depth, out);
        print_expr(stmt->assign.target, depth + 1, out);
        print_expr(stmt->assign.value, depth + 1, out);
        break;
    case STMT_IF:
        print_line("if", depth, out);
        print_expr(stmt->if_stmt.condition, depth + 1, out);
        print_labelled_body("then", stmt->if_stmt.then_branch, depth + 1, out);
        if (stmt->if_stmt.else_branch)
            print_labelled_body("else", stmt->if_stmt.else_branch, depth + 1, out);
        break;
    case STMT_BLOCK:
        print_labelled_body("block", stmt, depth, out);
        break;
    case STMT_WHILE:
        print_line("while", depth, out);
        print_expr(stmt->while_stmt.condition, depth + 1, out);
        print_labelled_body("body", stmt->while_stmt.body, depth + 1, out);
        break;
    case STMT_UNROLL:
        print_line("unroll", depth, out);
        print_expr(stmt->unroll.count, depth + 1, out);
        print_labelled_body("body", stmt->unroll.body, depth + 1, out);
        break;
    case STMT_BREAK:
        print_line("break", depth, out);
        break;
    case STMT_CONTINUE:
        print_line("continue", depth, out);
        break;
    case STMT_RETURN:
        print_line("return", depth, out);
        print_expr(stmt->return_stmt.value, depth + 1, out);
        break;
    case STMT_LET:
        indent(depth, out);
        fprintf(out, "let%s%s\n", stmt->let.type_text ? " : " : "",
                stmt->let.type_text ? stmt->let.type_text : "");
        print_expr(stmt->let.variable, depth + 1, out);
        print_expr(stmt->let.value, depth + 1, out);
        break;
    case STMT_FOR:
        print_line("for", depth, out);
        print_expr(stmt->for_range.variable, depth + 1, out);
        print_expr(stmt->for_range.start, depth + 1, out);
        print_expr(stmt->for_range.end, depth + 1, out);
        print_labelled_body("body", stmt->for_range.body, depth + 1, out);
        break;
    case STMT_FOR_MAP:
        print_line("for", depth, out);
        print_expr(stmt->for_map.variable, depth + 1, out);
        print_expr(stmt->for_map.map, depth + 1, out);
        print_labelled_body("body", stmt->for_map.body, depth + 1, out);
        break;
    }
}

static void print_probe(const struct ast_probe *probe, FILE *out)
{
    print_line("Probe", 1, out);
    for (size_t i = 0; i < probe->attach_points.count; i++) {
        const struct ast_attach_point *point = vec_get(&probe->attach_points, i);
        print_line(point->text, 2, out);
    }
    if (probe->predicate) {
        print_line("predicate", 2, out);
        print_expr(probe->predicate, 3, out);
    }
    print_body(probe->body, 2, out);
}

static void print_function(const struct ast_function *function, FILE *out)
{
    indent(1, out);
    fprintf(out, "fn %s: %s\n", function->name,
            function->return_type_text ? function->return_type_text : "void");
    for (size_t i = 0; i < function->params.count; i++)
        print_stmt(vec_get(&function->params, i), 2, out);
    print_labelled_body("body", function->body, 2, out);
}

void ast_print(const struct ast_program *program, FILE *out)
{
    fputs("Program\n", out);
    for (size_t i = 0; i < program->functions.count; i++)
        print_function(vec_get(&program->functions, i), out);
    for (size_t i = 0; i < program->probes.count; i++)
        print_probe(vec_get(&program->probes, i), out);
}

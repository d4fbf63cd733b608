/* ast: the syntax tree of a sonde script.
 *
 * The parser builds it (src/front/); passes in this folder rewrite and annotate
 * it (probe expansion, name resolution, type checking) and codegen reads it.
 * Every node carries the span it came from so any stage can point into the
 * script. All nodes live in the compilation's arena. */
#ifndef SONDE_AST_AST_H
#define SONDE_AST_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/vec.h"
#include "types/type.h"

enum ast_binary_op {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
    OP_BIT_AND, OP_BIT_OR, OP_BIT_XOR, OP_SHIFT_LEFT, OP_SHIFT_RIGHT,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_LOGICAL_AND, OP_LOGICAL_OR,
};

enum ast_unary_op {
    OP_NEGATE,      /* -x */
    OP_LOGICAL_NOT, /* !x */
    OP_BIT_NOT,     /* ~x */
    OP_DEREF,       /* *p */
    OP_ADDRESS_OF,  /* &x */
    OP_PRE_INCREMENT, OP_PRE_DECREMENT, OP_POST_INCREMENT, OP_POST_DECREMENT,
};

enum ast_expr_kind {
    EXPR_INTEGER,    /* 42, 0x2a */
    EXPR_STRING,     /* "text" */
    EXPR_BOOL,       /* true, false */
    EXPR_IDENTIFIER, /* a bare name: builtin (pid, comm, args, arg0, ...) or constant */
    EXPR_VARIABLE,   /* $name */
    EXPR_POSITIONAL, /* $1 .. $N */
    EXPR_POSITIONAL_COUNT, /* $# */
    EXPR_MAP,        /* @name or @name[k1, k2, ...]; "@" alone has name "" */
    EXPR_CALL,       /* name(arg, ...) */
    EXPR_UNARY,
    EXPR_BINARY,
    EXPR_TERNARY,    /* c ? a : b */
    EXPR_FIELD,      /* base.name or base->name */
    EXPR_INDEX,      /* base[index] (not on maps: those are EXPR_MAP) */
    EXPR_TUPLE,      /* (a, b, ...) */
    EXPR_CAST,       /* (type) operand */
    EXPR_BLOCK,      /* { statements; value }: what an expanded macro call becomes */
    EXPR_SIZEOF,     /* sizeof(type) or sizeof(expr): an integer once typed */
    EXPR_OFFSETOF,   /* offsetof(struct x, a.b): an integer once typed */
};

struct ast_expr;

/* What name resolution decided a bare identifier means. */
enum ast_builtin {
    BUILTIN_NONE,
    BUILTIN_PID, BUILTIN_TID, BUILTIN_UID, BUILTIN_GID, BUILTIN_COMM,
    BUILTIN_NSECS, BUILTIN_ELAPSED, BUILTIN_CPU, BUILTIN_PROBE,
    BUILTIN_ARGS, BUILTIN_NARGS, BUILTIN_ARG, /* arg0..argN: index in `builtin_index` */
    BUILTIN_RETVAL, BUILTIN_CURTASK, BUILTIN_RAND, BUILTIN_CGROUP,
    BUILTIN_NUMAID, BUILTIN_USERNAME, BUILTIN_KSTACK, BUILTIN_USTACK, /* sema_functions.c */
    BUILTIN_FUNC, BUILTIN_CPID, /* sema_probes.c, with BUILTIN_ARG and BUILTIN_RETVAL */
};

struct ast_expr {
    enum ast_expr_kind kind;
    struct srcloc loc;
    const struct type *type; /* set by the type checker */
    union {
        struct { uint64_t value; } integer;
        struct { char *bytes; size_t length; } string; /* escapes decoded; length excludes NUL */
        struct { bool value; } boolean;
        struct {
            const char *name;
            enum ast_builtin builtin; /* set by name resolution */
            int builtin_index;        /* argN: N */
        } identifier;
        struct {
            const char *name;   /* without the '$' */
            void *symbol;       /* set by name resolution (struct sema_variable *) */
        } variable;
        struct { int index; } positional; /* $1 -> 1 */
        struct {
            const char *name;   /* without the '@'; "" for the anonymous map */
            struct vec keys;    /* struct ast_expr *; empty for a scalar map */
            void *symbol;       /* set by name resolution (struct sema_map *) */
        } map;
        struct {
            const char *name;
            struct srcloc name_loc;
            struct vec args;    /* struct ast_expr * */
            int function;       /* set by the type checker: index in its function table */
            int site;           /* set by the type checker: e.g. printf format id */
            /* Set by the type checker when the name is a `fn` of the script. */
            struct ast_function *subprogram;
        } call;
        struct { enum ast_unary_op op; struct ast_expr *operand; } unary;
        struct { enum ast_binary_op op; struct ast_expr *left, *right; } binary;
        struct { struct ast_expr *condition, *then_value, *else_value; } ternary;
        struct {
            struct ast_expr *base;
            const char *name;
            bool arrow;       /* written `->` */
            struct srcloc name_loc;
        } field;
        struct { struct ast_expr *base, *index; } index;
        struct { struct vec elements; } tuple;
        struct {
            const char *type_text;  /* as written, e.g. "uint32", "struct task_struct *" */
            struct srcloc type_loc;
            struct ast_expr *operand;
        } cast;
        struct {
            struct ast_stmt *body;  /* STMT_BLOCK, its own scope */
            struct ast_expr *value; /* evaluated after the body; NULL: no value */
        } block;
        struct {
            const char *type_text;    /* sizeof(type); NULL for sizeof(expr) */
            struct srcloc type_loc;
            struct ast_expr *operand; /* sizeof(expr): not evaluated */
        } size_of;
        struct {
            const char *type_text; /* "struct task_struct" */
            struct srcloc type_loc;
            const char *path;      /* "a.b.c" */
            struct srcloc path_loc;
        } offset_of;
    };
};

enum ast_stmt_kind {
    STMT_EXPR,     /* an expression for its effect: printf(...), @x++, exit() */
    STMT_ASSIGN,   /* target op= value; target is EXPR_MAP or EXPR_VARIABLE */
    STMT_IF,
    STMT_BLOCK,
    STMT_WHILE,
    STMT_UNROLL,
    STMT_BREAK,
    STMT_CONTINUE,
    STMT_RETURN,
    STMT_LET,      /* let $x [: type] [= value]; */
    STMT_FOR,      /* for ($i : start..end) { } */
    STMT_FOR_MAP,  /* for ($kv : @map) { } (sema_formap.c, codegen/formap.c) */
};

enum ast_assign_op {
    ASSIGN_PLAIN, /* = */
    ASSIGN_ADD, ASSIGN_SUB, ASSIGN_MUL, ASSIGN_DIV, ASSIGN_MOD,
    ASSIGN_BIT_AND, ASSIGN_BIT_OR, ASSIGN_BIT_XOR, ASSIGN_SHIFT_LEFT, ASSIGN_SHIFT_RIGHT,
};

struct ast_stmt {
    enum ast_stmt_kind kind;
    struct srcloc loc;
    union {
        struct { struct ast_expr *expr; } expr;
        struct { enum ast_assign_op op; struct ast_expr *target, *value; } assign;
        struct {
            struct ast_expr *condition;
            struct ast_stmt *then_branch; /* STMT_BLOCK */
            struct ast_stmt *else_branch; /* STMT_BLOCK, STMT_IF (else if) or NULL */
        } if_stmt;
        struct { struct vec statements; } block; /* struct ast_stmt * */
        struct { struct ast_expr *condition; struct ast_stmt *body; } while_stmt;
        struct { struct ast_expr *count; struct ast_stmt *body; } unroll;
        struct { struct ast_expr *value; /* may be NULL */ } return_stmt;
        struct {
            struct ast_expr *variable; /* EXPR_VARIABLE */
            const char *type_text;     /* "uint32", "string[32]"; NULL when not written */
            struct srcloc type_loc;
            struct ast_expr *value;    /* NULL: zero */
        } let;
        struct {
            struct ast_expr *variable;     /* EXPR_VARIABLE: the counter, scoped to the body */
            struct ast_expr *start, *end;  /* half-open: start <= $i < end, evaluated once */
            struct ast_stmt *body;         /* STMT_BLOCK */
        } for_range;
        struct {
            struct ast_expr *variable; /* EXPR_VARIABLE: (key, value), scoped to the body */
            struct ast_expr *map;      /* EXPR_MAP without keys */
            struct ast_stmt *body;     /* STMT_BLOCK, compiled as a BPF subprogram */
            /* Set by the type checker: the struct sema_variable * declared
             * before the loop that the body uses (passed to the subprogram). */
            struct vec captures;
        } for_map;
    };
};

/* One attach point as written: `tracepoint:syscalls:sys_enter_*`, `BEGIN`,
 * `i:s:1`. The provider part is split off; the rest stays raw text for the
 * probe kind to interpret. */
struct ast_attach_point {
    const char *text;     /* the whole spec as written */
    const char *provider; /* text before the first ':' (the whole text for BEGIN/END) */
    const char *target;   /* text after the first ':' or "" */
    struct srcloc loc;
};

struct probe_instance; /* src/probes/probe.h */

/* A group of concrete probes that share one typing of `args`: the body is
 * type-checked and compiled once per variant. */
struct ast_variant {
    struct vec instances;          /* struct probe_instance * */
    struct ast_expr *predicate;    /* NULL when there is none */
    struct ast_stmt *body;         /* STMT_BLOCK */
    const struct type *args_type;  /* TYPE_RECORD, or NULL when the probe has no args */
};

struct ast_probe {
    struct vec attach_points; /* struct ast_attach_point * */
    struct ast_expr *predicate;
    struct ast_stmt *body;    /* STMT_BLOCK */
    struct srcloc loc;        /* the attach-point list */
    int index;                /* position in the script, from 0 */
    /* Filled by probe expansion: */
    const struct probe_kind *kind; /* all attach points of one block share a kind */
    struct vec variants;           /* struct ast_variant * */
};

/* `config = { key = value; }`: a setting as written; main.c applies it. */
struct ast_config_entry {
    const char *key;        /* as written: "max_strlen" or "BPFTRACE_MAX_STRLEN" */
    const char *text;       /* the value as text (strings decoded, integers in decimal) */
    bool is_number;
    uint64_t number;
    struct srcloc loc;      /* the key */
    struct srcloc value_loc; /* the value as written */
};

/* The C preamble: definitions before the probes, for the type builders. */
struct ast_c_field {
    const char *type_text; /* normalized like cast types: "struct sock *", "unsigned int" */
    const char *name;
    unsigned array_length; /* elements, when is_array */
    int bit_width;         /* -1: not a bitfield */
    bool is_array;         /* `name[N]`, also `name[0]` (a flexible array) */
    struct srcloc loc;
};
struct ast_c_enumerator {
    const char *name;
    int64_t value;
    struct srcloc loc;
};
enum ast_c_kind { C_STRUCT, C_UNION, C_ENUM, C_TYPEDEF, C_DEFINE, C_INCLUDE };
struct ast_c_definition {
    enum ast_c_kind kind;
    const char *name;           /* tag, typedef/define name, or the header as written */
    struct vec fields;          /* struct ast_c_field * */
    struct vec enumerators;     /* struct ast_c_enumerator * */
    const char *typedef_target; /* C_TYPEDEF: the type text */
    const char *define_value;   /* C_DEFINE: text after the name */
    struct srcloc loc;
};

/* `macro name(a, $v, @m) { ...; value }`: expanded away by ast_expand_macros. */
struct ast_macro {
    const char *name;
    struct vec params; /* struct ast_expr *: EXPR_IDENTIFIER, EXPR_VARIABLE or EXPR_MAP */
    struct ast_stmt *body;  /* STMT_BLOCK, without the value */
    struct ast_expr *value; /* the last expression when written without ';', else NULL */
    struct srcloc loc;      /* the name */
    /* "stdlib/x.bt" for the standard library's: its locations are in that
     * file, so expansions point at the call instead. NULL: the script's. */
    const char *stdlib_file;
};

/* `fn name($a: T, ...): R { ... }`: a subprogram of the script
 * (sema_subprograms.c, codegen/subprograms.c). */
struct ast_function {
    const char *name;
    struct vec params;            /* struct ast_stmt *: STMT_LET with a type, no value */
    const char *return_type_text; /* "int64", "string", "void"; NULL when not written (void) */
    struct srcloc return_type_loc;
    struct ast_stmt *body;        /* STMT_BLOCK */
    struct srcloc loc;            /* the name */
    /* Set by the type checker: */
    const struct type *return_type;  /* &type_void for none */
    const struct type **param_types; /* as declared, in order */
    struct vec calls;                /* struct ast_expr *: the calls of other fns in the body */
};

/* `let @name = hash(N);` at top level: the map's BPF type and size. */
struct ast_map_decl {
    const char *name;      /* without the '@' */
    const char *kind;      /* "hash", "lruhash", "percpuhash", "percpulruhash" as written */
    uint64_t max_entries;
    struct srcloc loc;     /* the map */
    struct srcloc kind_loc;
};

struct ast_program {
    struct vec probes; /* struct ast_probe * */
    struct vec config;        /* struct ast_config_entry *, in script order */
    struct vec c_definitions; /* struct ast_c_definition *, in script order */
    struct vec macros;        /* struct ast_macro * */
    struct vec map_decls;     /* struct ast_map_decl *, in script order */
    struct vec functions;     /* struct ast_function *, in script order */
};

/* Constructors used by the parser. */
struct ast_expr *ast_expr_new(struct arena *arena, enum ast_expr_kind kind, struct srcloc loc);
struct ast_stmt *ast_stmt_new(struct arena *arena, enum ast_stmt_kind kind, struct srcloc loc);

/* Deep copies (each variant gets its own body to annotate). */
struct ast_expr *ast_expr_clone(struct arena *arena, const struct ast_expr *expr);
struct ast_stmt *ast_stmt_clone(struct arena *arena, const struct ast_stmt *stmt);

/* Visit every expression under a statement/expression, parents before children.
 * Return false from the visitor to skip an expression's children. */
typedef bool (*ast_expr_visitor)(struct ast_expr *expr, void *context);
void ast_walk_stmt(struct ast_stmt *stmt, ast_expr_visitor visit, void *context);
void ast_walk_expr(struct ast_expr *expr, ast_expr_visitor visit, void *context);

/* `-d ast`: an indented tree, one node per line. */
void ast_print(const struct ast_program *program, FILE *out);

const char *ast_binary_op_text(enum ast_binary_op op);
const char *ast_unary_op_text(enum ast_unary_op op);
const char *ast_assign_op_text(enum ast_assign_op op);

/* Replace every macro call in the probes by the macro's body (macros.c).
 * Refuses an expanded tree deeper than AST_MAX_NESTING (nesting.h) with the
 * same error as the parser. Returns 0, or -EINVAL with diagnostics. */
int ast_expand_macros(struct ast_program *program, struct arena *arena, struct diag *diag);

#endif

%code top {
/* parser.y: the grammar of sonde scripts (bpftrace's language, both the
 * 0.17-era and the current dialect).
 *
 * A pure parser over the reentrant scanner in lexer.l; everything it needs
 * lives in `struct front_state`. It stops at the first error: one clear
 * message beats a cascade, so there are no `error` recovery rules. */
}

%code requires {
#include "front/front_internal.h"
}

%code provides {
int front_scan_token(FRONT_YYSTYPE *value, FRONT_YYLTYPE *location, void *scanner);
}

%code {
#include <inttypes.h>
#include <string.h>

#include "base/strbuf.h"

/* `(name) operand` is a cast to a type the scanner cannot know (a kernel
 * typedef such as pid_t, looked up in BTF only by the type checker), so after
 * `(` the parser reads up to three tokens ahead: `( IDENT ) x` becomes a cast
 * when x can only start an operand, or, after `-`, `*`, `&`, `++` and `--`
 * (which could also be binary operators), when the name ends in `_t`. */
struct queued_token {
    int kind;
    FRONT_YYSTYPE value;
    FRONT_YYLTYPE location;
    const char *match_text;
    size_t match_length;
};
struct token_queue {
    struct queued_token tokens[3];
    int head, count;
};

static bool starts_operand_only(int kind)
{
    switch (kind) {
    case TOK_IDENT: case TOK_VARIABLE: case TOK_MAP: case TOK_INTEGER: case TOK_STRING:
    case TOK_POSITIONAL: case TOK_POSITIONAL_COUNT: case TOK_TRUE: case TOK_FALSE:
    case TOK_SIZEOF: case TOK_OFFSETOF: case '(': case '!': case '~':
        return true;
    default:
        return false;
    }
}

static bool is_cast_of(const struct queued_token *name, int next)
{
    if (starts_operand_only(next))
        return true;
    size_t length = strlen(name->value.text);
    bool typedef_like = length > 2 && strcmp(name->value.text + length - 2, "_t") == 0;
    return typedef_like &&
           (next == '-' || next == '*' || next == '&' || next == TOK_INC || next == TOK_DEC);
}

/* A '{' where an operand must come (after '(', ',', '=', an operator,
 * `return`, `if`...) opens a block expression, `{ ...; value }`; anywhere
 * else (the start of a statement, after a condition or `else`) it opens a
 * block of statements. Telling them apart here keeps the grammar free of
 * conflicts. `config = {` is the one '=' that a block of settings follows. */
static bool operand_expected_after(int previous, int before_previous)
{
    switch (previous) {
    case '(': case ',': case '[': case '+': case '-': case '*': case '/': case '%': case '&':
    case '|': case '^': case '!': case '~': case '<': case '>': case '?': case ':':
    case TOK_EQ: case TOK_NE: case TOK_LE: case TOK_GE: case TOK_SHL: case TOK_SHR:
    case TOK_AND: case TOK_OR: case TOK_RETURN: case TOK_IF: case TOK_WHILE: case TOK_UNROLL:
    case TOK_DOTDOT: case TOK_PRED_START: case TOK_ADD_ASSIGN: case TOK_SUB_ASSIGN:
    case TOK_MUL_ASSIGN: case TOK_DIV_ASSIGN: case TOK_MOD_ASSIGN: case TOK_AND_ASSIGN:
    case TOK_OR_ASSIGN: case TOK_XOR_ASSIGN: case TOK_SHL_ASSIGN: case TOK_SHR_ASSIGN:
        return true;
    case '=':
        return before_previous != TOK_CONFIG;
    default:
        return false;
    }
}

static int front_scan_classified(FRONT_YYSTYPE *value, FRONT_YYLTYPE *location,
                                 struct front_state *state)
{
    int kind = front_scan_token(value, location, state->scanner);
    /* In `fn f(): struct task_struct * {` the '{' after '*' opens the body. */
    if (kind == TOK_FN)
        state->in_fn_signature = true;
    if (kind == '{' && state->in_fn_signature)
        state->in_fn_signature = false;
    else if (kind == '{' &&
             operand_expected_after(state->previous_token, state->before_previous_token))
        kind = TOK_BLOCK_START;
    state->before_previous_token = state->previous_token;
    state->previous_token = kind;
    return kind;
}

static int scan_into(struct front_state *state, struct queued_token *token)
{
    token->kind = front_scan_classified(&token->value, &token->location, state);
    token->match_text = state->match_text;
    token->match_length = state->match_length;
    return token->kind;
}

static void read_ahead_after_paren(struct front_state *state, struct token_queue *queue)
{
    const char *paren_text = state->match_text;
    size_t paren_length = state->match_length;
    struct queued_token *tokens = queue->tokens;
    queue->head = 0;
    queue->count = 1;
    if (scan_into(state, &tokens[0]) == TOK_IDENT) {
        queue->count = 2;
        if (scan_into(state, &tokens[1]) == ')') {
            queue->count = 3;
            if (is_cast_of(&tokens[0], scan_into(state, &tokens[2])))
                tokens[0].kind = TOK_TYPE_NAME;
        }
    }
    state->match_text = paren_text;
    state->match_length = paren_length;
}

static int front_yylex(FRONT_YYSTYPE *value, FRONT_YYLTYPE *location, struct front_state *state)
{
    struct token_queue *queue = state->token_queue;
    if (queue && queue->count > 0) {
        struct queued_token *token = &queue->tokens[queue->head++];
        queue->count--;
        *value = token->value;
        *location = token->location;
        state->match_text = token->match_text;
        state->match_length = token->match_length;
        return token->kind;
    }
    int kind = front_scan_classified(value, location, state);
    if (kind == '(') {
        if (!queue)
            state->token_queue = queue = ARENA_NEW(state->arena, struct token_queue);
        read_ahead_after_paren(state, queue);
    }
    return kind;
}

static void front_yyerror(FRONT_YYLTYPE *location, struct front_state *state, const char *message);

/* Tokens never span lines, so a span only loses its length when a construct
 * does; then it keeps just its start, as struct srcloc cannot say more. */
static struct srcloc span(FRONT_YYLTYPE location)
{
    struct srcloc loc = {location.first_line, location.first_column, 1};
    if (location.last_line == location.first_line &&
        location.last_column > location.first_column)
        loc.length = location.last_column - location.first_column;
    return loc;
}

static struct ast_expr *new_expr(struct front_state *state, enum ast_expr_kind kind,
                                 FRONT_YYLTYPE location)
{
    return ast_expr_new(state->arena, kind, span(location));
}

static struct ast_stmt *new_stmt(struct front_state *state, enum ast_stmt_kind kind,
                                 FRONT_YYLTYPE location)
{
    return ast_stmt_new(state->arena, kind, span(location));
}

/* bpftrace's discard target: `_ = has_key(@m, k);` evaluates and drops. */
static bool is_discard(const struct ast_expr *target)
{
    return target->kind == EXPR_IDENTIFIER && strcmp(target->identifier.name, "_") == 0;
}
}

%define api.pure full
%define api.prefix {front_yy}
%define api.token.prefix {TOK_}
%define parse.error custom
%define parse.lac full
%locations
%param {struct front_state *state}
%expect 0

%union {
    uint64_t integer;
    int positional;
    char *text;
    struct { char *bytes; size_t length; } string;
    int count;
    enum ast_assign_op assign_op;
    struct vec *list;
    struct ast_expr *expr;
    struct ast_stmt *stmt;
    struct ast_attach_point *attach_point;
}

%token <text> ATTACH IDENT VARIABLE MAP TYPE_NAME
%token <integer> INTEGER
%token <positional> POSITIONAL
%token <string> STRING
%token POSITIONAL_COUNT "$#"
%token PRED_START PRED_END LEX_ERROR
%token IF "if" ELSE "else" WHILE "while" UNROLL "unroll"
%token BREAK "break" CONTINUE "continue" RETURN "return"
%token LET "let" FOR "for" DOTDOT ".." CONFIG "config" MACRO "macro" FN "fn"
%token TRUE "true" FALSE "false" STRUCT "struct" UNION "union" ENUM "enum"
%token SIZEOF "sizeof" OFFSETOF "offsetof" BLOCK_START "{"
%token EQ "==" NE "!=" LE "<=" GE ">=" SHL "<<" SHR ">>" AND "&&" OR "||"
%token INC "++" DEC "--" ARROW "->"
%token ADD_ASSIGN "+=" SUB_ASSIGN "-=" MUL_ASSIGN "*=" DIV_ASSIGN "/=" MOD_ASSIGN "%="
%token AND_ASSIGN "&=" OR_ASSIGN "|=" XOR_ASSIGN "^=" SHL_ASSIGN "<<=" SHR_ASSIGN ">>="

%type <list> attach_points statements statement_head expr_list macro_params
%type <attach_point> attach_point
%type <expr> predicate expr unary postfix primary map
%type <stmt> block simple_statement compound_statement if_statement
%type <expr> let_value macro_param
%type <text> let_type
%type <text> field_name cast_type type_base type_words array_suffix
%type <text> field_path param_type
%type <list> fn_params
%type <stmt> fn_param
%type <count> pointer_stars
%type <assign_op> assign_op

/* `@m[` always starts the map's keys, never an index on the map's value. */
%precedence MAP_ALONE
%precedence '['

%right '?' ':'
%left "||"
%left "&&"
%left '|'
%left '^'
%left '&'
%left "==" "!="
%left '<' "<=" '>' ">="
%left "<<" ">>"
%left '+' '-'
%left '*' '/' '%'

%%

program:
    top_item
  | program top_item
  ;

top_item:
    probe
  | config
  | macro
  | map_decl
  | function
  ;


probe:
    attach_points predicate block   { front_add_probe(state, $1, $2, $3, span(@1)); }
  ;

attach_points:
    attach_point                    { $$ = front_list(state, $1); }
  | attach_points ',' attach_point  { vec_push($1, $3); $$ = $1; }
  ;

attach_point:
    ATTACH                          { $$ = front_attach_point(state, $1, span(@1)); }
  ;

predicate:
    %empty                          { $$ = NULL; }
  | PRED_START expr PRED_END        { $$ = $2; }
  ;

block:
    '{' statements '}'              { $$ = front_block(state, $2, span(@$)); }
  ;

/* `;` separates statements and may end the last one; blocks need none. */
statements:
    statement_head                  { state->unterminated = NULL; }
  | statement_head simple_statement {
        vec_push($1, $2);
        $$ = $1;
        state->unterminated = $2; /* a macro's value, when it is the last one */
    }
  ;

statement_head:
    %empty                                      { $$ = front_list(state, NULL); }
  | statement_head simple_statement ';'         { vec_push($1, $2); $$ = $1; }
  | statement_head compound_statement           { vec_push($1, $2); $$ = $1; }
  | statement_head ';'
  ;

simple_statement:
    expr                            { $$ = front_expr_stmt(state, $1, span(@$)); }
  | expr assign_op expr {
        if ($2 == ASSIGN_PLAIN && is_discard($1))
            $$ = front_expr_stmt(state, $3, span(@3)); /* `_ = f();` keeps only the call */
        else if (!($$ = front_assignment(state, $2, $1, $3, span(@$))))
            YYABORT;
    }
  | BREAK                           { $$ = new_stmt(state, STMT_BREAK, @$); }
  | CONTINUE                        { $$ = new_stmt(state, STMT_CONTINUE, @$); }
  | RETURN                          { $$ = front_return(state, NULL, span(@$)); }
  | RETURN expr                     { $$ = front_return(state, $2, span(@$)); }
  | "let" VARIABLE let_type let_value {
        $$ = front_let(state, $2, span(@2), $3, span(@3), $4, span(@$));
    }
  ;

/* The type's place, not the colon's: errors about the type point at it. */
let_type:
    %empty                          { $$ = NULL; }
  | ':' cast_type                   { $$ = $2; @$ = @2; }
  | ':' IDENT                       { $$ = $2; @$ = @2; }
  ;

let_value:
    %empty                          { $$ = NULL; }
  | '=' expr                        { $$ = $2; }
  ;

assign_op:
    '='                             { $$ = ASSIGN_PLAIN; }
  | "+="                            { $$ = ASSIGN_ADD; }
  | "-="                            { $$ = ASSIGN_SUB; }
  | "*="                            { $$ = ASSIGN_MUL; }
  | "/="                            { $$ = ASSIGN_DIV; }
  | "%="                            { $$ = ASSIGN_MOD; }
  | "&="                            { $$ = ASSIGN_BIT_AND; }
  | "|="                            { $$ = ASSIGN_BIT_OR; }
  | "^="                            { $$ = ASSIGN_BIT_XOR; }
  | "<<="                           { $$ = ASSIGN_SHIFT_LEFT; }
  | ">>="                           { $$ = ASSIGN_SHIFT_RIGHT; }
  ;

/* Conditions and for headers need no parentheses (bpftrace 0.24+): `(c)` is
 * just an expression, and `for $i : 0..n {` reads like `for ($i : 0..n) {`. */
compound_statement:
    if_statement
  | block
  | "while" expr block              { $$ = front_loop(state, STMT_WHILE, $2, $3, span(@$)); }
  | "unroll" expr block             { $$ = front_loop(state, STMT_UNROLL, $2, $3, span(@$)); }
  | "for" '(' VARIABLE ':' expr ".." expr ')' block {
        $$ = front_for(state, $3, span(@3), $5, $7, $9, span(@$));
    }
  | "for" '(' VARIABLE ':' expr ')' block {
        $$ = front_for_map(state, $3, span(@3), $5, $7, span(@$));
        if (!$$)
            YYABORT;
    }
  | "for" VARIABLE ':' expr ".." expr block {
        $$ = front_for(state, $2, span(@2), $4, $6, $7, span(@$));
    }
  | "for" VARIABLE ':' expr block {
        $$ = front_for_map(state, $2, span(@2), $4, $5, span(@$));
        if (!$$)
            YYABORT;
    }
  ;

if_statement:
    "if" expr block                         { $$ = front_if(state, $2, $3, NULL, span(@$)); }
  | "if" expr block "else" block            { $$ = front_if(state, $2, $3, $5, span(@$)); }
  | "if" expr block "else" if_statement     { $$ = front_if(state, $2, $3, $5, span(@$)); }
  ;

expr:
    expr '?' expr ':' expr          {
        $$ = new_expr(state, EXPR_TERNARY, @$);
        $$->ternary.condition = $1;
        $$->ternary.then_value = $3;
        $$->ternary.else_value = $5;
    }
  | expr '?' ':' expr               { $$ = front_elvis(state, $1, $4, span(@$)); }
  | expr "||" expr                  { $$ = front_binary(state, OP_LOGICAL_OR, $1, $3, span(@$)); }
  | expr "&&" expr                  { $$ = front_binary(state, OP_LOGICAL_AND, $1, $3, span(@$)); }
  | expr '|' expr                   { $$ = front_binary(state, OP_BIT_OR, $1, $3, span(@$)); }
  | expr '^' expr                   { $$ = front_binary(state, OP_BIT_XOR, $1, $3, span(@$)); }
  | expr '&' expr                   { $$ = front_binary(state, OP_BIT_AND, $1, $3, span(@$)); }
  | expr "==" expr                  { $$ = front_binary(state, OP_EQ, $1, $3, span(@$)); }
  | expr "!=" expr                  { $$ = front_binary(state, OP_NE, $1, $3, span(@$)); }
  | expr '<' expr                   { $$ = front_binary(state, OP_LT, $1, $3, span(@$)); }
  | expr "<=" expr                  { $$ = front_binary(state, OP_LE, $1, $3, span(@$)); }
  | expr '>' expr                   { $$ = front_binary(state, OP_GT, $1, $3, span(@$)); }
  | expr ">=" expr                  { $$ = front_binary(state, OP_GE, $1, $3, span(@$)); }
  | expr "<<" expr                  { $$ = front_binary(state, OP_SHIFT_LEFT, $1, $3, span(@$)); }
  | expr ">>" expr                  { $$ = front_binary(state, OP_SHIFT_RIGHT, $1, $3, span(@$)); }
  | expr '+' expr                   { $$ = front_binary(state, OP_ADD, $1, $3, span(@$)); }
  | expr '-' expr                   { $$ = front_binary(state, OP_SUB, $1, $3, span(@$)); }
  | expr '*' expr                   { $$ = front_binary(state, OP_MUL, $1, $3, span(@$)); }
  | expr '/' expr                   { $$ = front_binary(state, OP_DIV, $1, $3, span(@$)); }
  | expr '%' expr                   { $$ = front_binary(state, OP_MOD, $1, $3, span(@$)); }
  | unary
  ;

unary:
    postfix
  | '-' unary                       { $$ = front_unary(state, OP_NEGATE, $2, span(@$)); }
  | '!' unary                       { $$ = front_unary(state, OP_LOGICAL_NOT, $2, span(@$)); }
  | '~' unary                       { $$ = front_unary(state, OP_BIT_NOT, $2, span(@$)); }
  | '*' unary                       { $$ = front_unary(state, OP_DEREF, $2, span(@$)); }
  | '&' unary                       { $$ = front_unary(state, OP_ADDRESS_OF, $2, span(@$)); }
  | "++" unary                      { $$ = front_unary(state, OP_PRE_INCREMENT, $2, span(@$)); }
  | "--" unary                      { $$ = front_unary(state, OP_PRE_DECREMENT, $2, span(@$)); }
  | '(' cast_type ')' unary         { $$ = front_cast(state, $2, span(@2), $4, span(@$)); }
  ;

postfix:
    primary
  | postfix '.' field_name          { $$ = front_field(state, $1, $3, false, span(@3), span(@$)); }
  | postfix "->" field_name         { $$ = front_field(state, $1, $3, true, span(@3), span(@$)); }
  | postfix '[' expr ']' {
        $$ = new_expr(state, EXPR_INDEX, @$);
        $$->index.base = $1;
        $$->index.index = $3;
    }
  | postfix "++"                    { $$ = front_unary(state, OP_POST_INCREMENT, $1, span(@$)); }
  | postfix "--"                    { $$ = front_unary(state, OP_POST_DECREMENT, $1, span(@$)); }
  ;

/* `$t.0` names a tuple element; type words are fine as field names too. */
field_name:
    IDENT
  | TYPE_NAME
  | INTEGER                         { $$ = arena_printf(state->arena, "%" PRIu64, $1); }
  ;

/* offsetof(struct x, a.b.c) */
field_path:
    field_name
  | field_path '.' field_name       { $$ = arena_printf(state->arena, "%s.%s", $1, $3); }
  ;

primary:
    INTEGER {
        $$ = new_expr(state, EXPR_INTEGER, @$);
        $$->integer.value = $1;
    }
  | STRING {
        $$ = new_expr(state, EXPR_STRING, @$);
        $$->string.bytes = $1.bytes;
        $$->string.length = $1.length;
    }
  | "true" {
        $$ = new_expr(state, EXPR_BOOL, @$);
        $$->boolean.value = true;
    }
  | "false" {
        $$ = new_expr(state, EXPR_BOOL, @$);
        $$->boolean.value = false;
    }
  | IDENT {
        $$ = new_expr(state, EXPR_IDENTIFIER, @$);
        $$->identifier.name = $1;
    }
  | IDENT '(' ')'                   { $$ = front_call(state, $1, span(@1), NULL, span(@$)); }
  | IDENT '(' expr_list ')'         { $$ = front_call(state, $1, span(@1), $3, span(@$)); }
  | VARIABLE {
        $$ = new_expr(state, EXPR_VARIABLE, @$);
        $$->variable.name = $1;
    }
  | POSITIONAL {
        $$ = new_expr(state, EXPR_POSITIONAL, @$);
        $$->positional.index = $1;
    }
  | "$#"                            { $$ = new_expr(state, EXPR_POSITIONAL_COUNT, @$); }
  | "sizeof" '(' cast_type ')' {
        $$ = new_expr(state, EXPR_SIZEOF, @$);
        $$->size_of.type_text = $3;
        $$->size_of.type_loc = span(@3);
    }
  | "sizeof" '(' expr ')' {
        $$ = new_expr(state, EXPR_SIZEOF, @$);
        $$->size_of.operand = $3;
    }
  | "offsetof" '(' type_base ',' field_path ')' {
        $$ = new_expr(state, EXPR_OFFSETOF, @$);
        $$->offset_of.type_text = $3;
        $$->offset_of.type_loc = span(@3);
        $$->offset_of.path = $5;
        $$->offset_of.path_loc = span(@5);
    }
  | map
  /* `{ let $a = 1; $a + 1 }`: a block whose last expression, written without
   * ';', is its value (front_scan_classified says where '{' starts one). */
  | BLOCK_START statements '}' {
        $$ = front_block_value(state, front_block(state, $2, span(@$)), span(@$));
    }
  | '(' expr ')'                    { $$ = $2; }
  | '(' ')'                         { $$ = front_tuple(state, NULL, span(@$)); }
  | '(' expr ',' ')'                { $$ = front_tuple(state, front_list(state, $2), span(@$)); }
  | '(' expr ',' expr_list ',' ')'  { $$ = front_tuple_of(state, $2, $4, span(@$)); }
  | '(' expr ',' expr_list ')' {
        struct vec *elements = front_list(state, $2);
        for (size_t i = 0; i < $4->count; i++)
            vec_push(elements, vec_get($4, i));
        vec_free($4);
        $$ = front_tuple(state, elements, span(@$));
    }
  ;

map:
    MAP %prec MAP_ALONE             { $$ = front_map(state, $1, NULL, span(@$)); }
  | MAP '[' expr_list ']'           { $$ = front_map(state, $1, $3, span(@$)); }
  ;

expr_list:
    expr                            { $$ = front_list(state, $1); }
  | expr_list ',' expr              { vec_push($1, $3); $$ = $1; }
  ;

cast_type:
    type_base pointer_stars array_suffix    { $$ = front_type_text(state, $1, $2, $3); }
  ;

type_base:
    type_words
  | "struct" IDENT                  { $$ = arena_printf(state->arena, "struct %s", $2); }
  | "union" IDENT                   { $$ = arena_printf(state->arena, "union %s", $2); }
  | "enum" IDENT                    { $$ = arena_printf(state->arena, "enum %s", $2); }
  ;

/* `unsigned long long int` is several words. */
type_words:
    TYPE_NAME
  | type_words TYPE_NAME            { $$ = arena_printf(state->arena, "%s %s", $1, $2); }
  ;

pointer_stars:
    %empty                          { $$ = 0; }
  | pointer_stars '*'               { $$ = $1 + 1; }
  ;

array_suffix:
    %empty                          { $$ = NULL; }
  | '[' INTEGER ']'                 { $$ = arena_printf(state->arena, "[%" PRIu64 "]", $2); }
  ;

/* config = { max_strlen = 128; BPFTRACE_MAX_MAP_KEYS = 100 } */
config:
    "config" '=' '{' config_entries '}'
  ;

config_entries:
    %empty
  | config_entries config_entry
  | config_entries ';'
  ;

config_entry:
    IDENT '=' INTEGER      { front_config_number(state, $1, $3, span(@1), span(@3)); }
  | IDENT '=' STRING       { front_config_text(state, $1, $3.bytes, span(@1), span(@3)); }
  | IDENT '=' IDENT        { front_config_text(state, $1, $3, span(@1), span(@3)); }
  | IDENT '=' "true"       { front_config_number(state, $1, 1, span(@1), span(@3)); }
  | IDENT '=' "false"      { front_config_number(state, $1, 0, span(@1), span(@3)); }
  ;

/* macro name(expr_param, $var, @map) { statements; value } */
macro:
    "macro" IDENT '(' ')' block     { front_add_macro(state, $2, NULL, $5, span(@2)); }
  | "macro" IDENT '(' macro_params ')' block {
        front_add_macro(state, $2, $4, $6, span(@2));
    }
  ;

macro_params:
    macro_param                     { $$ = front_list(state, $1); }
  | macro_params ',' macro_param    { vec_push($1, $3); $$ = $1; }
  ;

macro_param:
    IDENT {
        $$ = new_expr(state, EXPR_IDENTIFIER, @$);
        $$->identifier.name = $1;
    }
  | VARIABLE {
        $$ = new_expr(state, EXPR_VARIABLE, @$);
        $$->variable.name = $1;
    }
  | MAP                             { $$ = front_map(state, $1, NULL, span(@$)); }
  ;

/* fn name($a: int64, $s: string): int64 { ...; return $a; } */
function:
    "fn" IDENT '(' ')' ':' param_type block {
        front_add_function(state, $2, span(@2), NULL, $6, span(@6), $7);
    }
  | "fn" IDENT '(' fn_params ')' ':' param_type block {
        front_add_function(state, $2, span(@2), $4, $7, span(@7), $8);
    }
  | "fn" IDENT '(' ')' block {
        front_add_function(state, $2, span(@2), NULL, NULL, span(@2), $5);
    }
  | "fn" IDENT '(' fn_params ')' block {
        front_add_function(state, $2, span(@2), $4, NULL, span(@2), $6);
    }
  ;

fn_params:
    fn_param                        { $$ = front_list(state, $1); }
  | fn_params ',' fn_param          { vec_push($1, $3); $$ = $1; }
  ;

fn_param:
    VARIABLE ':' param_type {
        $$ = front_let(state, $1, span(@1), $3, span(@3), NULL, span(@$));
    }
  ;

param_type:
    cast_type
  | IDENT
  ;

/* Last in the grammar: character tokens are numbered by first use, and the
 * order of "expecting ..." lists follows those numbers. */
/* let @name = lruhash(100); */
map_decl:
    "let" MAP '=' IDENT '(' INTEGER ')' ';' {
        struct ast_map_decl *decl = ARENA_NEW(state->arena, struct ast_map_decl);
        decl->name = $2;
        decl->kind = $4;
        decl->max_entries = $6;
        decl->loc = span(@2);
        decl->kind_loc = span(@4);
        vec_push(&state->program->map_decls, decl);
    }
  ;

%%

/* ---- syntax errors ------------------------------------------------------ */

static void front_yyerror(FRONT_YYLTYPE *location, struct front_state *state, const char *message)
{
    /* Bison says "memory exhausted" when its stack reaches YYMAXDEPTH:
     * brackets, prefix operators or blocks nested thousands deep. */
    if (strcmp(message, "memory exhausted") == 0) {
        struct diag_entry *entry =
            diag_error(state->diag, span(*location), "the program nests too deeply here to parse");
        diag_hint(entry, "split the expression: keep parts in $variables");
        return;
    }
    diag_error(state->diag, span(*location), "%s", message);
}

/* How a token reads in a message: `'}'`, `'=='`, `identifier`. */
static const char *token_name(yysymbol_kind_t kind)
{
    switch (kind) {
    case YYSYMBOL_YYEOF:
        return "end of file";
    case YYSYMBOL_ATTACH:
        return "attach point";
    case YYSYMBOL_IDENT:
        return "identifier";
    case YYSYMBOL_VARIABLE:
        return "variable";
    case YYSYMBOL_MAP:
        return "map";
    case YYSYMBOL_TYPE_NAME:
        return "type name";
    case YYSYMBOL_INTEGER:
        return "integer";
    case YYSYMBOL_POSITIONAL:
        return "positional parameter";
    case YYSYMBOL_STRING:
        return "string";
    case YYSYMBOL_PRED_START:
    case YYSYMBOL_PRED_END:
        return "'/'";
    default:
        break;
    }
    /* Character tokens come quoted ('}'); aliases ("==", "if") do not. */
    static char quoted[16];
    const char *name = yysymbol_name(kind);
    if (name[0] == '\'' || strlen(name) > sizeof(quoted) - 3)
        return name;
    snprintf(quoted, sizeof(quoted), "'%s'", name);
    return quoted;
}

/* In "expecting ..." lists classes of tokens read as "an identifier". */
static void append_expected_name(struct strbuf *message, yysymbol_kind_t kind)
{
    const char *name = token_name(kind);
    if (name[0] != '\'' && kind != YYSYMBOL_YYEOF)
        strbuf_puts(message, strchr("aeiou", name[0]) ? "an " : "a ");
    strbuf_puts(message, name);
}

static bool is_one_of(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

/* Operators that may follow any operand: listing them after every operand would
 * bury the alternatives that matter (`expecting ',' or ')'`). */
static bool continues_expression(yysymbol_kind_t kind, const char *name)
{
    static const char *const operators[] = {
        "'+'", "'-'", "'*'", "'/'", "'%'", "'&'", "'|'", "'^'", "'<'", "'>'", "'?'",
        "'.'", "'['", "'('", "'='", "'=='", "'!='", "'<='", "'>='", "'<<'", "'>>'",
        "'&&'", "'||'", "'++'", "'--'", "'->'", "'+='", "'-='", "'*='", "'/='", "'%='",
        "'&='", "'|='", "'^='", "'<<='", "'>>='", NULL,
    };
    return kind != YYSYMBOL_PRED_START && kind != YYSYMBOL_PRED_END && is_one_of(name, operators);
}

static bool starts_expression(yysymbol_kind_t kind, const char *name)
{
    /* '{' starts a block value where a value is assigned. */
    static const char *const prefixes[] = {"'!'",    "'~'",      "'true'",     "'false'", "'$#'",
                                           "'sizeof'", "'offsetof'", "'{'",    NULL};
    switch (kind) {
    case YYSYMBOL_IDENT:
    case YYSYMBOL_VARIABLE:
    case YYSYMBOL_MAP:
    case YYSYMBOL_INTEGER:
    case YYSYMBOL_POSITIONAL:
    case YYSYMBOL_STRING:
        return true;
    default:
        return is_one_of(name, prefixes);
    }
}

static bool starts_statement(const char *name)
{
    static const char *const starters[] = {
        "'if'", "'while'", "'unroll'", "'break'", "'continue'", "'return'", "'{'", "';'",
        "'let'", "'for'", NULL,
    };
    return is_one_of(name, starters);
}

/* Summarize what the grammar would have accepted as a few readable words. */
static void describe_expected(const yypcontext_t *context, struct strbuf *message)
{
    yysymbol_kind_t expected[YYNTOKENS];
    int count = yypcontext_expected_tokens(context, expected, YYNTOKENS);
    bool wants_statement = false, wants_expression = false;
    for (int i = 0; i < count; i++) {
        wants_statement |= expected[i] == YYSYMBOL_IF;
        wants_expression |= expected[i] == YYSYMBOL_INTEGER;
    }
    /* `else` is followed by `if` or a block, which is not "any statement". */
    wants_statement &= wants_expression;
    yysymbol_kind_t listed[YYNTOKENS];
    int listed_count = 0;
    for (int i = 0; i < count; i++) {
        const char *name = token_name(expected[i]);
        /* Where a probe may start, "an attach point" says enough. */
        if (expected[i] == YYSYMBOL_CONFIG || expected[i] == YYSYMBOL_MACRO ||
            expected[i] == YYSYMBOL_FN)
            continue;
        if (expected[i] == YYSYMBOL_LET && !wants_statement)
            continue; /* a map declaration, where a probe may start */
        if (continues_expression(expected[i], name) ||
            ((wants_expression || wants_statement) && starts_expression(expected[i], name)) ||
            (wants_statement && starts_statement(name)))
            continue;
        listed[listed_count++] = expected[i];
    }
    int total = listed_count + (wants_statement || wants_expression);
    if (total == 0 || total > 5)
        return;
    strbuf_puts(message, ", expecting ");
    if (wants_statement || wants_expression)
        strbuf_puts(message, wants_statement ? "a statement" : "an expression");
    for (int i = 0; i < listed_count; i++) {
        int position = i + (total - listed_count);
        if (position > 0)
            strbuf_puts(message, position == total - 1 ? " or " : ", ");
        append_expected_name(message, listed[i]);
    }
}

static void describe_lookahead(yysymbol_kind_t kind, const struct front_state *state,
                               struct strbuf *message)
{
    strbuf_puts(message, token_name(kind));
    bool quote_text = kind == YYSYMBOL_ATTACH || kind == YYSYMBOL_IDENT ||
                      kind == YYSYMBOL_VARIABLE || kind == YYSYMBOL_MAP ||
                      kind == YYSYMBOL_TYPE_NAME || kind == YYSYMBOL_INTEGER ||
                      kind == YYSYMBOL_POSITIONAL;
    if (quote_text && state->match_text) {
        int length = state->match_length > 40 ? 40 : (int)state->match_length;
        strbuf_printf(message, " '%.*s'", length, state->match_text);
    }
}

static int yyreport_syntax_error(const yypcontext_t *context, struct front_state *state)
{
    yysymbol_kind_t lookahead = yypcontext_token(context);
    if (lookahead == YYSYMBOL_LEX_ERROR)
        return 0; /* the scanner has already said what is wrong with it */
    struct strbuf message = {0};
    strbuf_puts(&message, "unexpected ");
    describe_lookahead(lookahead, state, &message);
    describe_expected(context, &message);
    struct diag_entry *entry = diag_error(state->diag, span(*yypcontext_location(context)), "%s",
                                          strbuf_text(&message));
    if (lookahead == YYSYMBOL_YYEOF && state->brace_depth > 0)
        diag_hint(entry, "the probe body opened at line %d, column %d is never closed",
                  state->body_open.line, state->body_open.column);
    strbuf_free(&message);
    return 0;
}

/* Argument checks of buf(), ntop(), pton() and macaddr(): byte buffers and
 * network addresses, which travel as bytes and are rendered in user space. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "ast/sema_functions.h"

static struct ast_expr *argument(struct ast_expr *call, size_t index)
{
    return vec_get(&call->call.args, index);
}

static bool is_byte_array(const struct type *type)
{
    return type->kind == TYPE_ARRAY && type->element->kind == TYPE_INT && type->element->size == 1;
}

static bool is_address(const struct type *type)
{
    return type->kind == TYPE_POINTER || type_is_integer(type);
}

static struct type *sized_type(struct checker *checker, enum type_kind kind, unsigned size)
{
    struct type *type = ARENA_NEW(checker->arena, struct type);
    type->kind = kind;
    type->size = size;
    type->align = 8;
    return type;
}

/* The bytes buf() can hold: the literal length, or the array's size, or at
 * most max_strlen (bpftrace's limit) when the length is only known at run time. */
static bool buffer_capacity(struct checker *checker, struct ast_expr *call, const struct type *data,
                            unsigned *capacity)
{
    unsigned limit = checker->options->max_strlen;
    if (data->kind == TYPE_ARRAY || data->kind == TYPE_STRING)
        limit = data->size < limit ? data->size : limit;
    if (call->call.args.count < 2) {
        if (data->kind != TYPE_ARRAY && data->kind != TYPE_STRING) {
            struct diag_entry *entry = diag_error(
                checker->diag, call->loc, "buf() of a pointer needs a length: buf(data, length)");
            diag_hint(entry, "only arrays know their own size");
            return false;
        }
        *capacity = limit;
        return true;
    }
    struct ast_expr *length = argument(call, 1);
    const struct type *type = sema_check_expr(checker, length);
    if (!type)
        return false;
    if (!type_is_integer(type)) {
        diag_error(checker->diag, length->loc, "buf()'s length must be an integer, got %s",
                   type_name(checker->arena, type));
        return false;
    }
    *capacity = limit;
    if (length->kind != EXPR_INTEGER)
        return true;
    if (length->integer.value > checker->options->max_strlen) {
        struct diag_entry *entry =
            diag_error(checker->diag, length->loc, "buf() length %llu exceeds the maximum of %u",
                       (unsigned long long)length->integer.value, checker->options->max_strlen);
        diag_hint(entry, "raise BPFTRACE_MAX_STRLEN to read more");
        return false;
    }
    if (length->integer.value < *capacity)
        *capacity = (unsigned)length->integer.value;
    return true;
}

/* buf(data[, length]): data is an address (pointer or integer), an array or
 * a string. */
const struct type *sema_check_buf(struct checker *checker, struct ast_expr *call)
{
    const struct type *data = sema_check_expr(checker, argument(call, 0));
    if (!data)
        return NULL;
    if (!is_address(data) && data->kind != TYPE_ARRAY && data->kind != TYPE_STRING) {
        diag_error(checker->diag, argument(call, 0)->loc,
                   "buf() reads bytes from an address or an array, got %s",
                   type_name(checker->arena, data));
        return NULL;
    }
    unsigned capacity;
    if (!buffer_capacity(checker, call, data, &capacity))
        return NULL;
    struct type *type = sized_type(checker, TYPE_BUFFER, 8 + (capacity + 7) / 8 * 8);
    type->length = capacity;
    return type;
}

/* ntop([family,] address): an integer or char[4] is IPv4, a char[16] IPv6. */
const struct type *sema_check_ntop(struct checker *checker, struct ast_expr *call)
{
    size_t last = call->call.args.count - 1;
    if (last == 1) {
        const struct type *family = sema_check_expr(checker, argument(call, 0));
        if (!family)
            return NULL;
        if (!type_is_integer(family)) {
            diag_error(checker->diag, argument(call, 0)->loc,
                       "ntop()'s address family must be an integer (AF_INET or AF_INET6), got %s",
                       type_name(checker->arena, family));
            return NULL;
        }
    }
    struct ast_expr *address = argument(call, last);
    const struct type *type = sema_check_expr(checker, address);
    if (!type)
        return NULL;
    bool fits =
        type_is_integer(type) || (is_byte_array(type) && (type->length == 4 || type->length == 16));
    if (!fits) {
        diag_error(checker->diag, address->loc,
                   "ntop() takes an integer, char[4] or char[16] address, got %s",
                   type_name(checker->arena, type));
        return NULL;
    }
    return sized_type(checker, TYPE_INET, 24);
}

/* The bytes of an IPv4 ("1.2.3.4") or IPv6 ("::1") address; 0 when invalid. */
unsigned sema_parse_address(const char *text, unsigned char bytes[16])
{
    if (strchr(text, ':'))
        return inet_pton(AF_INET6, text, bytes) == 1 ? 16 : 0;
    return inet_pton(AF_INET, text, bytes) == 1 ? 4 : 0;
}

/* pton("1.2.3.4") is uint8[4], pton("::1") uint8[16], made at compile time. */
const struct type *sema_check_pton(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *text = argument(call, 0);
    if (text->kind != EXPR_STRING) {
        diag_error(checker->diag, text->loc, "pton()'s address must be a string literal");
        return NULL;
    }
    unsigned char bytes[16];
    unsigned length = sema_parse_address(text->string.bytes, bytes);
    if (!length) {
        struct diag_entry *entry =
            diag_error(checker->diag, text->loc, "pton(): '%s' is not an IPv4 or IPv6 address",
                       text->string.bytes);
        diag_hint(entry, "write IPv4 as 1.2.3.4 and IPv6 as fe80::1");
        return NULL;
    }
    return type_array(checker->arena, type_int(1, false), length);
}

/* macaddr(address) reads 6 bytes; macaddr(array) takes a 6-byte array. */
const struct type *sema_check_macaddr(struct checker *checker, struct ast_expr *call)
{
    struct ast_expr *source = argument(call, 0);
    const struct type *type = sema_check_expr(checker, source);
    if (!type)
        return NULL;
    if (type->kind == TYPE_ARRAY && type->size != 6) {
        diag_error(checker->diag, source->loc, "macaddr()'s argument must be 6 bytes, got %s",
                   type_name(checker->arena, type));
        return NULL;
    }
    if (type->kind != TYPE_ARRAY && !is_address(type)) {
        diag_error(checker->diag, source->loc,
                   "macaddr() takes an address or a 6-byte array, got %s",
                   type_name(checker->arena, type));
        return NULL;
    }
    return sized_type(checker, TYPE_MACADDR, 8);
}

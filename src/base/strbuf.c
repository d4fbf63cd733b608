#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct strbuf *buf, size_t extra)
{
    if (buf->length + extra + 1 <= buf->capacity)
        return;
    size_t capacity = buf->capacity ? buf->capacity : 64;
    while (capacity < buf->length + extra + 1)
        capacity *= 2;
    char *data = realloc(buf->data, capacity);
    if (!data) {
        fputs("sonde: out of memory\n", stderr);
        abort();
    }
    buf->data = data;
    buf->capacity = capacity;
}

void strbuf_append(struct strbuf *buf, const char *text, size_t length)
{
    reserve(buf, length);
    memcpy(buf->data + buf->length, text, length);
    buf->length += length;
    buf->data[buf->length] = '\0';
}

void strbuf_puts(struct strbuf *buf, const char *text)
{
    strbuf_append(buf, text, strlen(text));
}

void strbuf_putc(struct strbuf *buf, char c)
{
    strbuf_append(buf, &c, 1);
}

void strbuf_printf(struct strbuf *buf, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (length <= 0)
        return;
    reserve(buf, (size_t)length);
    va_start(args, format);
    vsnprintf(buf->data + buf->length, (size_t)length + 1, format, args);
    va_end(args);
    buf->length += (size_t)length;
}

void strbuf_reset(struct strbuf *buf)
{
    buf->length = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

void strbuf_free(struct strbuf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->length = buf->capacity = 0;
}

const char *strbuf_text(const struct strbuf *buf)
{
    return buf->data ? buf->data : "";
}

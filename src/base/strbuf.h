/* strbuf: an append-only, always NUL-terminated text buffer. */
#ifndef SONDE_BASE_STRBUF_H
#define SONDE_BASE_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *data;
    size_t length;
    size_t capacity;
};

void strbuf_append(struct strbuf *buf, const char *text, size_t length);
void strbuf_puts(struct strbuf *buf, const char *text);
void strbuf_putc(struct strbuf *buf, char c);
void strbuf_printf(struct strbuf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *buf);
void strbuf_free(struct strbuf *buf);
/* Never NULL, even for an empty buffer. */
const char *strbuf_text(const struct strbuf *buf);

#endif

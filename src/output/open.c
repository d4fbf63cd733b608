/* open: the output the command line asks for: -f text|json, -o FILE,
 * -B line|full|none, -q. */
#include "output/output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum { OUTPUT_BATCH_BUFFER_BYTES = 1 << 16 };

/* Line buffering by default, so output reaches a pipe or a file (-o) as
 * each line is complete, even while tracing goes on. */
static int buffering_mode(const char *buffering)
{
    if (!buffering || strcmp(buffering, "line") == 0)
        return _IOLBF;
    if (strcmp(buffering, "full") == 0)
        return _IOFBF;
    if (strcmp(buffering, "none") == 0)
        return _IONBF;
    return -1;
}

struct output *output_open(const struct output_config *config, struct output_names names,
                           const char **error)
{
    bool json = config->format && strcmp(config->format, "json") == 0;
    if (config->format && !json && strcmp(config->format, "text") != 0) {
        *error = "unknown output format: use -f text or -f json";
        return NULL;
    }
    int mode = buffering_mode(config->buffering);
    if (mode < 0) {
        *error = "unknown buffering mode: use -B line, -B full or -B none";
        return NULL;
    }
    FILE *out = stdout;
    if (config->path) {
        out = fopen(config->path, "w");
        if (!out) {
            *error = strerror(errno);
            return NULL;
        }
    }
    /* Line mode to a file or a pipe: one write() per line would cost more
     * than the event itself (about a microsecond each); the runtime writes
     * the lines of each batch of events together instead, as soon as the
     * batch is read. A terminal keeps true line buffering. */
    bool batch_lines = mode == _IOLBF && !isatty(fileno(out));
    if (batch_lines)
        setvbuf(out, NULL, _IOFBF, OUTPUT_BATCH_BUFFER_BYTES);
    else
        setvbuf(out, NULL, mode, 0);
    struct output *output =
        json ? output_json_new(out, stderr, names) : output_text_new(out, stderr, names);
    if (!output) {
        if (out != stdout)
            fclose(out);
        *error = strerror(ENOMEM);
        return NULL;
    }
    output->quiet = config->quiet;
    output->batch_lines = batch_lines;
    output->owns_out = out != stdout;
    return output;
}

void output_close(struct output *output)
{
    if (!output)
        return;
    FILE *owned = output->owns_out ? output->out : NULL;
    output->ops->flush(output);
    output->ops->destroy(output);
    if (owned)
        fclose(owned);
}

/* Text output, and any output without its own form, shows an action's
 * output as it shows printf's. */
void output_action(struct output *output, enum output_action action, const char *text,
                   size_t length)
{
    output->ops->action(output, action, text, length);
}

void output_script_message(struct output *output, const struct output_script_message *message)
{
    output->ops->script_message(output, message);
}

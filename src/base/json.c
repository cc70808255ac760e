#include "base/json.h"

#include "base/escape.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

/* Before a value: the comma and newline the container needs. */
static void separate(struct json *j)
{
	int i;

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->has_items[j->depth - 1])
		fputc(',', j->out);
	j->has_items[j->depth - 1] = true;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

void json_open(struct json *j, char bracket)
{
	separate(j);
	fputc(bracket, j->out);
	assert(j->depth < JSON_MAX_DEPTH);
	j->has_items[j->depth++] = false;
}

void json_close(struct json *j, char bracket)
{
	int i;

	if (j->depth > 0 && j->has_items[--j->depth]) {
		fputc('\n', j->out);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(bracket, j->out);
}

static void put_string(FILE *out, const char *text, size_t len)
{
	fputc('"', out);
	escape_put(out, ESCAPE_JSON, text, len);
	fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
	separate(j);
	put_string(j->out, key, strlen(key));
	fputs(": ", j->out);
	j->after_key = true;
}

void json_string_n(struct json *j, const char *text, size_t len)
{
	separate(j);
	put_string(j->out, text, len);
}

void json_string(struct json *j, const char *text)
{
	separate(j);
	if (text)
		put_string(j->out, text, strlen(text));
	else
		fputs("null", j->out);
}

void json_null(struct json *j)
{
	separate(j);
	fputs("null", j->out);
}

void json_bool(struct json *j, bool value)
{
	separate(j);
	fputs(value ? "true" : "false", j->out);
}

void json_int(struct json *j, int64_t value)
{
	separate(j);
	fprintf(j->out, "%" PRId64, value);
}

void json_position(struct json *j, int value)
{
	if (value < 0)
		json_null(j);
	else
		json_int(j, value);
}

void json_int_pair(struct json *j, bool present, const char *key1, int64_t value1,
		   const char *key2, int64_t value2)
{
	if (!present) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, key1);
	json_int(j, value1);
	json_key(j, key2);
	json_int(j, value2);
	json_close(j, '}');
}

void json_double(struct json *j, double value)
{
	separate(j);
	fprintf(j->out, "%g", value);
}

void json_hex(struct json *j, uint64_t value)
{
	separate(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", value);
}

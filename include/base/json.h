/* A JSON writer that pretty-prints as it goes: one member or element per
 * line, indented by two spaces a level.  It only tracks where commas and
 * newlines go; strings are escaped by escape.h's JSON policy. */
#ifndef PYCORE_BASE_JSON_H
#define PYCORE_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deeper than the report goes: root, threads, thread, python, frames,
 * frame, locals, variables, variable. */
#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH]; /* the open container has a member already */
	bool after_key;			/* a key was written: its value comes next */
};

/* Open an object ('{') or an array ('['), as a value; close it. */
void json_open(struct json *j, char bracket);
void json_close(struct json *j, char bracket);
/* A member's key: its value is what is written next. */
void json_key(struct json *j, const char *key);
/* TEXT, or null when it is NULL. */
void json_string(struct json *j, const char *text);
void json_string_n(struct json *j, const char *text, size_t len);
void json_null(struct json *j);
void json_bool(struct json *j, bool value);
void json_int(struct json *j, int64_t value);
/* A line or column: -1 means unknown, which is null. */
void json_position(struct json *j, int value);
/* {"KEY1": VALUE1, "KEY2": VALUE2} when PRESENT, else null. */
void json_int_pair(struct json *j, bool present, const char *key1, int64_t value1,
		   const char *key2, int64_t value2);
/* A number of seconds, which may have a fraction. */
void json_double(struct json *j, double value);
/* A 64-bit address as a "0x..." string: JSON numbers past 2^53 lose digits
 * in many readers. */
void json_hex(struct json *j, uint64_t value);

#endif

#include "python/repr.h"

#include "base/error.h"
#include "base/vec.h"
#include "elf/memory.h"
#include "python/container.h"
#include "python/repr_text.h"
#include "python/scan.h"
#include "base/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_CACHE_SLOTS 64	/* a power of two */
/* Ints of more digits than this print as a marker: their repr would be
 * cut at PYREPR_MAX_CHARS anyway, and converting them costs quadratic time. */
#define LONG_MAX_DIGITS 200

enum kind {
	KIND_OTHER,		/* <TYPE object at 0x...> */
	KIND_NONE,
	KIND_ELLIPSIS,
	KIND_NOT_IMPLEMENTED,
	KIND_BOOL,
	KIND_INT,		/* 2.7's PyIntObject */
	KIND_LONG,		/* PyLongObject: 3.x int, 2.7 long */
	KIND_FLOAT,
	KIND_TEXT,		/* 3.x str, 2.7 unicode */
	KIND_BYTES,		/* 3.x bytes, 2.7 str */
	KIND_LIST,
	KIND_TUPLE,
	KIND_DICT,
	KIND_SET,
	KIND_FROZENSET,
	KIND_CELL,
	KIND_SET_DUMMY,		/* 3.x: what deleted set entries point at */
};

/* The built-in types, known by tp_name, by a tp_flags bit where one marks
 * them (which tells 2.7's str, bytes, from 3.x's, text), and by not being
 * heap types: a class a program defines is a heap type, whatever its
 * name.  The first match wins. */
static const struct {
	const char *name;
	unsigned long flag;	/* 0: none needed */
	enum kind kind;
} builtin_types[] = {
	{"NoneType", 0, KIND_NONE},
	{"ellipsis", 0, KIND_ELLIPSIS},
	{"NotImplementedType", 0, KIND_NOT_IMPLEMENTED},
	{"bool", 0, KIND_BOOL},
	{"int", PY_TPFLAGS_LONG_SUBCLASS, KIND_LONG},
	{"int", PY_TPFLAGS_INT_SUBCLASS, KIND_INT},
	{"long", PY_TPFLAGS_LONG_SUBCLASS, KIND_LONG},
	{"float", 0, KIND_FLOAT},
	{"str", PY_TPFLAGS_UNICODE_SUBCLASS, KIND_TEXT},
	{"str", PY_TPFLAGS_BYTES_SUBCLASS, KIND_BYTES},
	{"unicode", PY_TPFLAGS_UNICODE_SUBCLASS, KIND_TEXT},
	{"bytes", PY_TPFLAGS_BYTES_SUBCLASS, KIND_BYTES},
	{"list", PY_TPFLAGS_LIST_SUBCLASS, KIND_LIST},
	{"tuple", PY_TPFLAGS_TUPLE_SUBCLASS, KIND_TUPLE},
	{"dict", PY_TPFLAGS_DICT_SUBCLASS, KIND_DICT},
	{"set", 0, KIND_SET},
	{"frozenset", 0, KIND_FROZENSET},
	{"cell", 0, KIND_CELL},
	{"<dummy key> type", 0, KIND_SET_DUMMY},
};

struct type_info {
	uint64_t address;	/* 0: free slot */
	enum kind kind;
	bool long_value;	/* a bool that is a PyLongObject (3.x), not a PyIntObject */
	char name[PYSCAN_TYPE_NAME_MAX * 4 + 1]; /* tp_name, control bytes escaped */
};

struct pyrepr {
	struct py_reader reader;
	struct type_info types[TYPE_CACHE_SLOTS];
};

/* The text being built, and how much of the budget is left. */
struct run {
	struct pyrepr *repr;
	char *text;
	size_t len, capacity;
	size_t chars;		/* UTF-8 characters in TEXT */
	size_t cut_at;		/* byte length after PYREPR_MAX_CHARS characters */
	bool nomem;
	size_t objects;		/* read so far */
	uint64_t stack[PYREPR_MAX_DEPTH];	/* containers being printed, outermost first */
	size_t depth;
};

struct pc_error *pyrepr_create(const struct py_reader *reader, struct pyrepr **ret)
{
	struct pyrepr *repr = calloc(1, sizeof(*repr));

	if (!repr)
		return &pc_error_nomem;
	repr->reader = *reader;
	*ret = repr;
	return NULL;
}

void pyrepr_destroy(struct pyrepr *repr)
{
	free(repr);
}

/* ------------------------------------------------------------ output */

/* Whether the repr has more than PYREPR_MAX_CHARS characters already:
 * nothing more is worth reading. */
static bool full(const struct run *run)
{
	return run->nomem || run->chars > PYREPR_MAX_CHARS;
}

static void put(struct run *run, const char *text, size_t len)
{
	char *grown;
	size_t i;

	if (full(run))
		return;
	grown = vec_grow(run->text, &run->capacity, run->len + len + 1, 1);
	if (!grown) {
		run->nomem = true;
		return;
	}
	run->text = grown;
	for (i = 0; i < len; i++) {
		if (((unsigned char)text[i] & 0xc0) != 0x80 && ++run->chars == PYREPR_MAX_CHARS + 1)
			run->cut_at = run->len + i;
	}
	memcpy(run->text + run->len, text, len);
	run->len += len;
	run->text[run->len] = '\0';
}

static void puts_(struct run *run, const char *text)
{
	put(run, text, strlen(text));
}

static void putf(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct run *run, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(run, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* "<unreadable: why>" in place of a value; consumes ERR. */
static void put_error(struct run *run, struct pc_error *err)
{
	if (err == &pc_error_nomem) {
		run->nomem = true;
		return;
	}
	puts_(run, "<unreadable: ");
	/* Messages hold addresses and file names: escape what is not text. */
	for (const char *p = err->message; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			putf(run, "\\x%02x", (unsigned char)*p);
		else
			put(run, p, 1);
	}
	puts_(run, ">");
	pc_error_destroy(err);
}

/* ------------------------------------------------------------- types */

/* tp_name as text: well-formed UTF-8 is kept, control characters and
 * stray bytes are escaped. */
static void escape_name(const char *raw, char *out)
{
	size_t len = strlen(raw), i = 0, used = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(raw + i, len - i, &cp);

		if (cp < 0x20 || cp == 0x7f || (cp == UTF8_REPLACEMENT && n == 1)) {
			used += (size_t)sprintf(out + used, "\\x%02x", (unsigned char)raw[i]);
		} else {
			memcpy(out + used, raw + i, n);
			used += n;
		}
		i += n;
	}
	out[used] = '\0';
}

static struct pc_error *classify(struct pyrepr *repr, uint64_t type, struct type_info *info)
{
	const struct py_reader *reader = &repr->reader;
	char raw[PYSCAN_TYPE_NAME_MAX];
	struct pc_error *err;
	uint64_t flags;
	size_t i;

	err = pyobject_type_flags(reader, type, &flags);
	if (!err)
		err = pyscan_type_name(reader, type, raw, sizeof(raw));
	if (err)
		return err;
	*info = (struct type_info){.address = type, .kind = KIND_OTHER,
				   .long_value = (flags & PY_TPFLAGS_LONG_SUBCLASS) != 0};
	escape_name(raw, info->name);
	if (flags & PY_TPFLAGS_HEAPTYPE)
		return NULL;
	for (i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++)
		if (strcmp(raw, builtin_types[i].name) == 0 &&
		    (!builtin_types[i].flag || (flags & builtin_types[i].flag))) {
			info->kind = builtin_types[i].kind;
			break;
		}
	return NULL;
}

/* The type of the object at ADDRESS, from the cache when it was met before. */
static struct pc_error *type_of(struct pyrepr *repr, uint64_t address,
				const struct type_info **ret)
{
	struct type_info *slot;
	struct pc_error *err;
	uint64_t type;

	err = pyobject_type(&repr->reader, address, &type);
	if (err)
		return err;
	if (!type)
		return pc_error_create(PC_ERR_CORRUPT, "object at %#llx has no type",
				       (unsigned long long)address);
	slot = &repr->types[((type >> 4) ^ (type >> 12)) & (TYPE_CACHE_SLOTS - 1)];
	if (slot->address != type) {
		struct type_info info;

		err = classify(repr, type, &info);
		if (err)
			return pc_error_prefix(err, "object at %#llx", (unsigned long long)address);
		*slot = info;
	}
	*ret = slot;
	return NULL;
}

/* ---------------------------------------------------------- numbers */

static struct pc_error *read_int(struct run *run, uint64_t address, int64_t *ret)
{
	struct pc_error *err = py_read_i64(&run->repr->reader, address,
					   LAYOUT_FIELD(pyint, ob_ival), ret);

	if (err)
		return pc_error_prefix(err, "int at %#llx", (unsigned long long)address);
	return NULL;
}

/* Whether the PyLongObject at ADDRESS is zero. */
static struct pc_error *long_is_zero(struct run *run, uint64_t address, bool *ret)
{
	struct py_long number;
	struct pc_error *err = pyobject_long(&run->repr->reader, address, &number);

	*ret = !err && number.sign == 0;
	return err;
}

/* The decimal digits of a PyLongObject, as CPython's long_to_decimal_string
 * makes them: base 10^9 chunks built from the most significant digit down. */
static void put_long(struct run *run, uint64_t address, bool suffix_l)
{
	uint32_t chunks[LONG_MAX_DIGITS * 2 + 2];
	uint32_t digits[LONG_MAX_DIGITS];
	size_t nchunks = 0, i, j;
	struct py_long number;
	struct pc_error *err;
	unsigned shift;

	err = pyobject_long(&run->repr->reader, address, &number);
	if (err) {
		put_error(run, err);
		return;
	}
	shift = number.shift;
	if (number.ndigits > LONG_MAX_DIGITS) {
		putf(run, "<int of %llu %u-bit digits: too long to show>",
		     (unsigned long long)number.ndigits, shift);
		return;
	}
	err = pyobject_long_digits(&run->repr->reader, address, (size_t)number.ndigits, digits);
	if (err) {
		put_error(run, err);
		return;
	}
	for (i = (size_t)number.ndigits; i-- > 0;) {
		uint32_t hi = digits[i];

		if (hi >> shift) {
			put_error(run, pc_error_create(PC_ERR_CORRUPT,
						       "int at %#llx has digit %#x",
						       (unsigned long long)address, hi));
			return;
		}
		for (j = 0; j < nchunks; j++) {
			uint64_t z = (uint64_t)chunks[j] << shift | hi;

			hi = (uint32_t)(z / 1000000000);
			chunks[j] = (uint32_t)(z - (uint64_t)hi * 1000000000);
		}
		while (hi) {
			chunks[nchunks++] = hi % 1000000000;
			hi /= 1000000000;
		}
	}
	if (number.sign < 0)
		puts_(run, "-");
	if (!nchunks)
		puts_(run, "0");
	for (i = nchunks; i-- > 0;)
		putf(run, i == nchunks - 1 ? "%u" : "%09u", chunks[i]);
	if (suffix_l)
		puts_(run, "L");
}

static void put_float(struct run *run, double x)
{
	char buf[REPR_FLOAT_MAX];

	put(run, buf, repr_float(x, buf));
}

/* ------------------------------------------------------------ text */

static void put_char(struct run *run, uint32_t cp, char quote, bool bytes, bool py2_unicode)
{
	char buf[REPR_CHAR_MAX];

	put(run, buf, repr_char(cp, quote, bytes, py2_unicode, buf));
}

static void put_quoted(struct run *run, const char *prefix, const uint32_t *cps, size_t n,
		       bool bytes, bool py2_unicode, bool cut)
{
	char quote = repr_quote(cps, n);
	size_t i;

	puts_(run, prefix);
	put(run, &quote, 1);
	for (i = 0; i < n && !full(run); i++)
		put_char(run, cps[i], quote, bytes, py2_unicode);
	put(run, &quote, 1);
	if (cut)
		puts_(run, "...");
}

static void put_text(struct run *run, uint64_t address)
{
	const struct py_reader *reader = &run->repr->reader;
	bool py2 = reader->layout->repr_shape == REPR_SHAPE_PY2;
	uint32_t cps[PYREPR_MAX_STRING];
	unsigned char raw[PYREPR_MAX_STRING * 4];
	struct py_text_data text;
	struct pc_error *err;
	size_t count, n = 0, i;

	err = pyobject_text_data(reader, address, &text);
	if (err) {
		put_error(run, err);
		return;
	}
	count = text.length < PYREPR_MAX_STRING ? (size_t)text.length : PYREPR_MAX_STRING;
	err = memory_read(reader->mem, text.data, raw, count * (size_t)text.unit);
	if (err) {
		put_error(run, pc_error_prefix(err, "text of str at %#llx",
					       (unsigned long long)address));
		return;
	}
	for (i = 0; i < count; i++) {
		uint32_t cp;

		if (text.unit == 1) {
			cp = raw[i];
		} else if (text.unit == 2) {
			uint16_t unit, low;

			memcpy(&unit, raw + i * 2, 2);
			cp = unit;
			/* 2.7's UTF-16 Py_UNICODE: its repr joins surrogate pairs. */
			if (py2 && unit >= 0xd800 && unit < 0xdc00 && i + 1 < count) {
				memcpy(&low, raw + i * 2 + 2, 2);
				if (low >= 0xdc00 && low < 0xe000) {
					cp = 0x10000 + ((uint32_t)(unit - 0xd800) << 10) +
					     (low - 0xdc00);
					i++;
				}
			}
		} else {
			memcpy(&cp, raw + i * 4, 4);
		}
		cps[n++] = cp;
	}
	put_quoted(run, py2 ? "u" : "", cps, n, false, py2, text.length > count);
}

static void put_bytes(struct run *run, uint64_t address)
{
	const struct py_reader *reader = &run->repr->reader;
	const struct py_layout *layout = reader->layout;
	uint32_t cps[PYREPR_MAX_STRING];
	unsigned char raw[PYREPR_MAX_STRING];
	struct pc_error *err;
	uint64_t length, data = 0;
	size_t count, i;

	err = pyobject_length(reader, address, LAYOUT_FIELD(bytes, ob_size), &length);
	if (!err)
		err = py_field_address(reader, address, LAYOUT_FIELD(bytes, ob_sval), &data);
	if (err) {
		put_error(run, pc_error_prefix(err, "bytes at %#llx", (unsigned long long)address));
		return;
	}
	count = length < PYREPR_MAX_STRING ? (size_t)length : PYREPR_MAX_STRING;
	err = memory_read(reader->mem, data, raw, count);
	if (err) {
		put_error(run, pc_error_prefix(err, "bytes at %#llx", (unsigned long long)address));
		return;
	}
	for (i = 0; i < count; i++)
		cps[i] = raw[i];
	put_quoted(run, layout->repr_shape == REPR_SHAPE_PY2 ? "" : "b", cps, count, true, false,
		   length > count);
}

/* ------------------------------------------------------- containers */

static void put_value(struct run *run, uint64_t address);

/* Whether KEY, a set entry's key, marks a deleted entry. */
static struct pc_error *set_dummy(void *arg, uint64_t key, bool *ret)
{
	struct pyrepr *repr = arg;
	const struct py_layout *layout = repr->reader.layout;
	const struct type_info *type;
	struct pc_error *err = type_of(repr, key, &type);

	*ret = false;
	if (err)
		return err;
	if (type->kind == KIND_SET_DUMMY) {
		*ret = true;
	} else if (type->kind == KIND_BYTES && layout->set_dummy_is_str) {
		static const char dummy[] = "<dummy key>";
		char text[sizeof(dummy)];
		uint64_t length, data = 0;

		err = py_read_u64(&repr->reader, key, LAYOUT_FIELD(bytes, ob_size), &length);
		if (!err && length == sizeof(dummy) - 1)
			err = py_field_address(&repr->reader, key, LAYOUT_FIELD(bytes, ob_sval),
					       &data);
		if (!err && length == sizeof(dummy) - 1)
			err = memory_read(repr->reader.mem, data, text, sizeof(dummy) - 1);
		*ret = !err && length == sizeof(dummy) - 1 &&
		       memcmp(text, dummy, sizeof(dummy) - 1) == 0;
	}
	return err;
}

/* How a container kind opens and closes, and prints when it is not
 * entered (nested too deep, or already being printed). */
struct brackets {
	const char *open, *close, *empty, *elided;
};

static struct brackets container_brackets(const struct run *run, enum kind kind)
{
	bool py2 = run->repr->reader.layout->repr_shape == REPR_SHAPE_PY2;

	switch (kind) {
	case KIND_LIST:
		return (struct brackets){"[", "]", "[]", "[...]"};
	case KIND_TUPLE:
		return (struct brackets){"(", ")", "()", "(...)"};
	case KIND_DICT:
		return (struct brackets){"{", "}", "{}", "{...}"};
	case KIND_SET:
		return py2 ? (struct brackets){"set([", "])", "set([])", "set([...])"}
			   : (struct brackets){"{", "}", "set()", "{...}"};
	default:
		return py2 ? (struct brackets){"frozenset([", "])", "frozenset([])",
					       "frozenset([...])"}
			   : (struct brackets){"frozenset({", "})", "frozenset()",
					       "frozenset({...})"};
	}
}

static void put_container(struct run *run, uint64_t address, enum kind kind)
{
	static const enum pycontainer_kind kinds[] = {
		[KIND_LIST] = PYCONTAINER_LIST,
		[KIND_TUPLE] = PYCONTAINER_TUPLE,
		[KIND_DICT] = PYCONTAINER_DICT,
		[KIND_SET] = PYCONTAINER_SET,
		[KIND_FROZENSET] = PYCONTAINER_SET,
	};
	struct brackets brackets = container_brackets(run, kind);
	struct pycontainer_items items;
	struct pc_error *err;
	size_t i;

	for (i = 0; i < run->depth; i++)
		if (run->stack[i] == address) {
			puts_(run, brackets.elided);
			return;
		}
	if (run->depth == PYREPR_MAX_DEPTH) {
		puts_(run, brackets.elided);
		return;
	}
	err = pycontainer_items(&run->repr->reader, address, kinds[kind], set_dummy, run->repr,
				&items);
	if (err) {
		put_error(run, pc_error_prefix(err, "%s at %#llx",
					       kind == KIND_LIST    ? "list"
					       : kind == KIND_TUPLE ? "tuple"
					       : kind == KIND_DICT  ? "dict"
								    : "set",
					       (unsigned long long)address));
		return;
	}
	if (!items.n && !items.more) {
		puts_(run, brackets.empty);
		return;
	}
	run->stack[run->depth++] = address;
	puts_(run, brackets.open);
	for (i = 0; i < items.n && !full(run); i++) {
		if (i)
			puts_(run, ", ");
		if (kind == KIND_DICT) {
			put_value(run, items.keys[i]);
			puts_(run, ": ");
		}
		put_value(run, items.values[i]);
	}
	if (items.more)
		puts_(run, items.n ? ", ..." : "...");
	else if (kind == KIND_TUPLE && items.n == 1)
		puts_(run, ",");
	puts_(run, brackets.close);
	run->depth--;
}

/* ------------------------------------------------------------ values */

static void put_value(struct run *run, uint64_t address)
{
	const struct py_layout *layout = run->repr->reader.layout;
	const struct type_info *type;
	struct pc_error *err;
	int64_t ival;
	uint64_t fval_bits;
	double fval;
	bool zero;

	if (full(run))
		return;
	if (!address) {
		puts_(run, "<NULL>");
		return;
	}
	if (run->objects == PYREPR_MAX_OBJECTS) {
		puts_(run, "...");
		return;
	}
	run->objects++;
	err = type_of(run->repr, address, &type);
	if (err) {
		put_error(run, err);
		return;
	}
	switch (type->kind) {
	case KIND_NONE:
		puts_(run, "None");
		return;
	case KIND_ELLIPSIS:
		puts_(run, "Ellipsis");
		return;
	case KIND_NOT_IMPLEMENTED:
		puts_(run, "NotImplemented");
		return;
	case KIND_BOOL:
		if (type->long_value) {
			err = long_is_zero(run, address, &zero);
		} else {
			err = read_int(run, address, &ival);
			zero = ival == 0;
		}
		if (err)
			put_error(run, err);
		else
			puts_(run, zero ? "False" : "True");
		return;
	case KIND_INT:
		err = read_int(run, address, &ival);
		if (err)
			put_error(run, err);
		else
			putf(run, "%lld", (long long)ival);
		return;
	case KIND_LONG:
		put_long(run, address, layout->repr_shape == REPR_SHAPE_PY2);
		return;
	case KIND_FLOAT:
		/* ob_fval is a double: its bits, read as a word. */
		err = py_read_u64(&run->repr->reader, address, LAYOUT_FIELD(pyfloat, ob_fval),
				  &fval_bits);
		if (err) {
			put_error(run, pc_error_prefix(err, "float at %#llx",
						       (unsigned long long)address));
			return;
		}
		memcpy(&fval, &fval_bits, sizeof(fval));
		put_float(run, fval);
		return;
	case KIND_TEXT:
		put_text(run, address);
		return;
	case KIND_BYTES:
		put_bytes(run, address);
		return;
	case KIND_LIST:
	case KIND_TUPLE:
	case KIND_DICT:
	case KIND_SET:
	case KIND_FROZENSET:
		put_container(run, address, type->kind);
		return;
	case KIND_CELL:
	case KIND_SET_DUMMY:
	case KIND_OTHER:
		break;
	}
	puts_(run, "<");
	puts_(run, type->name);
	putf(run, " object at %#llx>", (unsigned long long)address);
}

struct pc_error *pyrepr_object(struct pyrepr *repr, uint64_t address, char **ret)
{
	struct run run = {.repr = repr};

	put_value(&run, address);
	if (!run.nomem && run.chars > PYREPR_MAX_CHARS) {
		/* Cut after the first PYREPR_MAX_CHARS characters; the text
		 * had at least one byte more than that, and its NUL. */
		char *cut = realloc(run.text, run.cut_at + sizeof("..."));

		if (cut) {
			memcpy(cut + run.cut_at, "...", sizeof("..."));
			run.text = cut;
		}
		run.nomem = !cut;
	}
	if (run.nomem || !run.text) {
		free(run.text);
		return &pc_error_nomem;
	}
	*ret = run.text;
	return NULL;
}

struct pc_error *pyrepr_cell(struct pyrepr *repr, uint64_t address, bool *is_cell,
			     uint64_t *content)
{
	const struct type_info *type;
	struct pc_error *err = type_of(repr, address, &type);

	*is_cell = false;
	if (err)
		return err;
	if (type->kind != KIND_CELL)
		return NULL;
	err = py_read_ptr(&repr->reader, address, LAYOUT_FIELD(cell, ob_ref), content);
	if (err)
		return pc_error_prefix(err, "cell at %#llx", (unsigned long long)address);
	*is_cell = true;
	return NULL;
}

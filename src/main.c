/* pycore: what every thread of a crashed CPython process was doing, read
 * from its core file.  main() picks the command; it alone exits. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cli_usage_text[] =
	"Usage: pycore analyze [OPTION]... CORE [EXECUTABLE]\n"
	"       pycore --help | --version\n"
	"\n"
	"Print what every thread of a crashed CPython process was doing: its\n"
	"Python traceback and its native stack, read from the core file CORE.\n"
	"EXECUTABLE is the program that crashed; by default it is found from the\n"
	"core (its NT_FILE note, else AT_EXECFN).\n"
	"\n"
	"Options:\n"
	"  --sysroot DIR        find every file the core names under DIR\n"
	"  --lib-path DIR       also look for libraries in DIR, by base name\n"
	"                       (repeatable)\n"
	"  --no-source          do not print source lines under Python frames\n"
	"  --no-native          do not unwind or print native stacks\n"
	"  --layout SOURCE      where struct layouts come from: auto (default: DWARF,\n"
	"                       then _Py_DebugOffsets on 3.13+, then built-in tables),\n"
	"                       dwarf, debug-offsets or tables\n"
	"  --max-frames N       frames shown per stack, Python and native (default 10000)\n"
	"  --max-threads N      Python thread states read (default 4096)\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  the report is complete\n"
	"  1  bad input: CORE or EXECUTABLE missing, unreadable, not a core,\n"
	"     or from another architecture\n"
	"  2  usage error\n"
	"  3  partial report: something could not be read (truncated core,\n"
	"     unreadable frames); the report says what\n"
	"  4  pycore failed (out of memory, library error)\n";

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pycore: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pycore --help' for more information.\n");
	return EXIT_USAGE;
}

int cli_parse_count(const char *text, size_t *ret)
{
	char *end;
	unsigned long long value;

	if (!text[0] || text[0] == '-')
		return -1;
	value = strtoull(text, &end, 10);
	if (*end || value == 0 || value > 1000000000ULL)
		return -1;
	*ret = (size_t)value;
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"analyze", cli_analyze},
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_usage_error("no command given (pycore analyze CORE)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(cli_usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("pycore %s\n", PYCORE_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage_error("a command comes first: pycore analyze CORE");
	return cli_usage_error("unknown command '%s'", argv[1]);
}

/* pycore: what every thread of a crashed CPython process was doing, read
 * from its core file.  main() picks the command; it alone exits. */
#include "cmd/cli.h"
#include "handle/handle.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"analyze", cli_analyze},
	{"ci", cli_ci},
	{"handle", handle_command},
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_usage_error("no command given (pycore analyze CORE)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cli_other_option('h', argv);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return cli_other_option('V', argv);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage_error("a command comes first: pycore analyze CORE");
	return cli_usage_error("unknown command '%s'", argv[1]);
}

/* libFuzzer target: the whole of `pycore analyze --native --locals` on a
 * core, text and JSON reports included: ELF and notes, libdwfl's module
 * reporting and unwinding, the interpreter's symbols and version, the
 * layout, every thread state, frame, code object and variable, the
 * interleaving, the fingerprint.
 *
 * The input is the core file; the seeds are real cores cut down by
 * fuzz/make-seeds, which name the real interpreters on this machine, so
 * that a mutated core is analyzed against real executables, libraries and
 * debug information.  The reports go to /dev/null: what counts is that
 * pycore neither crashes, leaks, hangs nor runs out of memory. */
#include "analysis/analysis.h"
#include "base/error.h"
#include "input/input.h"
#include "report/json.h"
#include "report/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull) {
		perror("fuzz_analyze: /dev/null");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[] = "fuzz-core";
	struct input input = {.name = name, .size = size, .read = size};
	struct analysis_options options = {
		.core_input = &input,
		.python = {.layout = LAYOUT_REQUEST_AUTO, .max_frames = 10000,
			   .max_threads = 4096, .locals = true},
		.max_native_frames = 10000,
		.native = true,
		.mixed = true,
	};
	const struct report_options report = {.source = true, .native = true};
	struct analysis *analysis;
	struct pc_error *err;

	input.fd = memfd_create(name, MFD_CLOEXEC);
	if (input.fd < 0 || write(input.fd, data, size) != (ssize_t)size) {
		perror("fuzz_analyze: memfd");
		abort();
	}
	err = analysis_run(&options, &analysis);
	close(input.fd);
	if (err) {
		/* Bad input is fine; pycore failing (status 4: out of memory, or a
		 * library error) on a core is not. */
		if (err->code == PC_ERR_NOMEM || err->code == PC_ERR_LIBRARY) {
			fprintf(stderr, "fuzz_analyze: exit status 4: %s\n", err->message);
			abort();
		}
		pc_error_destroy(err);
		return 0;
	}
	report_text(devnull, analysis, &report);
	report_json(devnull, analysis, &report);
	analysis_destroy(analysis);
	return 0;
}

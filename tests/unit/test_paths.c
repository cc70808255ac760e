/* Opening what a core names: inside a sysroot, absolute links and ".."
 * stay in it; a loop, a FIFO, a directory and an unlinked file reached
 * through /proc/self/fd are refused; the lib dirs are searched by base
 * name.  Every case runs three times: with openat2, then with openat2
 * failing under a seccomp filter with EPERM, as some container runtimes'
 * filters make it, and with ENOSYS, as on kernels before 5.6 and under
 * valgrind; without openat2 the path is resolved one name at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "elf/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char top[64];
static char sysroot[600], lib_dir[600];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[800];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void link_to(const char *target, const char *dir, const char *name)
{
	char path[800];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

static void make_dir(const char *dir, const char *name)
{
	char path[800];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
}

/* TOP/secret is outside the root, ROOT/secret inside it: a link that
 * escaped would read "outside". */
static int setup(void **state)
{
	char target[700], fifo[700];

	(void)state;
	strcpy(top, "/tmp/pycore-test-paths-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(sysroot, sizeof(sysroot), "%s/root", top);
	snprintf(lib_dir, sizeof(lib_dir), "%s/lib", top);
	make_dir(top, "root");
	make_dir(top, "lib");
	write_file(top, "secret", "outside");
	write_file(sysroot, "secret", "inside");
	make_dir(sysroot, "usr");
	make_dir(sysroot, "usr/bin");
	write_file(sysroot, "usr/bin/python3", "python");
	link_to("/secret", sysroot, "absolute");
	link_to("../../../secret", sysroot, "usr/bin/up");
	snprintf(target, sizeof(target), "%s/secret", top);
	link_to(target, sysroot, "host");
	link_to("usr", sysroot, "usr-link");
	link_to("/usr-link/bin/../bin/python3", sysroot, "chain");
	link_to("loop", sysroot, "loop");
	snprintf(fifo, sizeof(fifo), "%s/fifo", sysroot);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	write_file(lib_dir, "libpython3.so", "library");
	return 0;
}

static int teardown(void **state)
{
	char command[700];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", top);
	return system(command) == 0 ? 0 : -1;
}

static const struct paths in_root = {.sysroot = sysroot};

/* What PATH opens to under PATHS: its text, and where it was found (WHERE
 * below TOP, or NULL: PATH itself). */
static void assert_opens(const struct paths *paths, const char *path, const char *text,
			 const char *where)
{
	char buf[64] = "", *found = NULL, want[800];
	int fd = paths_open(paths, path, &found);
	ssize_t n;

	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, text);
	if (where)
		snprintf(want, sizeof(want), "%s/%s", top, where);
	else
		snprintf(want, sizeof(want), "%s", path);
	assert_non_null(found);
	assert_string_equal(found, want);
	free(found);
}

static void assert_refused(const struct paths *paths, const char *path, int error)
{
	char *found = (char *)"unset";
	int fd = paths_open(paths, path, &found);

	if (fd >= 0)
		fail_msg("%s was opened", path);
	assert_int_equal(errno, error);
	assert_null(found);
}

static void test_sysroot(void **state)
{
	(void)state;
	assert_opens(&in_root, "/usr/bin/python3", "python", "root/usr/bin/python3");
	assert_opens(&in_root, "usr/bin/python3", "python", "root/usr/bin/python3");
	assert_opens(&in_root, "/absolute", "inside", "root/secret");
	assert_opens(&in_root, "/usr/bin/up", "inside", "root/secret");
	assert_opens(&in_root, "/../../secret", "inside", "root/secret");
	assert_opens(&in_root, "//usr/./bin//python3", "python", "root/usr/bin/python3");
	assert_opens(&in_root, "/chain", "python", "root/usr/bin/python3");
	assert_refused(&in_root, "/host", ENOENT);
	assert_refused(&in_root, "/loop", ELOOP);
	assert_refused(&in_root, "/usr/bin/python3/", ENOTDIR);
	assert_refused(&in_root, "/usr/bin", EISDIR);
	assert_refused(&in_root, "/", EISDIR);
	assert_refused(&in_root, "", ENOENT);
}

/* A FIFO is never opened: its open() would block for ever. */
static void test_fifo(void **state)
{
	(void)state;
	assert_refused(&in_root, "/fifo", EISDIR);
}

/* Without a sysroot, links are followed as they stand. */
static void test_plain(void **state)
{
	char path[700];

	(void)state;
	snprintf(path, sizeof(path), "%s/root/host", top);
	assert_opens(NULL, path, "outside", NULL);
	snprintf(path, sizeof(path), "%s/root/usr/../usr/bin/up", top);
	assert_opens(NULL, path, "outside", NULL);
}

/* /proc/self/fd/N would reach a file that no name reaches any more. */
static void test_no_magic_link(void **state)
{
	char name[700], path[64];
	int fd, opened;

	(void)state;
	snprintf(name, sizeof(name), "%s/gone", top);
	fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "gone", 4), 4);
	assert_int_equal(unlink(name), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	opened = paths_open(NULL, path, NULL);
	if (opened >= 0)
		close(opened);
	close(fd);
	assert_true(opened < 0);
}

/* Not in the root: the lib dirs, by base name. */
static void test_lib_dirs(void **state)
{
	const char *dirs[] = {"/nonexistent", lib_dir};
	const struct paths paths = {.sysroot = sysroot, .lib_dirs = dirs, .nlib_dirs = 2};

	(void)state;
	assert_opens(&paths, "/usr/lib/libpython3.so", "library", "lib/libpython3.so");
	assert_opens(&paths, "/usr/bin/python3", "python", "root/usr/bin/python3");
	assert_refused(&paths, "/usr/lib/libc.so.6", ENOENT);
}

/* From now on openat2 fails with ERROR as where the kernel lacks it
 * (ENOSYS) or a filter refuses it (ENOSYS or EPERM). */
static int without_openat2(int error)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return -1;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(error), SCMP_SYS(openat2), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

/* Whether this system has no openat2 at all (an older kernel, or qemu-user,
 * which refuses seccomp filters too): the first run went without it then. */
static bool openat2_missing(void)
{
	struct open_how how = {.flags = O_PATH};
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0)
		close((int)fd);
	return fd < 0 && errno == ENOSYS;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysroot),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_no_magic_link),
		cmocka_unit_test(test_lib_dirs),
	};
	int failed = cmocka_run_group_tests_name("openat2", tests, setup, teardown), status;
	pid_t child;

	if (openat2_missing()) {
		fprintf(stderr, "test_paths: no openat2 on this system: the tests above ran "
				"without it\n");
		return failed;
	}

	/* pycore gives up on openat2 for good at its first failure: each
	 * error is tried in a process of its own. */
	child = fork();
	if (child == 0) {
		if (without_openat2(EPERM) != 0) {
			fprintf(stderr, "test_paths: cannot make openat2 fail with a seccomp filter\n");
			_exit(1);
		}
		_exit(cmocka_run_group_tests_name("openat2 refused (EPERM)", tests, setup,
						  teardown) != 0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		failed++;
	if (without_openat2(ENOSYS) != 0) {
		fprintf(stderr, "test_paths: cannot make openat2 fail with a seccomp filter\n");
		return 1;
	}
	return failed + cmocka_run_group_tests_name("without openat2 (ENOSYS)", tests, setup,
						    teardown);
}

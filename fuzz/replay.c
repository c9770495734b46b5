/*
 * replay.c - run a libFuzzer target over saved inputs, without libFuzzer
 *
 * SYNOPSIS
 *	replay_<name> path...
 *
 * DESCRIPTION
 *	Links with one fuzz/<name>.c and calls its LLVMFuzzerTestOneInput()
 *	once per input. Each path is a file (one input) or a directory,
 *	whose regular files are inputs and whose subdirectories are read
 *	one level further down. Names starting with "." and files named
 *	README* are skipped. Inputs run in name order, so a run is
 *	reproducible. LLVMFuzzerInitialize() is not called: the targets do
 *	not define it.
 *
 *	This is how make test replays fuzz/corpus/<name>/ and
 *	fuzz/regressions/<name>/ under the normal build and, with SAN=1,
 *	under ASan+UBSan.
 *
 * DIAGNOSTICS
 *	Prints "replay: N inputs" and exits 0. A failed invariant in the
 *	target aborts (the shell sees a signal); before dying the driver
 *	writes "replay: crashed on PATH" to stderr, from a signal handler
 *	or, under ASan/UBSan, from the sanitizer's death callback. A path
 *	that cannot be read is reported on stderr and the exit status is 2.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"

/* Present only in sanitizer builds (weak: NULL otherwise). */
extern void __sanitizer_set_death_callback(void (*cb)(void))
	__attribute__((weak));

static size_t ninputs;
static int status;
static const char *current;	/* the input being run, for crash reports */

/* say_current - name the input that killed us (async-signal-safe) */
static void say_current(void)
{
	static const char pre[] = "replay: crashed on ";
	ssize_t r;

	if (current == NULL)
		return;
	r = write(2, pre, sizeof(pre) - 1);
	r = write(2, current, strlen(current));
	r = write(2, "\n", 1);
	(void)r;
}

static void on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* run_file - read one file and hand it to the target */
static void run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;

	if (fp == NULL) {
		perror(path);
		status = 2;
		return;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *p;

			cap = cap ? 2 * cap : 4096;
			if ((p = realloc(data, cap)) == NULL) {
				fprintf(stderr, "%s: out of memory\n", path);
				exit(2);
			}
			data = p;
		}
		n = fread(data + len, 1, cap - len, fp);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(fp)) {
		perror(path);
		status = 2;
	} else {
		/* An exact-size copy, so ASan sees any read past the end. */
		unsigned char *exact = malloc(len ? len : 1);

		if (exact == NULL) {
			fprintf(stderr, "%s: out of memory\n", path);
			exit(2);
		}
		if (len)
			memcpy(exact, data, len);
		current = path;
		LLVMFuzzerTestOneInput(exact, len);
		current = NULL;
		free(exact);
		ninputs++;
	}
	fclose(fp);
	free(data);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* run_path - a file, or a directory read to the given depth */
static void run_path(const char *path, int depth)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, cap = 0, i;

	if (stat(path, &st) != 0) {
		perror(path);
		status = 2;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (S_ISREG(st.st_mode))
			run_file(path);
		return;
	}
	if (depth > 1)
		return;
	if ((dir = opendir(path)) == NULL) {
		perror(path);
		status = 2;
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, "README", 6) == 0)
			continue;
		if (nnames == cap) {
			char **p;

			cap = cap ? 2 * cap : 256;
			if ((p = realloc(names, cap * sizeof(*names))) == NULL) {
				fprintf(stderr, "%s: out of memory\n", path);
				exit(2);
			}
			names = p;
		}
		names[nnames] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (names[nnames] == NULL) {
			fprintf(stderr, "%s: out of memory\n", path);
			exit(2);
		}
		sprintf(names[nnames], "%s/%s", path, de->d_name);
		nnames++;
	}
	closedir(dir);
	if (nnames)
		qsort(names, nnames, sizeof(*names), cmp_names);
	for (i = 0; i < nnames; i++) {
		run_path(names[i], depth + 1);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-directory...\n", argv[0]);
		return 2;
	}
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(say_current);
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	for (i = 1; i < argc; i++)
		run_path(argv[i], 0);
	printf("replay: %zu inputs\n", ninputs);
	return status;
}

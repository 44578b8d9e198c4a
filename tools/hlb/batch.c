// SPDX-License-Identifier: GPL-2.0
/*
 * hlb -b FILE: one command per line, like "ip -b". Lines are split on
 * whitespace; "double quotes" group words; a word starting with '#'
 * begins a comment. The first failing line stops the batch.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hlb.h"

static int push_arg(int *argcp, char ***argvp, size_t *capp, char *arg)
{
	char **v;
	size_t cap;

	/* Keep room for the NULL that ends argv. */
	if ((size_t)*argcp + 2 > *capp) {
		cap = *capp ? *capp * 2 : 16;
		v = realloc(*argvp, cap * sizeof(*v));
		if (!v)
			return -1;
		*argvp = v;
		*capp = cap;
	}
	(*argvp)[(*argcp)++] = arg;
	(*argvp)[*argcp] = NULL;
	return 0;
}

/*
 * Splits line (len bytes, modified in place) into *argvp, which grows as
 * needed. Returns HLB_OK, or HLB_USAGE after printing why.
 */
int split_line(char *line, size_t len, int *argcp, char ***argvp,
	       size_t *capp)
{
	char *r = line, *w, *word;
	bool quoted;

	*argcp = 0;
	if (memchr(line, '\0', len)) {
		fprintf(stderr, "Error: NUL byte in the line\n");
		return HLB_USAGE;
	}
	for (;;) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			break;
		/* Unquote in place: w never passes r. */
		word = w = r;
		quoted = false;
		while (*r && (quoted || !isspace((unsigned char)*r))) {
			if (*r == '"')
				quoted = !quoted;
			else
				*w++ = *r;
			r++;
		}
		if (quoted) {
			fprintf(stderr, "Error: unbalanced quote\n");
			return HLB_USAGE;
		}
		if (push_arg(argcp, argvp, capp, word)) {
			fprintf(stderr, "Error: out of memory\n");
			return HLB_FAIL;
		}
		if (!*r) {
			*w = '\0';
			break;
		}
		r++;	/* over the separator, before overwriting it */
		*w = '\0';
	}
	return HLB_OK;
}

int do_batch(const char *name)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	char *line = NULL, **argv = NULL;
	size_t linecap = 0, argcap = 0;
	unsigned long lineno = 0;
	int argc, ret = HLB_OK;
	ssize_t len;

	if (!f) {
		fprintf(stderr, "Cannot open file \"%s\" for reading: %s\n",
			name, strerror(errno));
		return HLB_FAIL;
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		ret = split_line(line, (size_t)len, &argc, &argv, &argcap);
		if (!ret && argc)
			ret = hlb_dispatch(argc, argv);
		if (ret) {
			fprintf(stderr, "Command failed %s:%lu\n", name,
				lineno);
			ret = HLB_FAIL;
			break;
		}
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "Error: reading \"%s\": %s\n", name,
			strerror(errno));
		ret = HLB_FAIL;
	}
	free(line);
	free(argv);
	if (f != stdin)
		fclose(f);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hlb save: prints a batch that "hlb -b -" restores.
 *
 * Every configurable value is written out, defaults included, so that a
 * restore into a namespace (or a module version) with other defaults
 * still reproduces the same configuration. Read-only attributes are left
 * out. Services and servers are sorted by key, so two saves of the same
 * configuration are byte-identical and diff well.
 */
#include <stdlib.h>
#include <string.h>

#include "json_print.h"
#include "objects.h"
#include "save.h"
#include "utils.h"

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > SIZE_MAX / size)
		return -1;
	p = realloc(*v, ncap * size);
	if (!p)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

static int oom(void)
{
	fprintf(stderr, "Error: out of memory\n");
	return HLB_FAIL;
}

int save_add_service(struct nlmsghdr *nlh, void *arg)
{
	struct save_state *st = arg;
	struct nlattr *tb[HLB_A_MAX + 1];
	struct hlb_service *s;
	int ret;

	if (grow((void **)&st->svcs, &st->cap_svcs, st->n_svcs,
		 sizeof(*st->svcs)))
		return oom();
	s = &st->svcs[st->n_svcs];
	ret = hlb_parse_reply(nlh, tb);
	if (!ret)
		ret = service_parse(tb[HLB_A_SERVICE], s);
	if (ret)
		return ret;
	s->stats = NULL;	/* points into a reply that goes away */
	st->n_svcs++;
	return HLB_OK;
}

int save_add_server(struct nlmsghdr *nlh, void *arg)
{
	struct save_state *st = arg;
	struct nlattr *tb[HLB_A_MAX + 1];
	struct hlb_server *s;
	int ret;

	if (grow((void **)&st->srvs, &st->cap_srvs, st->n_srvs,
		 sizeof(*st->srvs)))
		return oom();
	s = &st->srvs[st->n_srvs];
	ret = hlb_parse_reply(nlh, tb);
	if (!ret)
		ret = server_parse(tb, s);
	if (ret)
		return ret;
	s->stats = NULL;
	st->n_srvs++;
	return HLB_OK;
}

int save_set_config(struct nlmsghdr *nlh, void *arg)
{
	struct save_state *st = arg;
	struct nlattr *tb[HLB_A_MAX + 1];
	int ret;

	ret = hlb_parse_reply(nlh, tb);
	if (!ret)
		ret = config_parse(tb[HLB_A_CONFIG], &st->cfg);
	return ret;
}

static int cmp_service(const void *a, const void *b)
{
	const struct hlb_service *x = a, *y = b;

	return key_cmp(&x->key, &y->key);
}

static int cmp_server(const void *a, const void *b)
{
	const struct hlb_server *x = a, *y = b;
	int c = key_cmp(&x->svc, &y->svc);

	if (c)
		return c;
	c = memcmp(x->addr, y->addr, addr_len(x->svc.family));
	if (c)
		return c;
	return x->port < y->port ? -1 : x->port > y->port;
}

static void save_key(FILE *f, const struct hlb_key *key)
{
	char ap[ADDRPORT_STRLEN], p[8];

	fprintf(f, " %s %s", proto_name(key->proto, p, sizeof(p)),
		fmt_addr_port(key->family, key->addr, key->port, ap,
			      sizeof(ap)));
}

void save_print(FILE *f, struct save_state *st)
{
	char ap[ADDRPORT_STRLEN];
	size_t i, j = 0;
	int c;

	/* qsort()'s base must not be NULL, even for no elements. */
	if (st->n_svcs)
		qsort(st->svcs, st->n_svcs, sizeof(*st->svcs), cmp_service);
	if (st->n_srvs)
		qsort(st->srvs, st->n_srvs, sizeof(*st->srvs), cmp_server);
	if (st->cfg.opts.present) {
		fputs("config set", f);
		opts_save(f, &cfg_opt_table, &st->cfg.opts);
		fputc('\n', f);
	}
	for (i = 0; i < st->n_svcs; i++) {
		const struct hlb_service *s = &st->svcs[i];

		fputs("service add", f);
		save_key(f, &s->key);
		opts_save(f, &svc_opt_table, &s->opts);
		fputc('\n', f);
		/*
		 * Both are sorted by service key: skip servers whose service
		 * went away between the two dumps, print this one's.
		 */
		for (; j < st->n_srvs; j++) {
			const struct hlb_server *r = &st->srvs[j];

			c = key_cmp(&r->svc, &s->key);
			if (c > 0)
				break;
			if (c < 0)
				continue;
			fputs("server add", f);
			save_key(f, &r->svc);
			fprintf(f, " %s", fmt_addr_port(r->svc.family, r->addr,
							r->port, ap,
							sizeof(ap)));
			opts_save(f, &srv_opt_table, &r->opts);
			fputc('\n', f);
		}
	}
}

void save_free(struct save_state *st)
{
	free(st->svcs);
	free(st->srvs);
	memset(st, 0, sizeof(*st));
}

int do_save(int argc, char **argv)
{
	struct save_state st = { 0 };
	int ret;

	if (argc && !matches(argv[0], "help")) {
		printf("Usage: hlb save > FILE; restore with hlb -b FILE\n");
		return HLB_OK;
	}
	if (argc)
		return too_many(argv[0]);
	ret = hlb_nl_query(HLB_CMD_GET_CONFIG, false, NULL, NULL,
			   save_set_config, &st);
	if (!ret)
		ret = hlb_nl_query(HLB_CMD_GET_SERVICE, true, NULL, NULL,
				   save_add_service, &st);
	if (!ret)
		ret = hlb_nl_query(HLB_CMD_GET_SERVER, true, NULL, NULL,
				   save_add_server, &st);
	if (!ret)
		save_print(json_print_file(), &st);
	save_free(&st);
	return ret;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* hlb save: collects the configuration, then prints it as a batch. */
#ifndef HLB_SAVE_H
#define HLB_SAVE_H

#include "objects.h"

struct save_state {
	struct hlb_config cfg;
	struct hlb_service *svcs;
	size_t n_svcs, cap_svcs;
	struct hlb_server *srvs;
	size_t n_srvs, cap_srvs;
};

/* hlb_parse_fn callbacks, one per reply; arg is the save_state. */
int save_set_config(struct nlmsghdr *nlh, void *arg);
int save_add_service(struct nlmsghdr *nlh, void *arg);
int save_add_server(struct nlmsghdr *nlh, void *arg);

/* Sorts, then prints config, services and their servers. */
void save_print(FILE *f, struct save_state *st);
void save_free(struct save_state *st);

#endif /* HLB_SAVE_H */

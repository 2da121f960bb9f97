/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVCNET_ROUTE_H
#define SVCNET_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

/* Make @a route into @ifindex; *added tells whether svcnet added a route. */
int route_ensure(const struct addr *a, unsigned int ifindex, bool *added);
/* Remove the route svcnet added for @a, if any. */
int route_release(const struct addr *a, unsigned int ifindex);
/*
 * The same for @n addresses at once (in batches over one socket); on
 * failure added[] still tells which routes svcnet added.
 */
int routes_ensure(const struct addr *addrs, size_t n, unsigned int ifindex,
		  bool *added);
int routes_release(const struct addr *addrs, size_t n, unsigned int ifindex);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVCNET_ROUTE_H
#define SVCNET_ROUTE_H

#include <stdbool.h>

#include "parse.h"

/* Make @a route into @ifindex; *added tells whether svcnet added a route. */
int route_ensure(const struct addr *a, unsigned int ifindex, bool *added);
/* Remove the route svcnet added for @a, if any. */
int route_release(const struct addr *a, unsigned int ifindex);

#endif

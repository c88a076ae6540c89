// SPDX-License-Identifier: MIT
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool check_add(struct check_list *l, const char *name, bool passed, const char *fmt, ...)
{
	struct check_result *c;
	va_list ap;

	if (l->n >= CHECK_LIST_MAX) {
		l->dropped++;
		return passed;
	}
	c = &l->items[l->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->passed = passed;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	return passed;
}

bool check_all_passed(const struct check_list *l)
{
	if (l->n == 0 || l->dropped)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].passed)
			return false;
	return true;
}

const struct check_result *check_first_failure(const struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].passed)
			return &l->items[i];
	return NULL;
}

// SPDX-License-Identifier: MIT
/* The list of named pass/fail checks a verification produces. */
#include "attest/check.h"
#include "common/errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool add(struct check_list *l, const char *name, bool passed, bool note, const char *fmt, va_list ap)
{
	struct check_result *c;

	if (l->n >= CHECK_LIST_MAX) {
		l->dropped++;
		return passed;
	}
	c = &l->items[l->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->passed = passed;
	c->note = note;
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	errf_one_line(c->reason);
	return passed;
}

bool check_add(struct check_list *l, const char *name, bool passed, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(l, name, passed, false, fmt, ap);
	va_end(ap);
	return passed;
}

void check_note(struct check_list *l, const char *name, const char *fmt, ...)
{
	va_list ap;

	/* passed = true: a note must never be what makes check_all_passed fail */
	va_start(ap, fmt);
	add(l, name, true, true, fmt, ap);
	va_end(ap);
}

bool check_all_passed(const struct check_list *l)
{
	size_t checks = 0;

	if (l->dropped)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		if (!l->items[i].passed)
			return false;
		checks += !l->items[i].note;
	}
	return checks > 0;
}

const struct check_result *check_first_failure(const struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->items[i].passed)
			return &l->items[i];
	return NULL;
}

const struct check_result *check_find(const struct check_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name))
			return &l->items[i];
	return NULL;
}

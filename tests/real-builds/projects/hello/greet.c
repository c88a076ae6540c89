/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "greet.h"

int greet(const char *who)
{
	return printf("hello, %s\n", who) > 0;
}

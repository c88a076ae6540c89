// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "greet.h"
#include "version.h"

void greet(const char *who)
{
	printf("hello, %s (v%s)\n", who, HELLO_VERSION);
}

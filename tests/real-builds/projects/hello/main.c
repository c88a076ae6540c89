/* SPDX-License-Identifier: MIT */
#include "greet.h"

int main(void)
{
	return greet("kettle") ? 0 : 1;
}

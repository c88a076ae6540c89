// SPDX-License-Identifier: MIT
/* The program the guest tests and benchmark execute: does nothing, exits 0. */
int main(void)
{
	return 0;
}

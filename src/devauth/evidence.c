// SPDX-License-Identifier: MIT
/* Placeholder until the subcommand lands; it refuses rather than pretends. */
#include <stdio.h>

#include "devauth.h"

int evidence_main(int argc, char **argv)
{
	fprintf(stderr, "%s evidence: not implemented yet\n", prog);
	return 2;
}

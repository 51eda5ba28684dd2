// SPDX-License-Identifier: MIT
/*
 * devauth-emu's log: every file of the program writes through here, and
 * this file calls nothing of the program, so logging never makes a
 * circle between the files that log.
 */
#include <stdarg.h>
#include <stdio.h>

#include "emu.h"

void emu_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line: stdio locks the stream, so device threads do not interleave. */
	fprintf(stderr, "%s: %s\n", EMU_PROG, line);
}

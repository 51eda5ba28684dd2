// SPDX-License-Identifier: MIT
/* devauth revalidate: re-challenge a pinned device now (docs/pin.md). */
#include "devauth.h"
#include "ipc.h"

int revalidate_main(int argc, char **argv)
{
	return devcmd_main(argc, argv, "revalidate",
			   "Re-challenge a pinned device with a fresh nonce of the TSM and check it\n"
			   "against its pin: it stays bound, or it is unbound and unconnected\n"
			   "(exit 1 with the failed check).",
			   ipc_revalidate, "revalidated");
}

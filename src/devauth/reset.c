// SPDX-License-Identifier: MIT
/* devauth reset: an OS-initiated reset of a device, then recovery (docs/pin.md). */
#include "devauth.h"
#include "ipc.h"

int reset_main(int argc, char **argv)
{
	return devcmd_main(argc, argv, "reset",
			   "The TSM's session with the device ends as after a reset (session-lost);\n"
			   "a pinned device is then revalidated (exit 1 when that fails), an\n"
			   "unpinned one keeps its state.",
			   ipc_reset, "reset and recovered");
}

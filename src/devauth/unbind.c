// SPDX-License-Identifier: MIT
/* devauth unbind: unbind the driver (the device stays connected). */
#include "devauth.h"
#include "ipc.h"

int unbind_main(int argc, char **argv)
{
	return devcmd_main(argc, argv, "unbind", "Unbind the driver; the device stays connected.",
			   ipc_unbind, "unbound");
}

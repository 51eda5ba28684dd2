// SPDX-License-Identifier: MIT
/* devauth disconnect: tear down the TSM connection (refused while bound). */
#include "devauth.h"
#include "ipc.h"

int disconnect_main(int argc, char **argv)
{
	return devcmd_main(argc, argv, "disconnect",
			   "Tear down the TSM connection; refused (EBUSY) while a driver is bound.",
			   ipc_disconnect, "disconnected");
}

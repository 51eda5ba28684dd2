// SPDX-License-Identifier: MIT
/* devauth unlock: stop the TDISP interface and end the session. */
#include "devauth.h"
#include "ipc.h"
#include <devauth/pci_tsm.h>

static int op(struct ipc *ipc, const char *dev, struct da_err *err)
{
	return ipc_simple(ipc, PCI_TSM_CMD_UNLOCK, dev, err);
}

int unlock_main(int argc, char **argv)
{
	return devcmd_main(argc, argv, "unlock",
			   "Stop the TDISP interface (CONFIG_UNLOCKED) and end the session; refused\n"
			   "while a driver is bound.  Unlocking an unlocked device is done.",
			   op, "unlocked");
}

// SPDX-License-Identifier: MIT
/* devauth accept: start a locked TDISP interface (RUN); a driver may be bound after. */
#include "devauth.h"
#include "ipc.h"
#include <devauth/pci_tsm.h>

static int op(struct ipc *ipc, const char *dev, struct da_err *err)
{
	return ipc_simple(ipc, PCI_TSM_CMD_ACCEPT, dev, err);
}

int accept_main(int argc, char **argv)
{
	return devcmd_main(argc, argv, "accept",
			   "Start the locked TDISP interface with the lock's nonce (RUN); there is\n"
			   "no un-accept: UNLOCK ends it.  Accepting a running interface is done.",
			   op, "accepted (RUN)");
}

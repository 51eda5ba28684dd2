// SPDX-License-Identifier: MIT
/* devauth lock: lock a connected device's TDISP interface and collect its report. */
#include "devauth.h"
#include "ipc.h"

int lock_main(int argc, char **argv)
{
	return devcmd_nonce_main(argc, argv, "lock",
				 "Open a secure session with a connected device, lock its TDISP interface\n"
				 "(CONFIG_LOCKED) and publish the evidence with the interface report\n"
				 "(type REPORT); locking a locked device is done.",
				 "64 hex digits: the CHALLENGE and signed GET_MEASUREMENTS nonce",
				 ipc_lock, "locked");
}

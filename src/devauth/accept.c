// SPDX-License-Identifier: MIT
/* devauth accept: start a locked TDISP interface (RUN); a driver may be bound after. */
#include "devauth.h"
#include "ipc.h"

int accept_main(int argc, char **argv)
{
	return devcmd_gen_main(argc, argv, "accept",
			       "Start the locked TDISP interface with the lock's nonce (RUN); there is\n"
			       "no un-accept: UNLOCK ends it.  Accepting a running interface is done.\n"
			       "With --generation, the TSM refuses unless the evidence is still the\n"
			       "one userspace verified.",
			       "refuse unless the evidence is still generation N (the lock's, as verified)",
			       ipc_accept, "accepted (RUN)");
}

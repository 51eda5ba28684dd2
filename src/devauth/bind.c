// SPDX-License-Identifier: MIT
/* devauth bind: bind a driver to a connected device. */
#include "devauth.h"
#include "ipc.h"

int bind_main(int argc, char **argv)
{
	return devcmd_gen_main(argc, argv, "bind",
			       "Bind a driver to a connected device (the TSM refuses otherwise);\n"
			       "binding a bound device is done.",
			       "refuse unless the evidence is still generation N (the one verified)",
			       ipc_bind, "bound");
}

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds of fuzz_cxl_idekm and fuzz_cxl_tsp from the DMTF peers.

Runs the DMTF spdm_requester_emu --exe_session PSK,APP against the DMTF
spdm_responder_emu over PCI_DOE with a capture, decodes it with spdm_dump
(the DMTF default PSK opens the session) and writes the body of every
CXL VENDOR_DEFINED_REQUEST (after the protocol ID), prefixed with the
selector byte its target expects, as it came from the requester.

    record_cxl_seeds.py PEERS_BIN_COPY OUTDIR

PEERS_BIN_COPY: a writable copy of the peers' bin/ (the emulators read
their keys from the working directory).
"""
import os, re, socket, subprocess, sys, time

PSK = "5465737450736b4461746100"
# fuzz_cxl_idekm selectors: 0 QUERY, 1 stream message (object in bits 7:2), 2 KEY_PROG
IDEKM = {0x00: (0, "query"), 0x02: (2, "key_prog"), 0x04: (1, "k_set_go"),
         0x05: (1, "k_set_stop"), 0x07: (1, "get_key")}
# fuzz_cxl_tsp selectors by opcode
TSP = {0x81: (0, "get_version"), 0x82: (0, "get_capabilities"), 0x83: (1, "set_config"),
       0x84: (0, "get_config"), 0x85: (2, "report"), 0x86: (0, "lock"), 0x8D: (3, "te_state")}
STREAM_OBJ = {0x03: 0, 0x06: 1, 0x04: 2, 0x05: 3, 0x07: 4}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    bindir, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    env = dict(os.environ, LD_PRELOAD=os.path.join(bindir, "nodelay.so"))
    port = str(free_port())
    rsp = subprocess.Popen(["./spdm_responder_emu", "--trans", "PCI_DOE", "--port", port],
                           cwd=bindir, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    subprocess.run(["./spdm_requester_emu", "--trans", "PCI_DOE", "--port", port, "--ver",
                    "1.2", "--exe_conn", "VCA", "--exe_session", "PSK,APP", "--pcap",
                    "cxl-seeds.pcap"], cwd=bindir, env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=120)
    rsp.wait(timeout=30)
    dump = subprocess.run(["./spdm_dump", "-r", "cxl-seeds.pcap", "--psk", PSK, "-x"],
                          cwd=bindir, check=True, capture_output=True, text=True).stdout
    seen = set()
    for rec in re.split(r"\n(?=\d+ \()", dump):
        if "REQ->RSP" not in rec.split("\n")[0] or "SPDM Message:" not in rec:
            continue
        hexpart = rec.split("SPDM Message:")[1].split("SecuredSPDM message:")[0]
        msg = bytes(int(b, 16) for line in hexpart.strip().split("\n")
                    for b in line.split(":")[1].split())
        if len(msg) < 13 or msg[1] != 0xFE or msg[7] | msg[8] << 8 != 0x1E98:
            continue
        plen = msg[9] | msg[10] << 8
        proto, body = msg[11], msg[12:11 + plen]
        if proto == 0 and body[0] in IDEKM:
            sel, name = IDEKM[body[0]]
            if sel == 1:
                sel |= STREAM_OBJ[body[0]] << 2
            target = "fuzz_cxl_idekm"
        elif proto == 1 and body[1] in TSP:
            sel, name = TSP[body[1]]
            target = "fuzz_cxl_tsp"
        else:
            continue
        path = os.path.join(out, target, "dmtf-%s-%d.bin" % (name, len(body)))
        if path in seen:
            continue
        seen.add(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(bytes([sel]) + body)
    print("\n".join(sorted(seen)))


if __name__ == "__main__":
    main()

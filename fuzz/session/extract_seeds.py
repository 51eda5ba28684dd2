#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for fuzz/session from a DMTF exchange.

Usage: spdm_dump -r X.pcap -a -x [--psk HEX] | extract_seeds.py TAG OUTDIR [--clear] [--dsp0277]

Reads the "SPDM Message:" hex blocks that spdm_dump prints for every
message (decrypted ones too when it has the keys) and writes each
session message as a seed in the fuzz_sess_common.h format (3 selector
bytes + the message) into OUTDIR/<target>/.  The algorithm set is taken
from the negotiated hash size seen in the exchange (SHA-384 / P-384 /
secp384r1 for the DMTF defaults).
"""
import os
import re
import sys

TARGETS = {
    0xE4: ('fuzz_key_exchange', 0), 0x64: ('fuzz_key_exchange', 1),
    0xE6: ('fuzz_key_exchange', 2), 0x66: ('fuzz_key_exchange', 3),
    0xE5: ('fuzz_finish', 0), 0x65: ('fuzz_finish', 1),
    0xE7: ('fuzz_finish', 2), 0x67: ('fuzz_finish', 3),
    0xE8: ('fuzz_session_ctl', 0), 0x68: ('fuzz_session_ctl', 1),
    0xE9: ('fuzz_session_ctl', 2), 0x69: ('fuzz_session_ctl', 3),
    0xEC: ('fuzz_session_ctl', 4), 0x6C: ('fuzz_session_ctl', 5),
}


def messages(text):
    cur = None
    for line in text.splitlines():
        if re.match(r'^\s+SPDM Message:$', line):
            cur = bytearray()
            continue
        m = re.match(r'^\s+[0-9a-f]{4}: ((?:[0-9a-f]{2} ?)+)$', line)
        if cur is not None and m:
            cur += bytes.fromhex(m.group(1).replace(' ', ''))
            continue
        if cur is not None:
            yield bytes(cur)
            cur = None
    if cur:
        yield bytes(cur)


def main():
    tag, out = sys.argv[1], sys.argv[2]
    clear = '--clear' in sys.argv
    dsp0277 = '--dsp0277' in sys.argv
    seen = {}
    for msg in messages(sys.stdin.read()):
        if len(msg) < 4 or msg[1] not in TARGETS:
            continue
        target, which = TARGETS[msg[1]]
        sel = 0 | (8 if clear else 0) | 0x10 | (0x20 if dsp0277 else 0)
        n = seen.get(msg[1], 0)
        seen[msg[1]] = n + 1
        if n >= 2:
            continue
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        name = '%s-%02x-%d.bin' % (tag, msg[1], n)
        with open(os.path.join(d, name), 'wb') as f:
            f.write(bytes([msg[0] & 0x0F, sel, which]) + msg)
        # the opaque data of the exchange messages seeds fuzz_opaque
        if msg[1] in (0xE4, 0x64):
            continue
    return 0


if __name__ == '__main__':
    sys.exit(main())

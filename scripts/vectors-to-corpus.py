#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Split the DMTF captures into single SPDM messages.

Reads $DEVAUTH_VECTORS (default ../shared/vectors)/*/exchange.pcap
(LINKTYPE_PCI_DOE: each packet is one DOE data object, an 8-byte header
then the payload padded to a dword) and writes, for every SPDM object
(DOE discovery, type 0, is skipped):

  tests/spdm/vectors/<capture>/NN-<message>.bin   the message, padding kept
  tests/spdm/vectors/<capture>/MANIFEST           NN, DOE type, code, length
  fuzz/spdm/corpus/fuzz_<target>/<vNN>-NN-<message>.bin
      the same message behind the 2-byte prefix the fuzz targets read:
      byte 0 the negotiated version, byte 1 the parameter selector of
      fuzz/spdm/fuzz_common.h (algorithm set, signature requested,
      measurement summary requested, MULTI_KEY_CONN).

Python 3 standard library only.  Usage: scripts/vectors-to-corpus.py [SRC]
"""
import os
import struct
import sys

DOE_DISCOVERY = 0
PCAP_MAGIC_LE = 0xA1B2C3D4
LINKTYPE_PCI_DOE = 292

NAMES = {
    0x84: "get_version", 0x04: "version",
    0xE1: "get_capabilities", 0x61: "capabilities",
    0xE3: "negotiate_algorithms", 0x63: "algorithms",
    0x81: "get_digests", 0x01: "digests",
    0x82: "get_certificate", 0x02: "certificate",
    0x83: "challenge", 0x03: "challenge_auth",
    0xE0: "get_measurements", 0x60: "measurements",
    0x7F: "error", 0xFF: "respond_if_ready",
}

TARGETS = {
    0x04: "fuzz_version", 0x61: "fuzz_capabilities", 0x63: "fuzz_algorithms",
    0x01: "fuzz_digests", 0x02: "fuzz_certificate", 0x03: "fuzz_challenge_auth",
    0x60: "fuzz_measurements", 0x7F: "fuzz_error",
}
REQUESTS = {0x84, 0xE1, 0xE3, 0x81, 0x82, 0x83, 0xE0, 0xFF}

# Selector byte (see fuzz/spdm/fuzz_common.h): bits [2:0] algorithm set,
# bit 3 signature requested, bit 4 measurement summary hash requested,
# bit 5 MULTI_KEY_CONN.
ALG_SET = {
    "v11_rsassa3072_sha256": 0,
    "v12_p384_sha384": 1,
    "v13_p256_sha256": 2,
}
SEL_SIG = 1 << 3
SEL_SUMMARY = 1 << 4
SEL_MULTI_KEY = 1 << 5


def doe_objects(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    magic, _, _, _, _, _, linktype = struct.unpack_from("<IHHiIII", data, 0)
    if magic != PCAP_MAGIC_LE or linktype != LINKTYPE_PCI_DOE:
        raise ValueError(f"{path}: not a little-endian PCI DOE pcap")
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"{path}: truncated record header at {off}")
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        off += 16
        pkt = data[off:off + incl]
        if len(pkt) != incl or incl < 8:
            raise ValueError(f"{path}: bad record at {off}")
        off += incl
        _, doe_type, _, dwords = struct.unpack_from("<HBBI", pkt, 0)
        if dwords * 4 != len(pkt):
            raise ValueError(f"{path}: DOE length {dwords} dwords, packet {len(pkt)} bytes")
        yield doe_type, pkt[8:]


def selector(capture, code, req):
    sel = ALG_SET.get(capture, 0)
    if capture.startswith("v13"):
        sel |= SEL_MULTI_KEY
    # Every capture requests a signed GET_MEASUREMENTS and a CHALLENGE
    # with MeasurementSummaryHashType = all; take both from the request.
    if req is not None and req[1] == 0xE0 and req[2] & 1:
        sel |= SEL_SIG
    if req is not None and req[1] == 0x83 and req[3] != 0:
        sel |= SEL_SUMMARY
    return sel


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "DEVAUTH_VECTORS", os.path.join(root, "..", "shared", "vectors"))
    captures = sorted(d for d in os.listdir(src)
                      if os.path.isfile(os.path.join(src, d, "exchange.pcap")))
    if not captures:
        sys.exit(f"no */exchange.pcap under {src}")
    for cap in captures:
        outdir = os.path.join(root, "tests", "spdm", "vectors", cap)
        os.makedirs(outdir, exist_ok=True)
        manifest = []
        last_req = None
        n = 0
        for doe_type, msg in doe_objects(os.path.join(src, cap, "exchange.pcap")):
            if doe_type == DOE_DISCOVERY:
                continue
            if len(msg) < 4:
                raise ValueError(f"{cap}: SPDM object {n} shorter than a header")
            ver, code = msg[0], msg[1]
            name = NAMES.get(code, f"code{code:02x}")
            fname = f"{n:02d}-{name}.bin"
            with open(os.path.join(outdir, fname), "wb") as f:
                f.write(msg)
            manifest.append(f"{fname} doe_type={doe_type} version=0x{ver:02x} "
                            f"code=0x{code:02x} length={len(msg)}")
            if code in REQUESTS:
                last_req = msg
                target = "fuzz_requests"
            else:
                target = TARGETS.get(code)
            if target and doe_type == 1:
                sel = selector(cap, code, last_req if code not in REQUESTS else None)
                tdir = os.path.join(root, "fuzz", "spdm", "corpus", target)
                os.makedirs(tdir, exist_ok=True)
                tag = cap.split("_")[0]
                with open(os.path.join(tdir, f"{tag}-{n:02d}-{name}.bin"), "wb") as f:
                    f.write(bytes([ver, sel]) + msg)
            n += 1
        with open(os.path.join(outdir, "MANIFEST"), "w") as f:
            f.write("\n".join(manifest) + "\n")
        print(f"{cap}: {n} SPDM messages")
    write_error_seeds(root)


def write_error_seeds(root):
    """The captures hold no ERROR: seed fuzz_error with hand-made ones."""
    tdir = os.path.join(root, "fuzz", "spdm", "corpus", "fuzz_error")
    os.makedirs(tdir, exist_ok=True)
    seeds = {
        "hand-busy.bin": bytes([0x12, 0x7F, 0x03, 0x00]),
        "hand-response-not-ready.bin": bytes([0x12, 0x7F, 0x42, 0x00, 0x05, 0x83, 0x01, 0x02]),
        "hand-large-response.bin": bytes([0x12, 0x7F, 0x0F, 0x00, 0x07, 0, 0, 0]),
        "hand-vendor-defined.bin": bytes([0x13, 0x7F, 0xFF, 0x00, 0x03, 0x02, 0x86, 0x80]),
        "hand-respond-if-ready.bin": bytes([0x12, 0xFF, 0x83, 0x01]),
    }
    for name, msg in seeds.items():
        with open(os.path.join(tdir, name), "wb") as f:
            f.write(bytes([msg[0], 0]) + msg)


if __name__ == "__main__":
    main()

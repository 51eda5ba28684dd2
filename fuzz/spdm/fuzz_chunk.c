// SPDX-License-Identifier: MIT
/*
 * CHUNK_SEND, CHUNK_SEND_ACK, CHUNK_GET and CHUNK_RESPONSE decoders and
 * the reassembler.  After the two fuzz_common bytes the input is a run of
 * messages, each a u16 length and the bytes: every one goes through all
 * four decoders (with the version its header byte says), and the
 * CHUNK_SEND / CHUNK_RESPONSE ones into one reassembler each, as a
 * stream of chunks from a peer would.  Seeds are the chunk runs of DMTF
 * exchanges (fuzz/spdm/extract_chunk_seeds.py).
 */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct spdm_chunk_rx *rx, const struct spdm_chunk *c, const char *name)
{
	struct da_err err = { 0 };
	int ret = spdm_chunk_rx_add(rx, c, name, &err);

	if (ret < 0) {
		spdm_chunk_rx_reset(rx);
		return;
	}
	/* Never more than LargeMessageSize or MaxSPDMmsgSize. */
	if (rx->buf.len > rx->total || rx->buf.len > rx->max_size)
		__builtin_trap();
	if (ret == 1 && rx->buf.len != rx->total)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_chunk_rx tx = { .dts = 42, .max_size = 65536 };
	struct spdm_chunk_rx rx = { .dts = 42, .max_size = 65536 };
	struct fuzz_spdm f;
	struct cur c;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	c = cur_init(f.msg, f.len);
	for (;;) {
		struct da_err err = { 0 };
		struct spdm_chunk ch;
		struct spdm_chunk_ack a;
		const uint8_t *m;
		uint16_t len;
		uint8_t ver, handle;
		uint32_t seq;
		int ret;

		if (cur_u16(&c, &len) || cur_ptr(&c, len, &m))
			break;
		ver = len ? m[0] : f.p.version;
		tx.version = rx.version = ver;
		ret = spdm_decode_chunk_send(m, len, ver, &ch, &err);
		fuzz_spdm_check_len(ret, len);
		if (ret > 0)
			feed(&tx, &ch, "CHUNK_SEND");
		ret = spdm_decode_chunk_response(m, len, ver, &ch, &err);
		fuzz_spdm_check_len(ret, len);
		if (ret > 0)
			feed(&rx, &ch, "CHUNK_RESPONSE");
		ret = spdm_decode_chunk_send_ack(m, len, ver, &a, &err);
		fuzz_spdm_check_len(ret, len);
		if (ret > 0 && a.rsp_len) {
			volatile uint8_t sink = a.rsp[a.rsp_len - 1];

			(void)sink;
		}
		fuzz_spdm_check_len(spdm_decode_chunk_get(m, len, ver, &handle, &seq, &err), len);
	}
	spdm_chunk_rx_free(&tx);
	spdm_chunk_rx_free(&rx);
	return 0;
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "client.h"

int cli_open(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 60 };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = -errno;

		close(fd);
		return e;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

int cli_send(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

int cli_recv(int fd, struct pci_tsm_msg *m, struct da_buf *val, struct da_buf *raw)
{
	static _Thread_local uint32_t buf[PCI_TSM_MSG_MAX / 4];
	struct da_err err = { 0 };
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	if (raw)
		da_buf_append(raw, buf, (size_t)n);
	m->val = val;
	if (val)
		da_buf_reset(val);
	return pci_tsm_parse((const uint8_t *)buf, (size_t)n, false, m, &err);
}

static _Thread_local uint32_t seq = 1000;

int cli_request(int fd, const struct cli_req *r)
{
	uint32_t buf[PCI_TSM_REQ_MAX / 4];
	struct nlmsghdr *nlh = pci_tsm_put_hdr(buf, sizeof(buf), r->cmd,
					       NLM_F_REQUEST | NLM_F_ACK | r->flags, ++seq);
	int ret;

	if (r->dev)
		pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_DEV_NAME, r->dev);
	if (r->have_mask)
		pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_TYPE_MASK, r->mask);
	if (r->ev_flags)
		pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_FLAGS, r->ev_flags);
	if (r->nonce)
		pci_tsm_put_bin(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_NONCE, r->nonce, r->nonce_len);
	if (r->have_gen)
		pci_tsm_put_u64(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_GENERATION, r->gen);
	ret = cli_send(fd, nlh, nlh->nlmsg_len);
	return ret ? ret : (int)seq;
}

int cli_xfer(int fd, const struct cli_req *r, struct cli_dump *out)
{
	struct da_buf val = { 0 };
	int seqno = cli_request(fd, r), ret = 0;

	memset(out, 0, sizeof(*out));
	if (seqno < 0)
		return seqno;
	for (;;) {
		struct pci_tsm_msg m = { 0 };

		ret = cli_recv(fd, &m, &val, &out->raw);
		if (ret)
			break;
		if (m.seq != (uint32_t)seqno) {
			ret = -EPROTO;
			break;
		}
		if (m.nl_type == NLMSG_ERROR || m.nl_type == NLMSG_DONE) {
			out->error = m.error;
			memcpy(out->extack, m.extack, sizeof(out->extack));
			break;
		}
		if (pci_tsm_has(&m, PCI_TSM_A_EVIDENCE_TYPE) && m.type <= DA_EV_MAX) {
			out->present |= 1u << m.type;
			out->generation = m.generation;
			out->hash_algo = m.neg.base_hash;
			out->flags_seen |= m.flags;
			da_buf_append(&out->obj[m.type], val.data, val.len);
		}
	}
	da_buf_free(&val);
	return ret;
}

void cli_dump_free(struct cli_dump *d)
{
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		da_buf_free(&d->obj[t]);
	da_buf_free(&d->raw);
}

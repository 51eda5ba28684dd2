// SPDX-License-Identifier: MIT
/*
 * pcap savefiles (the classic format, not pcapng) as the DMTF spdm-emu
 * tools write them and spdm-dump and Wireshark read them.
 *
 * LINKTYPE_PCI_DOE packets are one DOE data object each, header and
 * padding included.  LINKTYPE_MCTP packets start with the 4-byte MCTP
 * transport header (DSP0236: header version, destination EID, source
 * EID, SOM/EOM/seq/TO/tag) before the message type byte: spdm-emu's
 * send_platform_data()/receive_platform_data() prepend a synthetic one
 * (bytes 00 00 00 c0) to every NORMAL frame they log, and spdm-dump's
 * dump_mctp_packet() skips 4 bytes before it reads the message type.  We
 * write the same four bytes and, reading, skip whatever four bytes are
 * there (a capture from a real MCTP network carries real EIDs and
 * header version 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <devauth/pcap.h>

#include "../cursor.h"
#include "../file.h"
#include "framing.h"

#define PCAP_MAGIC_USEC		0xa1b2c3d4u
#define PCAP_MAGIC_USEC_SWAP	0xd4c3b2a1u
#define PCAP_MAGIC_NSEC		0xa1b23c4du
#define PCAP_MAGIC_NSEC_SWAP	0x4d3cb2a1u
#define PCAP_GLOBAL_HDR_SIZE	24
#define PCAP_REC_HDR_SIZE	16
/*
 * SnapLen: 65536 is what the DMTF spdm_dump accepts (it refuses larger)
 * and what tcpdump wrote for years; libpcap and Wireshark take up to
 * 262144.  A file starts with 65536 and is raised to 262144 (the header
 * rewritten in place) only when a record needs it.  A DOE object can
 * reach 1 MiB, but SPDM messages travel in portions or chunks far below
 * this; a larger one is cut (orig_len keeps the true size and
 * da_capture_spdm() refuses the record) rather than making the file
 * unreadable for those tools.
 */
#define PCAP_SNAPLEN		0x00010000u
#define PCAP_SNAPLEN_MAX	0x00040000u
#define PCAP_SNAPLEN_OFF	16
#define PCAP_MCTP_HDR_SIZE	4
/* No capture of an SPDM conversation comes near this; refuse to slurp more. */
#define PCAP_MAX_FILE		(256u << 20)

struct da_pcap {
	FILE *f;
	uint32_t linktype;
	uint32_t snaplen;
	int err;
	pthread_mutex_t lock;
};

int da_pcap_open_write(const char *path, enum da_framing framing, struct da_pcap **out,
		       struct da_err *err)
{
	uint8_t hdr[PCAP_GLOBAL_HDR_SIZE];
	struct wcur w = wcur_init(hdr, sizeof(hdr));
	struct da_pcap *p;
	uint32_t linktype;

	if (framing == DA_FRAMING_PCI_DOE)
		linktype = DA_LINKTYPE_PCI_DOE;
	else if (framing == DA_FRAMING_MCTP)
		linktype = DA_LINKTYPE_MCTP;
	else
		return da_errf(err, -EOPNOTSUPP,
			       "pcap %s: framing %s has no pcap link type", path,
			       da_framing_name(framing));

	p = calloc(1, sizeof(*p));
	if (!p)
		return da_errf(err, -ENOMEM, "pcap %s: out of memory", path);
	p->linktype = linktype;
	p->snaplen = PCAP_SNAPLEN;
	pthread_mutex_init(&p->lock, NULL);
	p->f = fopen(path, "wbe");
	if (!p->f) {
		int ret = -errno;

		da_errf(err, ret, "pcap %s: %s", path, strerror(errno));
		pthread_mutex_destroy(&p->lock);
		free(p);
		return ret;
	}
	/* Little-endian file, microsecond timestamps, version 2.4. */
	wcur_u32(&w, PCAP_MAGIC_USEC);
	wcur_u16(&w, 2);
	wcur_u16(&w, 4);
	wcur_u32(&w, 0);	/* thiszone */
	wcur_u32(&w, 0);	/* sigfigs */
	wcur_u32(&w, PCAP_SNAPLEN);
	wcur_u32(&w, linktype);
	if (wcur_finish(&w) < 0 || fwrite(hdr, 1, w.len, p->f) != w.len || fflush(p->f)) {
		int ret = -EIO;

		da_errf(err, ret, "pcap %s: cannot write the global header", path);
		fclose(p->f);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/*
 * Rewrite the global header's SnapLen for a record above 65536.  A file
 * that cannot seek (a pipe) keeps 65536 and such records are cut.
 */
static void raise_snaplen(struct da_pcap *p)
{
	uint8_t v[4];
	struct wcur w = wcur_init(v, sizeof(v));
	long end = ftell(p->f);

	wcur_u32(&w, PCAP_SNAPLEN_MAX);
	if (end < 0 || fflush(p->f) || fseek(p->f, PCAP_SNAPLEN_OFF, SEEK_SET))
		return;
	if (fwrite(v, 1, sizeof(v), p->f) == sizeof(v) && !fflush(p->f))
		p->snaplen = PCAP_SNAPLEN_MAX;
	if (fseek(p->f, end, SEEK_SET))
		p->err = -EIO;
}

int da_pcap_log(struct da_pcap *p, const uint8_t *tmsg, size_t len)
{
	static const uint8_t mctp_hdr[PCAP_MCTP_HDR_SIZE] = { 0x00, 0x00, 0x00, 0xc0 };
	uint8_t rh[PCAP_REC_HDR_SIZE];
	struct wcur w = wcur_init(rh, sizeof(rh));
	size_t extra, total, incl, body;
	struct timespec ts;
	int ret;

	if (!p)
		return 0;
	extra = p->linktype == DA_LINKTYPE_MCTP ? PCAP_MCTP_HDR_SIZE : 0;
	if (len > UINT32_MAX - extra)
		return -EMSGSIZE;
	total = len + extra;
	clock_gettime(CLOCK_REALTIME, &ts);

	pthread_mutex_lock(&p->lock);
	if (p->err)
		goto out;
	if (total > p->snaplen && p->snaplen < PCAP_SNAPLEN_MAX)
		raise_snaplen(p);
	incl = total > p->snaplen ? p->snaplen : total;
	body = incl - extra;
	wcur_u32(&w, (uint32_t)ts.tv_sec);
	wcur_u32(&w, (uint32_t)(ts.tv_nsec / 1000));
	wcur_u32(&w, (uint32_t)incl);
	wcur_u32(&w, (uint32_t)total);
	if (fwrite(rh, 1, sizeof(rh), p->f) != sizeof(rh) ||
	    (extra && fwrite(mctp_hdr, 1, extra, p->f) != extra) ||
	    (body && fwrite(tmsg, 1, body, p->f) != body) || fflush(p->f))
		p->err = -EIO;
out:
	ret = p->err;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int da_pcap_close(struct da_pcap *p)
{
	int ret;

	if (!p)
		return 0;
	ret = p->err;
	if (fclose(p->f) && !ret)
		ret = -EIO;
	pthread_mutex_destroy(&p->lock);
	free(p);
	return ret;
}

static int rd32(struct cur *c, bool swap, uint32_t *v)
{
	return swap ? cur_be32(c, v) : cur_u32(c, v);
}

static int rd16(struct cur *c, bool swap, uint16_t *v)
{
	return swap ? cur_be16(c, v) : cur_u16(c, v);
}

void da_capture_free(struct da_capture *c)
{
	if (!c)
		return;
	free(c->rec);
	free(c->raw);
	*c = (struct da_capture){ 0 };
}

int da_pcap_parse(uint8_t *buf, size_t len, struct da_capture *out, struct da_err *err)
{
	struct cur c = cur_init(buf, len);
	struct da_capture cap = { .raw = buf, .raw_len = len };
	uint32_t magic, zone, sigfigs, snaplen, network;
	uint16_t vmaj, vmin;
	size_t alloc = 0;
	bool swap, nsec;
	int ret = 0;

	*out = (struct da_capture){ 0 };
	/* The magic is read little endian: a big-endian file shows it swapped. */
	if (cur_u32(&c, &magic)) {
		ret = da_errf(err, -EBADMSG, "pcap: %zu bytes, no global header", len);
		goto fail;
	}
	switch (magic) {
	case PCAP_MAGIC_USEC:
		swap = false, nsec = false;
		break;
	case PCAP_MAGIC_USEC_SWAP:
		swap = true, nsec = false;
		break;
	case PCAP_MAGIC_NSEC:
		swap = false, nsec = true;
		break;
	case PCAP_MAGIC_NSEC_SWAP:
		swap = true, nsec = true;
		break;
	default:
		ret = da_errf(err, -EBADMSG,
			      "pcap: magic 0x%08x is not a pcap savefile (pcapng is not supported)",
			      magic);
		goto fail;
	}
	if (rd16(&c, swap, &vmaj) || rd16(&c, swap, &vmin) || rd32(&c, swap, &zone) ||
	    rd32(&c, swap, &sigfigs) || rd32(&c, swap, &snaplen) ||
	    rd32(&c, swap, &network)) {
		ret = da_errf(err, -EBADMSG, "pcap: global header truncated at %zu bytes", len);
		goto fail;
	}
	if (vmaj != 2) {
		ret = da_errf(err, -EBADMSG, "pcap: version %u.%u, expected 2.x", vmaj, vmin);
		goto fail;
	}
	/* Bits 16 and up carry FCS information, not the link type. */
	cap.linktype = network & 0xffff;

	while (!cur_at_end(&c)) {
		struct da_pcap_record r = { 0 };
		uint32_t incl;

		if (rd32(&c, swap, &r.ts_sec) || rd32(&c, swap, &r.ts_usec) ||
		    rd32(&c, swap, &incl) || rd32(&c, swap, &r.orig_len)) {
			ret = da_errf(err, -EBADMSG,
				      "pcap: record %zu: header truncated, %zu bytes left",
				      cap.nrec, cur_left(&c));
			goto fail;
		}
		if (incl > snaplen) {
			ret = da_errf(err, -EBADMSG,
				      "pcap: record %zu: incl_len %u exceeds SnapLen %u",
				      cap.nrec, incl, snaplen);
			goto fail;
		}
		if (cur_ptr(&c, incl, &r.data)) {
			ret = da_errf(err, -EBADMSG,
				      "pcap: record %zu: incl_len %u exceeds the %zu bytes left",
				      cap.nrec, incl, cur_left(&c));
			goto fail;
		}
		r.len = incl;
		if (nsec)
			r.ts_usec /= 1000;
		if (cap.nrec == alloc) {
			size_t n = alloc ? alloc * 2 : 32;
			struct da_pcap_record *nr = realloc(cap.rec, n * sizeof(*nr));

			if (!nr) {
				ret = da_errf(err, -ENOMEM, "pcap: out of memory");
				goto fail;
			}
			cap.rec = nr;
			alloc = n;
		}
		cap.rec[cap.nrec++] = r;
	}
	*out = cap;
	return 0;
fail:
	da_capture_free(&cap);
	return ret;
}

int da_pcap_read(const char *path, struct da_capture *out, struct da_err *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0, size;
	int fd, ret;

	*out = (struct da_capture){ 0 };
	fd = da_open_regular(path, err);
	if (fd < 0) {
		da_err_prefix(err, "pcap");
		return fd;
	}
	if (fstat(fd, &st)) {
		ret = da_errf(err, -errno, "pcap %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > PCAP_MAX_FILE) {
		ret = da_errf(err, -EFBIG, "pcap %s: not a regular file of at most %u bytes",
			      path, PCAP_MAX_FILE);
		goto out;
	}
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (!buf) {
		ret = da_errf(err, -ENOMEM, "pcap %s: out of memory", path);
		goto out;
	}
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = da_errf(err, -EIO, "pcap %s: short read", path);
			goto out;
		}
		done += (size_t)n;
	}
	close(fd);
	fd = -1;
	ret = da_pcap_parse(buf, size, out, err);
	buf = NULL;	/* owned by da_pcap_parse now */
	if (ret)
		da_err_prefix(err, "%s", path);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static int capture_one(const struct da_capture *c, size_t i, enum da_framing f,
		       struct da_spdm_msg *m, bool *skip, struct da_err *err)
{
	const struct da_pcap_record *r = &c->rec[i];
	struct cur cr = cur_init(r->data, r->len);
	enum da_payload_kind kind;
	const uint8_t *tmsg, *payload;
	size_t tlen, plen;
	int ret;

	if (r->orig_len > r->len)
		return da_errf(err, -EBADMSG,
			       "pcap: record %zu: cut at %zu of %u bytes by SnapLen", i, r->len,
			       r->orig_len);
	if (f == DA_FRAMING_MCTP && cur_skip(&cr, PCAP_MCTP_HDR_SIZE))
		return da_errf(err, -EBADMSG,
			       "pcap: record %zu: %zu bytes, no room for the MCTP transport header",
			       i, r->len);
	cur_rest(&cr, &tmsg, &tlen);
	ret = da_frame_decode(f, tmsg, tlen, &kind, &payload, &plen, err);
	if (ret) {
		da_err_prefix(err, "pcap: record %zu", i);
		return ret;
	}
	*skip = kind == DA_PAYLOAD_DOE_DISCOVERY;
	*m = (struct da_spdm_msg){
		.data = payload,
		.len = plen,
		.max_pad = da_framing_max_pad(f),
		.secured = kind == DA_PAYLOAD_SECURED_SPDM,
		.record = i,
	};
	return 0;
}

int da_capture_spdm(const struct da_capture *c, struct da_spdm_msg **out, size_t *n,
		    struct da_err *err)
{
	struct da_spdm_msg *msgs;
	enum da_framing f;
	size_t cnt = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if (c->linktype == DA_LINKTYPE_PCI_DOE)
		f = DA_FRAMING_PCI_DOE;
	else if (c->linktype == DA_LINKTYPE_MCTP)
		f = DA_FRAMING_MCTP;
	else
		return da_errf(err, -EOPNOTSUPP,
			       "pcap: LinkType %u is neither PCI_DOE (292) nor MCTP (291)",
			       c->linktype);

	msgs = calloc(c->nrec ? c->nrec : 1, sizeof(*msgs));
	if (!msgs)
		return da_errf(err, -ENOMEM, "pcap: out of memory");
	for (size_t i = 0; i < c->nrec; i++) {
		bool skip = false;

		ret = capture_one(c, i, f, &msgs[cnt], &skip, err);
		if (ret) {
			free(msgs);
			return ret;
		}
		if (!skip)
			cnt++;
	}
	*out = msgs;
	*n = cnt;
	return 0;
}

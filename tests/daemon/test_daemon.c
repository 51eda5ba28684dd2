// SPDX-License-Identifier: MIT
/*
 * devauthd end to end: the real devauth-emu, devauthd and devauth
 * binaries on 127.0.0.1 (random ports, temp socket, ready files), plus
 * a raw pci-tsm client for what the CLI never sends.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libmnl/libmnl.h>

#include <devauth/evidence.h>

#include "crypto/crypto.h"

#include "client.h"
#include "harness.h"

#define DEV0 "0000:01:00.0"	/* good, P-256 / SHA-256 */
#define DEV1 "0000:02:00.0"	/* good, P-384 / SHA-384 */
#define DEV_NOSAN "0000:03:00.0"	/* TSM accepts; the verifier's policy refuses */
#define DEV_BADSIG "0000:04:00.0"	/* the TSM refuses at CHALLENGE_AUTH */
#define DEV_SLOW "0000:05:00.0"	/* answers CHALLENGE too late */

static const char devices_json[] =
	"[ { \"name\": \"" DEV0 "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" DEV1 "\", \"asym\": [\"ecdsa-p384\"], \"hash\": [\"sha384\"] },"
	"  { \"name\": \"" DEV_NOSAN "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"],"
	"    \"faults\": [\"no-san\"] },"
	"  { \"name\": \"" DEV_BADSIG "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"],"
	"    \"faults\": [\"bad-challenge-sig\"] },"
	"  { \"name\": \"" DEV_SLOW "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"],"
	"    \"ct-exponent\": 21, \"faults\": [\"slow\"] } ]";

static struct rig rig;
static char out[1 << 17];

/*
 * The daemon's privileged group: any group of the system but root's and
 * nogroup (65534, the unprivileged clients' own gid), so that membership
 * can be given to a forked client with setgroups()/setgid().
 */
static char priv_group[64];
static gid_t priv_gid;

static int pick_group(void)
{
	struct group *g;

	setgrent();
	while ((g = getgrent())) {
		if (g->gr_gid != 0 && g->gr_gid != 65534 && strlen(g->gr_name) < sizeof(priv_group)) {
			snprintf(priv_group, sizeof(priv_group), "%s", g->gr_name);
			priv_gid = g->gr_gid;
			break;
		}
	}
	endgrent();
	if (!priv_group[0]) {
		fprintf(stderr, "no group in the group database to make devauthd's --group\n");
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	static const char *const emu_extra[] = { NULL };
	const char *d_extra[] = { "--socket-mode", "0666", "--op-timeout-ms", "8000",
				  "--group", priv_group, NULL };

	if (pick_group())
		return -1;

	rig_init(&rig);
	if (rig_start_emu(&rig, devices_json, emu_extra)) {
		fprintf(stderr, "devauth-emu did not start; log %s\n", rig.emu.log);
		return -1;
	}
	if (rig_start_daemon(&rig, d_extra)) {
		fprintf(stderr, "devauthd did not start; log %s\n", rig.d.log);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	int d = rig_stop_daemon(&rig), e = rig_stop_emu(&rig);

	rig_cleanup(&rig);
	if (d || e)
		fprintf(stderr, "exit status devauthd %d devauth-emu %d\n", d, e);
	return d || e ? -1 : 0;
}

static void expect_error(int fd, const struct cli_req *r, int error, const char *needle)
{
	struct cli_dump d;

	assert_int_equal(cli_xfer(fd, r, &d), 0);
	if (d.error != error || (needle && !strstr(d.extack, needle)))
		fail_msg("expected %d \"%s\", got %d \"%s\"", error, needle ? needle : "",
			 d.error, d.extack);
	cli_dump_free(&d);
}

static void expect_alive(int fd)
{
	struct cli_req r = { .cmd = PCI_TSM_CMD_LIST, .flags = NLM_F_DUMP };
	struct cli_dump d;

	assert_int_equal(cli_xfer(fd, &r, &d), 0);
	assert_int_equal(d.error, 0);
	cli_dump_free(&d);
}

static void test_list_connect(void **state)
{
	int rc;

	alarm(120);
	rc = devauth(&rig, out, sizeof(out), "list", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "TSM tsm0 (native-spdm)"));
	assert_non_null(strstr(out, DEV0));
	assert_non_null(strstr(out, "unconnected"));

	rc = devauth(&rig, out, sizeof(out), "connect", DEV0, NULL);
	assert_int_equal(rc, 0);
	rc = devauth(&rig, out, sizeof(out), "connect", DEV1, "--tsm", "tsm0", "--slot", "1", NULL);
	assert_int_equal(rc, 0);
	rc = devauth(&rig, out, sizeof(out), "connect", DEV_BADSIG, NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, DEV_BADSIG ": CHALLENGE_AUTH"));
	/* An unknown TSM is invalid input, not a refusal: exit 2 (devauth(1)). */
	rc = devauth(&rig, out, sizeof(out), "connect", DEV0, "--tsm", "tsm9", NULL);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "no TSM named tsm9"));

	rc = devauth(&rig, out, sizeof(out), "list", "--json", NULL);
	assert_int_equal(rc, 0);
	{
		json_object *j = json_tokener_parse(out), *devs, *d;
		int seen = 0;

		assert_non_null(j);
		assert_true(json_object_object_get_ex(j, "devices", &devs));
		for (size_t i = 0; i < json_object_array_length(devs); i++) {
			json_object *n, *s, *slot;

			d = json_object_array_get_idx(devs, i);
			json_object_object_get_ex(d, "name", &n);
			json_object_object_get_ex(d, "state", &s);
			if (!strcmp(json_object_get_string(n), DEV0)) {
				assert_string_equal(json_object_get_string(s), "connected");
				seen++;
			} else if (!strcmp(json_object_get_string(n), DEV1)) {
				assert_string_equal(json_object_get_string(s), "connected");
				assert_true(json_object_object_get_ex(d, "slot", &slot));
				assert_int_equal(json_object_get_int(slot), 1);
				seen++;
			} else if (!strcmp(json_object_get_string(n), DEV_BADSIG)) {
				assert_string_equal(json_object_get_string(s), "failed");
				seen++;
			}
		}
		assert_int_equal(seen, 3);
		json_object_put(j);
	}
}

/* Each type alone, the digest of each, and the bundle the CLI writes from the same dump. */
static void test_evidence_types(void **state)
{
	static const unsigned int types[] = { 0, 1, DA_EV_VCA, DA_EV_MEASUREMENTS };
	struct cli_dump all, one, dig;
	int fd = cli_open(rig.sock);
	char bundle[400];
	struct da_evidence ev;
	struct da_err err = { 0 };

	alarm(120);
	assert_true(fd >= 0);
	{
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV0, .have_mask = true, .mask = PCI_TSM_TYPES_NATIVE };

		assert_int_equal(cli_xfer(fd, &r, &all), 0);
		assert_int_equal(all.error, 0);
		/* Slots 0 and 1 are provisioned; we challenged slot 0 and read every chain. */
		assert_true(all.present & (1u << 0));
		assert_true(all.present & (1u << DA_EV_VCA));
		assert_true(all.present & (1u << DA_EV_MEASUREMENTS));
		/* The importer of the verifier reads our dump format. */
		da_evidence_init(&ev);
		assert_int_equal(da_evidence_import_pci_tsm(all.raw.data, all.raw.len, &ev, &err), 0);
		assert_int_equal(ev.obj[DA_EV_VCA].len, all.obj[DA_EV_VCA].len);
		assert_memory_equal(ev.obj[DA_EV_VCA].data, all.obj[DA_EV_VCA].data,
				    all.obj[DA_EV_VCA].len);
		da_evidence_free(&ev);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		unsigned int t = types[i];
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV0, .have_mask = true, .mask = 1u << t };
		uint8_t h[32];

		if (!(all.present & (1u << t)))
			continue;
		assert_int_equal(cli_xfer(fd, &r, &one), 0);
		assert_int_equal(one.error, 0);
		assert_int_equal(one.present, 1u << t);
		assert_int_equal(one.obj[t].len, all.obj[t].len);
		assert_memory_equal(one.obj[t].data, all.obj[t].data, one.obj[t].len);
		if (t <= 7) {
			/* SPDM chain: u16 length of the whole chain first. */
			struct cur c = cur_init(one.obj[t].data, one.obj[t].len);
			uint16_t len;

			assert_int_equal(cur_u16(&c, &len), 0);
			assert_int_equal(len, one.obj[t].len);
		}
		r.ev_flags = PCI_TSM_EVIDENCE_FLAG_DIGEST;
		assert_int_equal(cli_xfer(fd, &r, &dig), 0);
		assert_int_equal(dig.error, 0);
		assert_int_equal(dig.hash_algo, SPDM_HASH_SHA256);
		assert_int_equal(dig.obj[t].len, 32);
		assert_int_equal(spdm_hash(SPDM_HASH_SHA256, one.obj[t].data, one.obj[t].len, h), 0);
		assert_memory_equal(dig.obj[t].data, h, 32);
		cli_dump_free(&one);
		cli_dump_free(&dig);
	}

	snprintf(bundle, sizeof(bundle), "%s/dev0.bundle", rig.dir);
	assert_int_equal(devauth(&rig, out, sizeof(out), "evidence", DEV0, "-o", bundle, NULL), 0);
	da_evidence_init(&ev);
	assert_int_equal(da_evidence_read_file(bundle, &ev, &err), 0);
	assert_string_equal(ev.dev_name, DEV0);
	assert_int_equal(ev.obj[DA_EV_VCA].len, all.obj[DA_EV_VCA].len);
	assert_memory_equal(ev.obj[DA_EV_VCA].data, all.obj[DA_EV_VCA].data, ev.obj[DA_EV_VCA].len);
	assert_int_equal(ev.obj[DA_EV_MEASUREMENTS].len, all.obj[DA_EV_MEASUREMENTS].len);
	assert_int_equal(ev.generation, all.generation);
	da_evidence_free(&ev);

	assert_int_equal(devauth(&rig, out, sizeof(out), "evidence", DEV0, "--digest", "--type",
				 "cert0,vca", NULL), 0);
	assert_non_null(strstr(out, "SHA-256"));
	assert_null(strstr(out, "measurements"));
	cli_dump_free(&all);
	close(fd);
}

static bool contains(const struct da_buf *b, const uint8_t *needle, size_t n)
{
	return b->len >= n && memmem(b->data, b->len, needle, n) != NULL;
}

/* NONCE re-challenges: the transcript carries it, and the generation bumps. */
static void test_nonce_refresh(void **state)
{
	uint8_t n1[32], n2[32];
	struct cli_dump a, b, c;
	int fd = cli_open(rig.sock);
	struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP, .dev = DEV0,
			     .have_mask = true,
			     .mask = (1u << DA_EV_VCA) | (1u << DA_EV_MEASUREMENTS) };

	alarm(120);
	assert_true(fd >= 0);
	assert_int_equal(da_random(n1, sizeof(n1)), 0);
	assert_int_equal(da_random(n2, sizeof(n2)), 0);
	assert_int_equal(cli_xfer(fd, &r, &a), 0);
	assert_int_equal(a.error, 0);
	assert_false(contains(&a.obj[DA_EV_VCA], n1, 32));

	r.nonce = n1;
	r.nonce_len = 32;
	assert_int_equal(cli_xfer(fd, &r, &b), 0);
	assert_int_equal(b.error, 0);
	assert_int_equal(b.generation, a.generation + 1);
	assert_true(contains(&b.obj[DA_EV_VCA], n1, 32));
	assert_true(contains(&b.obj[DA_EV_MEASUREMENTS], n1, 32));
	assert_true(b.obj[DA_EV_VCA].len != a.obj[DA_EV_VCA].len ||
		    memcmp(b.obj[DA_EV_VCA].data, a.obj[DA_EV_VCA].data, a.obj[DA_EV_VCA].len));

	r.nonce = n2;
	assert_int_equal(cli_xfer(fd, &r, &c), 0);
	assert_int_equal(c.error, 0);
	assert_int_equal(c.generation, b.generation + 1);
	assert_true(contains(&c.obj[DA_EV_VCA], n2, 32));
	assert_false(contains(&c.obj[DA_EV_VCA], n1, 32));

	/* A nonce that is not SPDM's 32 bytes is refused, naming the device. */
	r.nonce_len = 16;
	expect_error(fd, &r, -EINVAL, DEV0 ": EVIDENCE_READ: NONCE is 16 bytes");
	cli_dump_free(&a);
	cli_dump_free(&b);
	cli_dump_free(&c);
	close(fd);
}

/* A second devauthd on the same devices whose dumps pause between objects. */
static void test_dump_eagain(void **state)
{
	static const char *const extra[] = { "--dump-delay-ms", "3000", NULL };
	struct rig r2 = rig;
	uint8_t nonce[32];
	struct pci_tsm_msg m;
	struct da_buf val = { 0 };
	int fa, fb, ret;
	bool done = false;

	alarm(120);
	snprintf(r2.sock, sizeof(r2.sock), "%s/d2.sock", rig.dir);
	snprintf(r2.d_ready, sizeof(r2.d_ready), "%s/d2.ready", rig.dir);
	snprintf(r2.d_cfg, sizeof(r2.d_cfg), "%s/d2.json", rig.dir);
	snprintf(r2.state, sizeof(r2.state), "%s/state2", rig.dir);
	snprintf(r2.d.log, sizeof(r2.d.log), "%s/d2.log", rig.dir);
	r2.emu.pid = 0;
	/*
	 * A device's link belongs to one daemon for that daemon's life: the
	 * second one uses a device the first has not opened (yet), and
	 * releases it with CONTINUE when it stops.
	 */
	assert_int_equal(rig_start_daemon(&r2, extra), 0);
	assert_int_equal(devauth(&r2, out, sizeof(out), "connect", DEV_NOSAN, NULL), 0);

	fa = cli_open(r2.sock);
	fb = cli_open(r2.sock);
	assert_true(fa >= 0 && fb >= 0);
	{
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV_NOSAN, .have_mask = true, .mask = PCI_TSM_TYPES_NATIVE };

		assert_true(cli_request(fa, &r) > 0);
	}
	/* The first object arrived: the dump is under way. */
	assert_int_equal(cli_recv(fa, &m, &val, NULL), 0);
	assert_true(pci_tsm_has(&m, PCI_TSM_A_EVIDENCE_TYPE));
	{
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV_NOSAN, .have_mask = true, .mask = 1u << DA_EV_VCA,
				     .nonce = nonce, .nonce_len = 32 };
		struct cli_dump d;

		assert_int_equal(da_random(nonce, sizeof(nonce)), 0);
		assert_int_equal(cli_xfer(fb, &r, &d), 0);
		assert_int_equal(d.error, 0);
		assert_int_equal(d.generation, m.generation + 1);
		cli_dump_free(&d);
	}
	while (!done) {
		ret = cli_recv(fa, &m, &val, NULL);
		assert_int_equal(ret, 0);
		if (m.nl_type == NLMSG_DONE || m.nl_type == NLMSG_ERROR) {
			assert_int_equal(m.error, -EAGAIN);
			assert_non_null(strstr(m.extack, "changed during the dump"));
			done = true;
		}
	}
	da_buf_free(&val);
	expect_alive(fa);
	close(fa);
	close(fb);
	assert_int_equal(rig_stop_daemon(&r2), 0);
}

static void send_raw_expect(int fd, const void *buf, size_t len, int error)
{
	struct pci_tsm_msg m;

	assert_int_equal(cli_send(fd, buf, len), 0);
	assert_int_equal(cli_recv(fd, &m, NULL, NULL), 0);
	assert_int_equal(m.nl_type, NLMSG_ERROR);
	if (m.error != error)
		fail_msg("expected %d, got %d \"%s\"", error, m.error, m.extack);
	assert_true(m.extack[0] != '\0');
}

static void test_malformed(void **state)
{
	uint32_t buf[3000];
	struct nlmsghdr *nlh;
	int fd = cli_open(rig.sock);

	alarm(120);
	assert_true(fd >= 0);
	/* Garbage shorter than a header. */
	send_raw_expect(fd, "abc", 3, -EBADMSG);
	/* nlmsg_len says more than was sent (truncated). */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_DEV_NAME, DEV0);
	send_raw_expect(fd, buf, nlh->nlmsg_len - 8, -EBADMSG);
	/* An attribute whose length runs past the message. */
	{
		struct nlattr *a;

		nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 2);
		a = mnl_nlmsg_get_payload_tail(nlh);
		pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_SLOT, 1);
		a->nla_len = 200;
		send_raw_expect(fd, buf, nlh->nlmsg_len, -EINVAL);
	}
	/* Oversized: larger than any request. */
	memset(buf, 0, sizeof(buf));
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 3);
	nlh->nlmsg_len = sizeof(buf);
	send_raw_expect(fd, buf, sizeof(buf), -EMSGSIZE);
	/* Unknown command, unknown attribute, wrong attribute size, wrong family, version. */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), 77, NLM_F_REQUEST, 4);
	send_raw_expect(fd, buf, nlh->nlmsg_len, -EOPNOTSUPP);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 5);
	mnl_attr_put_u32(nlh, 99, 1);
	send_raw_expect(fd, buf, nlh->nlmsg_len, -EINVAL);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_CONNECT, NLM_F_REQUEST, 6);
	mnl_attr_put_u16(nlh, PCI_TSM_A_SLOT, 1);
	send_raw_expect(fd, buf, nlh->nlmsg_len, -EINVAL);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 7);
	nlh->nlmsg_type = 0x33;
	send_raw_expect(fd, buf, nlh->nlmsg_len, -EOPNOTSUPP);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 8);
	((uint8_t *)mnl_nlmsg_get_payload(nlh))[1] = 9;
	send_raw_expect(fd, buf, nlh->nlmsg_len, -EOPNOTSUPP);
	/* A string without its NUL. */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_CONNECT, NLM_F_REQUEST, 9);
	mnl_attr_put(nlh, PCI_TSM_A_EVIDENCE_DEV_NAME, 4, "0000");
	send_raw_expect(fd, buf, nlh->nlmsg_len, -EINVAL);
	expect_alive(fd);

	/* Well-formed requests that are wrong: the reply names the device and the reason. */
	{
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV0, .have_mask = true, .mask = 1u << DA_EV_VCA };

		r.dev = NULL;
		expect_error(fd, &r, -EINVAL, "DEV_NAME is required");
		r.dev = "0000:99:00.0";
		expect_error(fd, &r, -ENODEV, "0000:99:00.0: no such device");
		r.dev = DEV_SLOW;
		expect_error(fd, &r, -ENXIO, DEV_SLOW ": no evidence");
		/* A fresh nonce re-authenticates connected devices only. */
		r.nonce = (const uint8_t *)"0123456789abcdef0123456789abcdef";
		r.nonce_len = SPDM_NONCE_SIZE;
		r.dev = DEV_BADSIG;
		expect_error(fd, &r, -ENXIO, DEV_BADSIG ": not connected to a TSM (state ");
		r.nonce = NULL;
		r.nonce_len = 0;
		r.dev = DEV0;
		r.have_mask = false;
		expect_error(fd, &r, -EINVAL, "TYPE_MASK is required");
		r.have_mask = true;
		r.mask = 1u << 20;
		expect_error(fd, &r, -EINVAL, "unknown type");
		r.mask = 1u << DA_EV_VCA;
		r.ev_flags = 0x80;
		expect_error(fd, &r, -EINVAL, "unknown FLAGS");
		r.ev_flags = 0;
		r.flags = 0;
		expect_error(fd, &r, -EOPNOTSUPP, "dump");
	}
	{
		struct cli_req r = { .cmd = PCI_TSM_CMD_LOCK, .dev = DEV_SLOW };

		/* TDISP state rules; the flow itself runs against the DMTF device (daemon_tdisp). */
		expect_error(fd, &r, -ENOTCONN, DEV_SLOW ": LOCK: device is unconnected, not connected");
		r.dev = DEV0;
		r.cmd = PCI_TSM_CMD_UNLOCK;
		expect_error(fd, &r, -EALREADY, DEV0 ": UNLOCK: not locked");
		r.cmd = PCI_TSM_CMD_ACCEPT;
		expect_error(fd, &r, -EPERM, DEV0 ": ACCEPT: the interface is not locked");
		r.cmd = PCI_TSM_CMD_BIND;
		r.dev = DEV_SLOW;
		expect_error(fd, &r, -EPERM, DEV_SLOW ": refusing to bind: device is unconnected");
		r.cmd = PCI_TSM_CMD_UNBIND;
		expect_error(fd, &r, -EINVAL, "not bound");
		r.cmd = PCI_TSM_CMD_BIND;
		r.dev = DEV0;
		r.have_gen = true;
		r.gen = 12345;
		expect_error(fd, &r, -EAGAIN, "not the verified 12345");
	}
	expect_alive(fd);
	close(fd);
	assert_int_equal(kill(rig.d.pid, 0), 0);
}

struct hammer {
	int ok;
	int mode;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	int fd = cli_open(rig.sock);
	struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP, .dev = DEV0,
			     .have_mask = true, .mask = PCI_TSM_TYPES_NATIVE };

	if (fd < 0)
		return NULL;
	if (h->mode == 0) {
		struct cli_dump d;

		if (!cli_xfer(fd, &r, &d) && d.error == 0 && (d.present & (1u << DA_EV_VCA)))
			h->ok = 1;
		cli_dump_free(&d);
	} else if (h->mode == 1) {
		/* Vanish right after asking for a dump. */
		h->ok = cli_request(fd, &r) > 0;
	} else {
		/* Read one message of the dump, then vanish. */
		struct pci_tsm_msg m;

		h->ok = cli_request(fd, &r) > 0 && !cli_recv(fd, &m, NULL, NULL);
	}
	close(fd);
	return NULL;
}

static void test_concurrent_clients(void **state)
{
	enum { N = 200, V = 60 };
	static struct hammer h[N + V];
	pthread_t th[N + V];
	int ok = 0;

	alarm(180);
	for (int i = 0; i < N + V; i++) {
		h[i].mode = i < N ? 0 : 1 + (i % 2);
		h[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, hammer_thread, &h[i]), 0);
	}
	for (int i = 0; i < N + V; i++) {
		pthread_join(th[i], NULL);
		ok += h[i].ok;
	}
	assert_int_equal(ok, N + V);
	{
		int fd = cli_open(rig.sock);

		assert_true(fd >= 0);
		expect_alive(fd);
		close(fd);
	}
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", NULL), 0);
}

static void test_eperm(void **state)
{
	pid_t pid;
	int st;

	alarm(60);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV0, .have_mask = true, .mask = 1u << DA_EV_VCA };
		struct cli_dump d;
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		fd = cli_open(rig.sock);
		if (fd < 0)
			_exit(11);
		if (cli_xfer(fd, &r, &d) || d.error != -EPERM ||
		    !strstr(d.extack, "permission denied") || !strstr(d.extack, DEV0))
			_exit(12);
		r = (struct cli_req){ .cmd = PCI_TSM_CMD_CONNECT, .dev = DEV0 };
		if (cli_xfer(fd, &r, &d) || d.error != -EPERM)
			_exit(13);
		r = (struct cli_req){ .cmd = PCI_TSM_CMD_BIND, .dev = DEV0 };
		if (cli_xfer(fd, &r, &d) || d.error != -EPERM)
			_exit(14);
		/* State is public, as sysfs is. */
		r = (struct cli_req){ .cmd = PCI_TSM_CMD_LIST, .flags = NLM_F_DUMP };
		if (cli_xfer(fd, &r, &d) || d.error != 0)
			_exit(15);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/*
 * A client uid 65534 with the given groups: 0 when a privileged request
 * got past the check (any answer but EPERM), 1 when refused with EPERM.
 */
static int privileged_as(gid_t gid, const gid_t *groups, size_t ngroups)
{
	pid_t pid;
	int st;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cli_req r = { .cmd = PCI_TSM_CMD_EVIDENCE_READ, .flags = NLM_F_DUMP,
				     .dev = DEV0, .have_mask = true, .mask = 1u << DA_EV_VCA };
		struct cli_dump d;
		int fd;

		if (setgroups(ngroups, groups) || setgid(gid) || setuid(65534))
			_exit(10);
		fd = cli_open(rig.sock);
		if (fd < 0)
			_exit(11);
		if (cli_xfer(fd, &r, &d))
			_exit(12);
		if (d.error == -EPERM)
			_exit(strstr(d.extack, "permission denied") ? 1 : 13);
		if (strstr(d.extack, "permission denied"))
			_exit(14);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The devauth group: by primary gid or supplementary group; anyone else is refused. */
static void test_group(void **state)
{
	const gid_t member[] = { 65534, priv_gid }, others[] = { 65534, 100 == priv_gid ? 101 : 100 };

	alarm(60);
	assert_int_equal(privileged_as(priv_gid, NULL, 0), 0);
	assert_int_equal(privileged_as(65534, member, 2), 0);
	assert_int_equal(privileged_as(65534, others, 2), 1);
	assert_int_equal(privileged_as(65534, NULL, 0), 1);
}

/* A device that never answers in time costs only its own callers. */
static void *slow_connect(void *arg)
{
	static char o[4096];
	int *rc = arg;

	__atomic_store_n(rc, devauth(&rig, o, sizeof(o), "connect", DEV_SLOW, NULL),
			 __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_slow_device(void **state)
{
	pthread_t th;
	int rc = -2;

	alarm(120);
	assert_int_equal(pthread_create(&th, NULL, slow_connect, &rc), 0);
	/* Let the slow connect start: wait until the daemon reports the device connecting. */
	for (int i = 0; i < 500; i++) {
		devauth(&rig, out, sizeof(out), "list", DEV_SLOW, NULL);
		if (strstr(out, "connecting"))
			break;
		usleep(10000);
	}
	assert_non_null(strstr(out, "connecting"));
	/*
	 * The others must not wait for it: another device connects and the
	 * list answers while the slow connect is still under way.
	 */
	assert_int_equal(devauth(&rig, out, sizeof(out), "connect", DEV1, NULL), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", NULL), 0);
	assert_int_equal(__atomic_load_n(&rc, __ATOMIC_SEQ_CST), -2);
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV_SLOW, NULL), 0);
	assert_non_null(strstr(out, "connecting"));
	pthread_join(th, NULL);
	assert_int_equal(rc, 1);
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV_SLOW, NULL), 0);
	assert_non_null(strstr(out, "failed"));
}

static void expect_event(int fd, uint32_t event, const char *dev, const char *reason)
{
	struct pci_tsm_msg m;

	assert_int_equal(cli_recv(fd, &m, NULL, NULL), 0);
	assert_int_equal(m.nl_type, PCI_TSM_LOCAL_FAMILY_ID);
	assert_int_equal(m.cmd, PCI_TSM_CMD_EVENT);
	if (m.event != event)
		fail_msg("expected event %s, got %s", pci_tsm_event_name(event),
			 pci_tsm_event_name(m.event));
	assert_string_equal(m.dev_name, dev);
	if (reason)
		assert_non_null(strstr(m.status, reason));
}

/* The "events" group: every subscriber gets every state change, in order. */
static void test_events(void **state)
{
	int fa = cli_open(rig.sock), fb = cli_open(rig.sock), fc = cli_open(rig.sock);
	struct cli_req sub = { .cmd = PCI_TSM_CMD_SUBSCRIBE };
	struct cli_dump d;
	int fds[2];

	alarm(120);
	assert_true(fa >= 0 && fb >= 0 && fc >= 0);
	assert_int_equal(cli_xfer(fa, &sub, &d), 0);
	assert_int_equal(d.error, 0);
	cli_dump_free(&d);
	assert_int_equal(cli_xfer(fb, &sub, &d), 0);
	assert_int_equal(d.error, 0);
	cli_dump_free(&d);
	{
		uint32_t buf[64];
		struct nlmsghdr *nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_SUBSCRIBE,
						       NLM_F_REQUEST, 1);

		pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_MCGRP, 7);
		send_raw_expect(fc, buf, nlh->nlmsg_len, -EINVAL);
		nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVENT, NLM_F_REQUEST, 2);
		send_raw_expect(fc, buf, nlh->nlmsg_len, -EOPNOTSUPP);
	}
	assert_int_equal(devauth(&rig, out, sizeof(out), "connect", DEV1, NULL), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "bind", DEV1, NULL), 0);
	/*
	 * Binding twice is done, not redone: the TSM says EALREADY (and makes
	 * no event), the CLI reports "already bound" and exits 0.
	 */
	assert_int_equal(devauth(&rig, out, sizeof(out), "bind", DEV1, "--json", NULL), 0);
	if (!strstr(out, "\"detail\":\"already bound\""))
		fail_msg("second bind: %s", out);
	assert_int_equal(devauth(&rig, out, sizeof(out), "unbind", DEV1, NULL), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "disconnect", DEV1, NULL), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "connect", DEV_BADSIG, NULL), 1);
	fds[0] = fa;
	fds[1] = fb;
	for (int i = 0; i < 2; i++) {
		expect_event(fds[i], PCI_TSM_EVENT_CONNECTED, DEV1, NULL);
		expect_event(fds[i], PCI_TSM_EVENT_BOUND, DEV1, NULL);
		expect_event(fds[i], PCI_TSM_EVENT_UNBOUND, DEV1, NULL);
		expect_event(fds[i], PCI_TSM_EVENT_DISCONNECTED, DEV1, NULL);
		expect_event(fds[i], PCI_TSM_EVENT_CONNECT_FAILED, DEV_BADSIG, "CHALLENGE_AUTH");
	}
	/* A subscriber still answers requests. */
	expect_alive(fa);
	close(fa);
	close(fb);
	/* The one that did not subscribe got nothing but its replies. */
	expect_alive(fc);
	close(fc);
	assert_int_equal(devauth(&rig, out, sizeof(out), "connect", DEV1, NULL), 0);
}

static void test_attest_all(void **state)
{
	char policy[400];
	FILE *f;
	int rc;

	alarm(180);
	snprintf(policy, sizeof(policy), "%s/policy.json", rig.dir);
	f = fopen(policy, "w");
	assert_non_null(f);
	fputs("{ \"version\": 1, \"require_pcie_identity\": true }\n", f);
	fclose(f);
	/* The slow device would only time out again. */
	rc = devauth(&rig, out, sizeof(out), "attest", DEV0, DEV1, DEV_NOSAN, DEV_BADSIG,
		     "--policy", policy, "--insecure-no-trust-anchor", NULL);
	assert_int_equal(rc, 1);
	{
		char *l0 = strstr(out, "\n" DEV0), *l1 = strstr(out, "\n" DEV1);
		char *ln = strstr(out, "\n" DEV_NOSAN), *lb = strstr(out, "\n" DEV_BADSIG);

		assert_non_null(l0);
		assert_non_null(l1);
		assert_non_null(ln);
		assert_non_null(lb);
		assert_int_equal(strncmp(l0 + 16, "accepted  yes", 13), 0);
		assert_int_equal(strncmp(l1 + 16, "accepted  yes", 13), 0);
		assert_int_equal(strncmp(ln + 16, "refused   no", 12), 0);
		assert_int_equal(strncmp(lb + 16, "refused   no", 12), 0);
		/* The verifier's reason for the one the TSM accepted. */
		assert_non_null(strstr(ln, "identity"));
		assert_non_null(strstr(lb, "CHALLENGE_AUTH"));
	}
	assert_non_null(strstr(out, "4 device(s): 2 accepted, 2 refused"));
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV0, NULL), 0);
	assert_non_null(strstr(out, "bound"));
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV_NOSAN, NULL), 0);
	assert_non_null(strstr(out, "connected"));
	assert_null(strstr(out, "bound"));
	/* Bound devices cannot be disconnected. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "disconnect", DEV0, NULL), 1);
	assert_non_null(strstr(out, "unbind first"));
	/* Disconnect drops the evidence. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "disconnect", DEV_NOSAN, NULL), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV_NOSAN, NULL), 0);
	assert_non_null(strstr(out, "unconnected"));
	assert_int_equal(devauth(&rig, out, sizeof(out), "evidence", DEV_NOSAN, "--digest", NULL), 1);
	assert_non_null(strstr(out, DEV_NOSAN ": no evidence"));
	/* --json of one device carries the verdict (attest connects it again). */
	rc = devauth(&rig, out, sizeof(out), "attest", DEV_NOSAN, "--policy", policy, "--json",
		     "--insecure-no-trust-anchor", NULL);
	assert_int_equal(rc, 1);
	{
		json_object *j = json_tokener_parse(out), *o, *v;

		assert_non_null(j);
		o = json_object_array_get_idx(j, 0);
		assert_true(json_object_object_get_ex(o, "accepted", &v));
		assert_false(json_object_get_boolean(v));
		assert_true(json_object_object_get_ex(o, "verdict", &v));
		json_object_put(j);
	}
}

static void test_restart_keeps_state(void **state)
{
	char path[400];
	json_object *j, *devs, *d;

	alarm(120);
	assert_int_equal(rig_stop_daemon(&rig), 0);
	snprintf(path, sizeof(path), "%s/state.json", rig.state);
	j = json_object_from_file(path);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "devices", &devs));
	assert_true(json_object_object_get_ex(devs, DEV0, &d));
	assert_false(json_object_object_get_ex(devs, DEV_NOSAN, &d));
	json_object_put(j);

	assert_int_equal(rig_start_daemon(&rig, (const char *const[]){ "--socket-mode", "0666",
								      NULL }), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV0, NULL), 0);
	assert_non_null(strstr(out, "bound"));
	assert_int_equal(devauth(&rig, out, sizeof(out), "unbind", DEV0, NULL), 0);
	assert_int_equal(rig_stop_daemon(&rig), 0);
	assert_int_equal(rig_start_daemon(&rig, (const char *const[]){ "--socket-mode", "0666",
								      NULL }), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV0, NULL), 0);
	assert_null(strstr(out, "bound"));
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", DEV1, NULL), 0);
	assert_non_null(strstr(out, "bound"));
	/* The unbind reached the file. */
	assert_false(file_contains(path, DEV0));
}

static void bad_config(const char *json, const char *needle)
{
	char cfg[400], bin[512];
	const char *argv[] = { bin_path("src/devauthd/devauthd", bin, sizeof(bin)), "--config", cfg,
			       "--socket", "/nonexistent/never.sock", "--state-dir", rig.state,
			       NULL };
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/bad.json", rig.dir);
	f = fopen(cfg, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	assert_int_equal(run(argv, out, sizeof(out), 20000), 1);
	if (!strstr(out, needle))
		fail_msg("expected \"%s\" in: %s", needle, out);
}

/* Config errors name the file, the device and the key; the socket gets its mode. */
static void test_config(void **state)
{
	struct rig r3 = rig;
	struct stat st;

	alarm(60);
	bad_config("{ \"devices\": [ { \"name\": \"0000:01:00.0\", \"transport\": \"127.0.0.1:1\","
		   " \"colour\": 1 } ] }", "bad.json: device 0000:01:00.0: key \"colour\": unknown");
	bad_config("{ \"devices\": [ { \"name\": \"0000:01:00.0\" } ] }",
		   "device 0000:01:00.0: needs a \"transport\"");
	bad_config("{ \"devices\": [ { \"name\": \"a\", \"transport\": \"x:1\" },"
		   " { \"name\": \"a\", \"transport\": \"x:2\" } ] }", "device a given twice");
	bad_config("{ \"devices\": [ { \"name\": \"a\", \"transport\": \"x:1\","
		   " \"framing\": \"usb\" } ] }", "key \"framing\"");
	bad_config("{ \"devices\": [ { \"name\": \"a\", \"transport\": \"x:1\","
		   " \"pci\": { \"vendor\": 1 } } ] }", "key \"pci.device\" is required");
	bad_config("{ \"tsms\": [ { \"name\": \"tsm1\", \"type\": \"tdx\" } ] }",
		   "only \"native-spdm\"");
	bad_config("[ 1 ]", "not a JSON object");
	bad_config("{ \"devices\": [ { \"name\": \"a\", \"transport\": \"x:1\","
		   " \"transport\": \"x:2\" } ] }", "bad.json: devices[0].transport: key given twice");
	bad_config("{ \"devices\": [ { \"name\": \"a\", \"transport\": \"x:1\","
		   " \"pci\": { \"vendor\": 1, \"device\": 2, \"class\": 3, \"revision\": 4,"
		   " \"ssvid\": 5 } } ] }", "\"pci.ssvid\" and \"pci.ssid\" go together");
	bad_config("{ \"devices\": [ ", "bad.json: offset 15: invalid JSON");

	/* Default mode 0660. */
	snprintf(r3.sock, sizeof(r3.sock), "%s/d3.sock", rig.dir);
	snprintf(r3.d_ready, sizeof(r3.d_ready), "%s/d3.ready", rig.dir);
	snprintf(r3.d_cfg, sizeof(r3.d_cfg), "%s/d3.json", rig.dir);
	snprintf(r3.state, sizeof(r3.state), "%s/state3", rig.dir);
	snprintf(r3.d.log, sizeof(r3.d.log), "%s/d3.log", rig.dir);
	r3.emu.pid = 0;
	assert_int_equal(rig_start_daemon(&r3, NULL), 0);
	assert_int_equal(stat(r3.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(rig_stop_daemon(&r3), 0);
	/* The socket and the ready file go away with the daemon. */
	assert_int_not_equal(access(r3.sock, F_OK), 0);
	assert_int_not_equal(access(r3.d_ready, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_list_connect),
		cmocka_unit_test(test_evidence_types),
		cmocka_unit_test(test_nonce_refresh),
		cmocka_unit_test(test_dump_eagain),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_concurrent_clients),
		cmocka_unit_test(test_eperm),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_slow_device),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_attest_all),
		cmocka_unit_test(test_restart_keeps_state),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

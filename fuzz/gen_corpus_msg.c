/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_msg: for every direction and every request,
 * one well-formed message (with the fds it needs), and one stream of three
 * messages back to back. Run it from the source tree after changing the
 * table:  build-asan/fuzz/gen_corpus_msg fuzz/corpus/msg
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vu_msg.h"

static size_t
valid_message(uint8_t *out, enum vu_msg_kind kind, uint32_t req, unsigned int *nfds)
{
	const struct vu_msg_info *info = vu_msg_info(kind, req);
	bool reply = kind == VU_MSG_FRONTEND_REPLY || kind == VU_MSG_BACKEND_REPLY;
	struct vu_msg_hdr h = { req, VU_PROTO_VERSION | (reply ? VU_FLAG_REPLY : 0), 0 };
	uint8_t fds = reply ? (info->reply == VU_REPLY_ALWAYS ? info->reply_fds : VU_FDS_NONE)
			    : info->fds;
	union vu_msg_payload p;

	memset(&p, 0, sizeof(p));
	h.size = reply ? (info->reply == VU_REPLY_ALWAYS ? info->reply_min : 8) : info->min_size;
	if (!reply && req == VU_REQ_SET_MEM_TABLE) {
		p.mem.nregions = 1;
		p.mem.regions[0] = (struct vu_mem_region){ 0, 1 << 21, 0x7f0000000000, 0 };
		h.size += sizeof(struct vu_mem_region);
	}
	if (fds == VU_FDS_VRING)
		p.u64 = VU_VRING_NOFD;
	*nfds = (fds == VU_FDS_ONE || fds == VU_FDS_REGIONS) ? 1 : 0;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), &p, h.size);
	return sizeof(h) + h.size;
}

static void
write_seed(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	static const char *const kinds[] = { "freq", "frep", "breq", "brep" };
	uint8_t buf[3 + 3 * (sizeof(struct vu_msg_hdr) + VU_MSG_PAYLOAD_MAX)];
	unsigned int kind, nfds;
	uint32_t req;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 1;
	}
	for (kind = 0; kind < 4; kind++) {
		uint32_t max = kind < 2 ? VU_REQ_MAX : VU_BREQ_MAX;

		for (req = 1; req < max; req++) {
			char name[64];
			size_t len = valid_message(buf + 3, kind, req, &nfds);

			buf[0] = (uint8_t)kind;
			buf[1] = (uint8_t)nfds;
			buf[2] = 0;
			snprintf(name, sizeof(name), "%s-%02u-%s", kinds[kind], req,
				 vu_msg_name(kind, req));
			write_seed(argv[1], name, buf, 3 + len);
		}
	}
	/* A stream: GET_FEATURES, SET_FEATURES, SET_VRING_NUM, split after the first. */
	{
		size_t len = 3;

		len += valid_message(buf + len, VU_MSG_FRONTEND_REQ, VU_REQ_GET_FEATURES, &nfds);
		buf[2] = (uint8_t)(len - 3);
		len += valid_message(buf + len, VU_MSG_FRONTEND_REQ, VU_REQ_SET_FEATURES, &nfds);
		len += valid_message(buf + len, VU_MSG_FRONTEND_REQ, VU_REQ_SET_VRING_NUM, &nfds);
		buf[0] = VU_MSG_FRONTEND_REQ;
		buf[1] = 0;
		write_seed(argv[1], "stream-3", buf, len);
	}
	return 0;
}

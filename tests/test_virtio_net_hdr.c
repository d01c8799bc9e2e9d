/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmit header net_virtio_user puts in front of a packet
 * (virtio_net_hdr_put_tx): the right ten bytes, num_buffers as the device
 * left it, nothing beyond a legacy header, and no store at all when the
 * bytes are already right (checked on a read-only page).
 */
#include <sys/mman.h>

#include "virtio_net.h"
#include "vu_test.h"

static const struct virtio_net_hdr zero_hdr;

static void
test_fields_and_num_buffers(void)
{
	uint8_t buf[64];
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
				    .csum_offset = 16 };
	struct virtio_net_hdr *got = (struct virtio_net_hdr *)buf;

	memset(buf, 0xa5, sizeof(buf));
	got->num_buffers = 1;		/* what the device wrote on receive */
	virtio_net_hdr_put_tx(buf, &h);
	CHECK_EQ(got->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(got->gso_type, 0);
	CHECK_EQ(got->hdr_len, 0);
	CHECK_EQ(got->gso_size, 0);
	CHECK_EQ(got->csum_start, 34);
	CHECK_EQ(got->csum_offset, 16);
	CHECK_EQ(got->num_buffers, 1);
	CHECK_EQ(buf[sizeof(*got)], 0xa5);
}

/* Without VERSION_1 or MRG_RXBUF the header is 10 bytes and the frame
 * starts right after it: its first bytes must survive. */
static void
test_legacy_header_leaves_frame(void)
{
	uint8_t buf[VIRTIO_NET_HDR_LEN_LEGACY + RTE_ETHER_ADDR_LEN];
	static const uint8_t dst_mac[RTE_ETHER_ADDR_LEN] = { 2, 0, 0, 0, 0, 1 };

	memset(buf, 0xff, VIRTIO_NET_HDR_LEN_LEGACY);
	memcpy(buf + VIRTIO_NET_HDR_LEN_LEGACY, dst_mac, sizeof(dst_mac));
	virtio_net_hdr_put_tx(buf, &zero_hdr);
	CHECK(memcmp(buf, &zero_hdr, VIRTIO_NET_HDR_LEN_LEGACY) == 0);
	CHECK(memcmp(buf + VIRTIO_NET_HDR_LEN_LEGACY, dst_mac, sizeof(dst_mac)) == 0);
}

/* A header already right is only read: on a read-only page a store would
 * be SIGSEGV, which the harness reports as this case's failure. */
static void
test_no_store_when_equal(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *page = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct virtio_net_hdr *h;

	CHECK(page != MAP_FAILED);
	h = (struct virtio_net_hdr *)(page + pg - sizeof(*h));
	h->num_buffers = 3;
	CHECK_EQ(mprotect(page, (size_t)pg, PROT_READ), 0);
	virtio_net_hdr_put_tx(h, &zero_hdr);
	CHECK_EQ(h->num_buffers, 3);
	munmap(page, (size_t)pg);
}

VU_TEST_MAIN(
	VU_TEST_CASE(test_fields_and_num_buffers),
	VU_TEST_CASE(test_legacy_header_leaves_frame),
	VU_TEST_CASE(test_no_store_when_equal),
)

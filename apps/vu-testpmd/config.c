/* SPDX-License-Identifier: BSD-3-Clause */
/* "show config fwd", the banner "start" prints, "show port info". */
#include <inttypes.h>
#include <stdio.h>

#include <rte_lcore.h>

#include "testpmd.h"

static void
stream_display(const struct fwd_stream *fs)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_ether_addr peer;

	printf("  RX P=%u/Q=%u (socket %u) -> TX P=%u/Q=%u (socket %u) ", fs->rx_port,
	       fs->rx_queue, rte_socket_id(), fs->tx_port, fs->tx_queue, rte_socket_id());
	if (cur_fwd_eng != &rxonly_engine) {
		peer_mac(fs->tx_port, &peer);
		mac_format(mac, sizeof(mac), &peer);
		printf("peer=%s", mac);
	}
	printf("\n");
}

static void
fwd_config_print(void)
{
	unsigned int lc, s;

	printf("%s packet forwarding - ports=%u - cores=%u - streams=%u - "
	       "NUMA support disabled, MP allocation mode: native\n",
	       cur_fwd_eng->name, nb_ports, nb_fwd_lcores_used, nb_fwd_streams);
	for (lc = 0; lc < nb_fwd_lcores_used; lc++) {
		const struct fwd_lcore *fc = &fwd_lcores[lc];

		printf("Logical Core %u (socket %u) forwards packets on %u streams:\n",
		       fc->lcore_id, rte_lcore_to_socket_id(fc->lcore_id), fc->stream_nb);
		for (s = 0; s < fc->stream_nb; s++)
			stream_display(&fwd_streams[fc->stream_idx + s]);
	}
	printf("\n");
}

void
fwd_config_display(void)
{
	/* While forwarding, the streams are the lcores': show them as they are. */
	if (!fwd_running)
		fwd_config_setup();
	fwd_config_print();
}

void
fwd_start_banner(void)
{
	uint16_t i, q;

	fwd_config_print();
	printf("  %s packet forwarding packets/burst=%u\n", cur_fwd_eng->name, nb_pkt_per_burst);
	if (cur_fwd_eng == &txonly_engine || cur_fwd_eng == &flowgen_engine)
		printf("  packet len=%" PRIu32 " - nb packet segments=%u\n", tx_pkt_length,
		       tx_pkt_nb_segs);
	printf("  nb forwarding cores=%u - nb forwarding ports=%u\n", nb_fwd_lcores_used,
	       nb_ports);
	for (i = 0; i < nb_ports; i++) {
		printf("  port %u: RX queue number: %u Tx queue number: %u\n", port_ids[i], nb_rxq,
		       nb_txq);
		for (q = 0; q < nb_rxq; q++)
			printf("    RX queue: %u\n      RX desc=%u\n", q, nb_rxd);
		for (q = 0; q < nb_txq; q++)
			printf("    TX queue: %u\n      TX desc=%u\n", q, nb_txd);
	}
}

void
port_infos_display(uint16_t pid)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct vu_port_info info;
	struct vu_port_link link;

	if (vu_port_info_get(pid, &info) != 0 || vu_port_link_get(pid, &link) != 0) {
		printf("Cannot get info of port %u\n", pid);
		return;
	}
	mac_format(mac, sizeof(mac), &info.mac);
	printf("\n********************* Infos for port %-2u *********************\n", pid);
	printf("MAC address: %s\n", mac);
	printf("Device name: %s\n", vu_ports[pid]->name);
	printf("Driver name: %s\n", info.driver);
	printf("Devargs: %s\n", ports[pid].devargs);
	printf("Connect to socket: %u\n", rte_socket_id());
	printf("Link status: %s\n", link.up ? "up" : "down");
	printf("Link speed: %u Gbps\n", link.speed_mbps / 1000);
	printf("Link duplex: %s\n", link.full_duplex ? "full-duplex" : "half-duplex");
	printf("MTU: %u\n", info.mtu);
	/* No vu port filters by destination MAC: every frame is received. */
	printf("Promiscuous mode: enabled\n");
	printf("Current number of RX queues: %u\n", info.nb_rx_queues);
	printf("Max possible RX queues: %u\n", info.max_rx_queues);
	printf("Current number of TX queues: %u\n", info.nb_tx_queues);
	printf("Max possible TX queues: %u\n", info.max_tx_queues);
	printf("Number of RXDs per queue: %u\n", info.nb_rx_desc);
	printf("Number of TXDs per queue: %u\n", info.nb_tx_desc);
	if (info.socket_path[0] != '\0') {
		printf("Vhost-user socket: %s (%s)\n", info.socket_path,
		       info.server ? "server" : "client");
		printf("Virtio features: 0x%016" PRIx64 "\n", info.features);
		printf("Vhost-user protocol features: 0x%016" PRIx64 "\n",
		       info.protocol_features);
	}
}

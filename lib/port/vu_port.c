/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu packet ports: driver registry, port table and the control functions of
 * vu_port.h. Each function checks the port's state here, once, so drivers
 * only implement the transitions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "vu_log.h"
#include "vu_port.h"

RTE_LOG_REGISTER_SUFFIX(vu_port_logtype_config, config, INFO);

#define PORT_LOG(level, name, fmt, ...) \
	VU_LOG(vu_port_logtype_config, level, "PORT", name, fmt, ##__VA_ARGS__)

/** Drivers a process may register; vu has a handful. */
#define PORT_DRIVER_MAX 16

struct vu_port *vu_ports[VU_PORT_MAX];

static const struct vu_port_ops *drivers[PORT_DRIVER_MAX];
static unsigned int nb_drivers;

int
vu_port_driver_register(const struct vu_port_ops *ops)
{
	unsigned int i;

	if (ops == NULL || ops->driver == NULL || ops->probe == NULL)
		return -EINVAL;
	for (i = 0; i < nb_drivers; i++)
		if (strcmp(drivers[i]->driver, ops->driver) == 0)
			return -EEXIST;
	if (nb_drivers == PORT_DRIVER_MAX)
		return -ENOSPC;
	drivers[nb_drivers++] = ops;
	return 0;
}

/* The driver whose prefix is the longest one @p name starts with. */
static const struct vu_port_ops *
find_driver(const char *name)
{
	const struct vu_port_ops *best = NULL;
	size_t best_len = 0;
	unsigned int i;

	for (i = 0; i < nb_drivers; i++) {
		size_t len = strlen(drivers[i]->driver);

		if (len > best_len && strncmp(name, drivers[i]->driver, len) == 0) {
			best = drivers[i];
			best_len = len;
		}
	}
	return best;
}

static struct vu_port *
port_get(uint16_t port_id)
{
	return port_id < VU_PORT_MAX ? vu_ports[port_id] : NULL;
}

static int
find_free_id(const char *name, uint16_t *id)
{
	int free_id = -1;
	uint16_t i;

	for (i = 0; i < VU_PORT_MAX; i++) {
		if (vu_ports[i] == NULL) {
			if (free_id < 0)
				free_id = i;
		} else if (strcmp(vu_ports[i]->name, name) == 0) {
			return -EEXIST;
		}
	}
	if (free_id < 0)
		return -ENOSPC;
	*id = free_id;
	return 0;
}

int
vu_port_create(const char *devargs, uint16_t *port_id)
{
	const struct vu_port_ops *ops;
	char name[VU_PORT_NAME_LEN];
	const char *comma, *args;
	struct vu_port *port;
	size_t len;
	uint16_t id;
	int ret;

	if (devargs == NULL || port_id == NULL)
		return -EINVAL;
	comma = strchr(devargs, ',');
	len = comma != NULL ? (size_t)(comma - devargs) : strlen(devargs);
	args = comma != NULL ? comma + 1 : "";
	if (len == 0 || len >= sizeof(name)) {
		PORT_LOG(ERR, devargs, "bad port name length %zu (1..%d)", len,
			 VU_PORT_NAME_LEN - 1);
		return -EINVAL;
	}
	memcpy(name, devargs, len);
	name[len] = '\0';
	ops = find_driver(name);
	if (ops == NULL) {
		PORT_LOG(ERR, name, "no port driver for this name");
		return -EINVAL;
	}
	ret = find_free_id(name, &id);
	if (ret != 0) {
		PORT_LOG(ERR, name, "%s", ret == -EEXIST ? "port exists" : "too many ports");
		return ret;
	}
	port = rte_zmalloc("vu_port", sizeof(*port), RTE_CACHE_LINE_SIZE);
	if (port == NULL)
		return -ENOMEM;
	port->id = id;
	port->ops = ops;
	snprintf(port->name, sizeof(port->name), "%s", name);
	ret = ops->probe(port, args);
	if (ret != 0) {
		PORT_LOG(ERR, name, "probe failed: %s", strerror(-ret));
		rte_free(port);
		return ret;
	}
	vu_ports[id] = port;
	*port_id = id;
	PORT_LOG(INFO, name, "port %u created (driver %s)", id, ops->driver);
	return 0;
}

int
vu_port_configure(uint16_t port_id, const struct vu_port_conf *conf)
{
	struct vu_port *port = port_get(port_id);
	struct vu_port_info info;
	int ret;

	if (port == NULL)
		return -ENODEV;
	if (port->started)
		return -EBUSY;
	if (conf == NULL || conf->mp == NULL || conf->nb_rx_queues == 0 ||
	    conf->nb_tx_queues == 0 || conf->nb_rx_queues > VU_MAX_QUEUE_PAIRS ||
	    conf->nb_tx_queues > VU_MAX_QUEUE_PAIRS)
		return -EINVAL;
	if (port->ops->info_get != NULL && port->ops->info_get(port, &info) == 0 &&
	    (conf->nb_rx_queues > info.max_rx_queues || conf->nb_tx_queues > info.max_tx_queues)) {
		PORT_LOG(ERR, port->name, "%u rx / %u tx queues asked, the port has %u / %u",
			 conf->nb_rx_queues, conf->nb_tx_queues, info.max_rx_queues,
			 info.max_tx_queues);
		return -EINVAL;
	}
	ret = port->ops->configure(port, conf);
	if (ret != 0) {
		/* The driver may have released the old queues: unconfigured now,
		 * so start refuses until a configure succeeds. */
		port->conf = (struct vu_port_conf){ 0 };
		return ret;
	}
	port->conf = *conf;
	return 0;
}

int
vu_port_start(uint16_t port_id)
{
	struct vu_port *port = port_get(port_id);
	int ret;

	if (port == NULL)
		return -ENODEV;
	if (port->started)
		return 0;
	if (port->conf.mp == NULL)
		return -EINVAL;
	ret = port->ops->start != NULL ? port->ops->start(port) : 0;
	if (ret == 0)
		port->started = true;
	return ret;
}

int
vu_port_stop(uint16_t port_id)
{
	struct vu_port *port = port_get(port_id);
	int ret;

	if (port == NULL)
		return -ENODEV;
	if (!port->started)
		return 0;
	ret = port->ops->stop != NULL ? port->ops->stop(port) : 0;
	if (ret == 0)
		port->started = false;
	return ret;
}

int
vu_port_close(uint16_t port_id)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	if (port->started && vu_port_stop(port_id) != 0)
		PORT_LOG(WARNING, port->name, "stop failed, closing anyway");
	if (port->ops->close != NULL)
		port->ops->close(port);
	vu_ports[port_id] = NULL;
	PORT_LOG(INFO, port->name, "port %u closed", port_id);
	rte_free(port);
	return 0;
}

int
vu_port_stats_get(uint16_t port_id, struct vu_port_stats *stats)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	if (stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	return port->ops->stats_get != NULL ? port->ops->stats_get(port, stats) : -ENOTSUP;
}

int
vu_port_stats_reset(uint16_t port_id)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	return port->ops->stats_reset != NULL ? port->ops->stats_reset(port) : -ENOTSUP;
}

/* The port-wide counters of struct vu_port_stats, ahead of the driver's
 * xstats, with the names and order DPDK's ethdev gives them. */
#define BASIC_XSTATS(X) \
	X(rx_good_packets, ipackets) \
	X(tx_good_packets, opackets) \
	X(rx_good_bytes, ibytes) \
	X(tx_good_bytes, obytes) \
	X(rx_missed_errors, imissed) \
	X(rx_errors, ierrors) \
	X(tx_errors, oerrors) \
	X(rx_mbuf_allocation_errors, rx_nombuf)

static const char *const basic_xstat_names[] = {
#define X(name, field) #name,
	BASIC_XSTATS(X)
#undef X
};
#define NB_BASIC_XSTATS RTE_DIM(basic_xstat_names)

int
vu_port_xstats_get(uint16_t port_id, struct vu_port_xstat *xstats, unsigned int n)
{
	struct vu_port *port = port_get(port_id);
	unsigned int nb = port != NULL && port->ops->stats_get != NULL ? NB_BASIC_XSTATS : 0;
	bool fill = n >= nb;
	int ret;

	if (port == NULL)
		return -ENODEV;
	if (xstats == NULL && n != 0)
		return -EINVAL;
	ret = port->ops->xstats_get == NULL ? 0 :
	      port->ops->xstats_get(port, fill ? xstats + nb : NULL, fill ? n - nb : 0);
	if (ret < 0)
		return ret;
	if (fill && nb != 0) {
		struct vu_port_stats st;
		unsigned int i = 0;
		int err;

		err = vu_port_stats_get(port_id, &st);
		if (err < 0)
			return err;
#define X(name, field) xstats[i++].value = st.field;
		BASIC_XSTATS(X)
#undef X
		for (i = 0; i < nb; i++)
			snprintf(xstats[i].name, sizeof(xstats[i].name), "%s",
				 basic_xstat_names[i]);
	}
	return (int)nb + ret;
}

int
vu_port_dev_op(uint16_t port_id, enum vu_port_dev_op op, const char *file)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	if ((op == VU_PORT_DEV_SNAPSHOT || op == VU_PORT_DEV_RESTORE) && file == NULL)
		return -EINVAL;
	return port->ops->dev_op != NULL ? port->ops->dev_op(port, op, file) : -ENOTSUP;
}

int
vu_port_dump(uint16_t port_id, FILE *f)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	if (f == NULL)
		return -EINVAL;
	return port->ops->dump != NULL ? port->ops->dump(port, f) : -ENOTSUP;
}

int
vu_port_link_get(uint16_t port_id, struct vu_port_link *link)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	if (link == NULL)
		return -EINVAL;
	memset(link, 0, sizeof(*link));
	return port->ops->link_get != NULL ? port->ops->link_get(port, link) : -ENOTSUP;
}

int
vu_port_info_get(uint16_t port_id, struct vu_port_info *info)
{
	struct vu_port *port = port_get(port_id);

	if (port == NULL)
		return -ENODEV;
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->driver = port->ops->driver;
	return port->ops->info_get != NULL ? port->ops->info_get(port, info) : 0;
}

uint16_t
vu_port_count(void)
{
	uint16_t i, n = 0;

	for (i = 0; i < VU_PORT_MAX; i++)
		n += vu_ports[i] != NULL;
	return n;
}

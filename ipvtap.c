// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipvtap: an ipvlan device whose traffic goes to a tap character device,
 * /dev/tap<ifindex>, for a virtual machine's NIC.  Frames the ipvlan port
 * hands to the device are taken by the tap's rx_handler; frames written to
 * the device leave through the ipvlan transmit path.
 */

#include <linux/cdev.h>
#include <linux/etherdevice.h>
#include <linux/if_tap.h>
#include <linux/if_tun.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "ipvlan.h"

/* What a guest may hand us to offload, as macvtap offers. */
#define IPVTAP_TAP_FEATURES	(NETIF_F_HW_CSUM | NETIF_F_TSO_ECN | \
				 NETIF_F_TSO | NETIF_F_TSO6)

/* ipvlan_priv() reads the ipvlan part: it must come first. */
struct ipvtap_dev {
	struct ipvlan_dev	ipvlan;
	struct tap_dev		tap;
};

static dev_t ipvtap_devt;
static struct cdev ipvtap_chrdev;
static struct rtnl_link_ops ipvtap_kind;

static struct ipvtap_dev *ipvtap_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

static struct ipvlan_dev *ipvtap_ipvlan(struct tap_dev *tap)
{
	return &container_of(tap, struct ipvtap_dev, tap)->ipvlan;
}

static void ipvtap_rx_dropped(struct tap_dev *tap)
{
	ipvlan_count_rx_drop(ipvtap_ipvlan(tap), IPVLAN_DROP_RX_TAP);
}

static void ipvtap_tx_dropped(struct tap_dev *tap)
{
	ipvlan_count_tx(ipvtap_ipvlan(tap), 0, false);
}

/*
 * The guest set its offloads (TUNSETOFFLOAD): the tap asks for receive
 * offloads only when the guest takes TSO, so that it is not handed
 * aggregated packets it cannot read.  The device follows.
 */
static void ipvtap_update_features(struct tap_dev *tap,
				   netdev_features_t features)
{
	ipvlan_dev_limit_offloads(tap->dev,
				  features | ~(NETIF_F_GRO | NETIF_F_LRO));
}

/* The character devices live in the namespace of their net_device. */
static ipvlan_class_ns_tag
ipvtap_class_ns(ipvlan_class_dev_const struct device *d)
{
	return ipvlan_compat_net_tag(dev_net(to_net_dev(d->parent)));
}

static struct class ipvtap_nodes = {
	.name		= "ipvtap",
	.ns_type	= &net_ns_type_operations,
	.namespace	= ipvtap_class_ns,
};

static int ipvtap_link_new(struct net_device *dev,
			   struct rtnl_newlink_params *params,
			   struct netlink_ext_ack *extack)
{
	struct tap_dev *tap = &ipvtap_priv(dev)->tap;
	int err;

	INIT_LIST_HEAD(&tap->queue_list);
	tap->dev = dev;
	tap->tap_features = IPVTAP_TAP_FEATURES;
	tap->count_rx_dropped = ipvtap_rx_dropped;
	tap->count_tx_dropped = ipvtap_tx_dropped;
	tap->update_features = ipvtap_update_features;

	/* before the ipvlan device exists, so that no frame reaches its stack */
	err = netdev_rx_handler_register(dev, tap_handle_frame, tap);
	if (err) {
		NL_SET_ERR_MSG(extack, "Cannot attach the tap to the slave");
		return err;
	}
	err = ipvlan_dev_newlink(dev, params, extack);
	if (err)
		netdev_rx_handler_unregister(dev);
	return err;
}

IPVLAN_COMPAT_DEFINE_NEWLINK(ipvtap_link_new);

static void ipvtap_link_del(struct net_device *dev, struct list_head *head)
{
	netdev_rx_handler_unregister(dev);
	tap_del_queues(&ipvtap_priv(dev)->tap);
	ipvlan_dev_dellink(dev, head);
}

static void ipvtap_link_setup(struct net_device *dev)
{
	ipvlan_dev_setup(dev);
	dev->tx_queue_len = TUN_READQ_SIZE;
}

static struct rtnl_link_ops ipvtap_kind __read_mostly = {
	.kind		= "ipvtap",
	.priv_size	= sizeof(struct ipvtap_dev),
	.setup		= ipvtap_link_setup,
	.newlink	= ipvlan_compat_newlink(ipvtap_link_new),
	.dellink	= ipvtap_link_del,
};

/* The node is named after the ifindex: /dev/tap<ifindex>. */
static int ipvtap_cdev_create(struct net_device *dev)
{
	struct tap_dev *tap = &ipvtap_priv(dev)->tap;
	char name[IFNAMSIZ];
	struct device *node;
	int err;

	err = tap_get_minor(ipvtap_devt, tap);
	if (err)
		return err;
	snprintf(name, sizeof(name), "tap%d", dev->ifindex);
	node = device_create(&ipvtap_nodes, &dev->dev,
			     MKDEV(MAJOR(ipvtap_devt), tap->minor), dev,
			     "%s", name);
	if (IS_ERR(node)) {
		err = PTR_ERR(node);
		goto err_free_minor;
	}
	err = sysfs_create_link(&dev->dev.kobj, &node->kobj, name);
	if (err)
		goto err_destroy_node;
	return 0;

err_destroy_node:
	device_destroy(&ipvtap_nodes, MKDEV(MAJOR(ipvtap_devt), tap->minor));
err_free_minor:
	tap_free_minor(ipvtap_devt, tap);
	return err;
}

static void ipvtap_cdev_destroy(struct net_device *dev)
{
	struct tap_dev *tap = &ipvtap_priv(dev)->tap;
	char name[IFNAMSIZ];

	/* minor 0 is never handed out: creation failed or never ran */
	if (!tap->minor)
		return;
	snprintf(name, sizeof(name), "tap%d", dev->ifindex);
	sysfs_remove_link(&dev->dev.kobj, name);
	device_destroy(&ipvtap_nodes, MKDEV(MAJOR(ipvtap_devt), tap->minor));
	tap_free_minor(ipvtap_devt, tap);
}

static int ipvtap_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *data)
{
	struct net_device *dev = netdev_notifier_info_to_dev(data);

	if (dev->rtnl_link_ops != &ipvtap_kind)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_REGISTER:
		return notifier_from_errno(ipvtap_cdev_create(dev));
	case NETDEV_UNREGISTER:
		ipvtap_cdev_destroy(dev);
		break;
	case NETDEV_CHANGE_TX_QUEUE_LEN:
		if (tap_queue_resize(&ipvtap_priv(dev)->tap))
			return NOTIFY_BAD;
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ipvtap_notifier = {
	.notifier_call	= ipvtap_netdev_event,
};

static int __init ipvtap_module_init(void)
{
	int err;

	err = tap_create_cdev(&ipvtap_chrdev, &ipvtap_devt, "ipvtap",
			      THIS_MODULE);
	if (err)
		return err;
	err = class_register(&ipvtap_nodes);
	if (err)
		goto err_destroy_cdev;
	err = register_netdevice_notifier(&ipvtap_notifier);
	if (err)
		goto err_unregister_class;
	err = ipvlan_kind_register(&ipvtap_kind);
	if (err)
		goto err_unregister_notifier;
	return 0;

err_unregister_notifier:
	unregister_netdevice_notifier(&ipvtap_notifier);
err_unregister_class:
	class_unregister(&ipvtap_nodes);
err_destroy_cdev:
	tap_destroy_cdev(ipvtap_devt, &ipvtap_chrdev);
	return err;
}

static void __exit ipvtap_module_exit(void)
{
	rtnl_link_unregister(&ipvtap_kind);
	unregister_netdevice_notifier(&ipvtap_notifier);
	class_unregister(&ipvtap_nodes);
	tap_destroy_cdev(ipvtap_devt, &ipvtap_chrdev);
}

module_init(ipvtap_module_init);
module_exit(ipvtap_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipvlan slaves with a tap character device");
MODULE_VERSION(IPVLAN_VERSION);
MODULE_ALIAS_RTNL_LINK("ipvtap");

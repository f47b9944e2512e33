// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The module: each part registers what it owns, in the order that lets
 * the ones after it rely on it, and the exit undoes them in reverse.
 */

#include <linux/module.h>
#include <net/rtnetlink.h>

#include "ipvlan.h"

static int __init ipvlan_mod_init(void)
{
	int err;

	err = ipvlan_l3s_init();
	if (err)
		return err;
	err = ipvlan_addr_init();
	if (err)
		goto err_uninit_l3s;
	err = ipvlan_port_init();
	if (err)
		goto err_uninit_addr;
	err = ipvlan_dev_init();
	if (err)
		goto err_uninit_port;
	return 0;

err_uninit_port:
	ipvlan_port_uninit();
err_uninit_addr:
	ipvlan_addr_uninit();
err_uninit_l3s:
	ipvlan_l3s_uninit();
	return err;
}

static void __exit ipvlan_mod_exit(void)
{
	ipvlan_dev_uninit();
	ipvlan_port_uninit();
	ipvlan_addr_uninit();
	ipvlan_l3s_uninit();
}

module_init(ipvlan_mod_init);
module_exit(ipvlan_mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual devices demultiplexed by their IP addresses on a shared MAC");
MODULE_VERSION(IPVLAN_VERSION);
MODULE_ALIAS_RTNL_LINK("ipvlan");
IPVLAN_COMPAT_IMPORT_NS;

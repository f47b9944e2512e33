// SPDX-License-Identifier: GPL-2.0
/*
 * ipvlan_nsctl [-l] [-a NS | -n NS]... [KEY=VALUE]...
 * ipvlan_nsctl -d NS [-d NS]...
 *
 * In each named network namespace, bound at /var/run/netns/NS as "ip
 * netns add" leaves it (-n), or made so first (-a): bring the loopback up
 * (-l) and set each sysctl KEY (dotted, as sysctl(8) takes it) to VALUE.
 * -d deletes namespaces as "ip netns delete" does.  What "ip netns add",
 * "ip -n NS link set lo up", "ip netns exec NS sysctl -w" and "ip netns
 * delete" do, in one process for all the namespaces of a test: under
 * User-Mode Linux a process costs 70 to 200 ms, and a test makes up to
 * 35 namespaces.
 *
 * Exits 1 at the first namespace or setting that fails, saying which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NS 256
#define NETNS_DIR "/var/run/netns"

/* what to do with each namespace named on the command line */
enum ns_op { NS_ENTER, NS_ADD, NS_DELETE };

struct ns_arg {
	enum ns_op op;
	const char *name;
};

static int enter_ns(const char *name)
{
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = setns(fd, CLONE_NEWNET);
	if (ret)
		fprintf(stderr, "setns %s: %s\n", name, strerror(errno));
	close(fd);
	return ret;
}

/*
 * The directory of named namespaces, a shared mount point as ip makes it,
 * so that a namespace bound there is seen from every mount namespace.
 */
static int netns_dir(void)
{
	if (mkdir(NETNS_DIR, 0755) && errno != EEXIST)
		goto err;
	if (!mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL))
		return 0;
	/* not a mount point yet: bind it onto itself, then share it */
	if (errno != EINVAL ||
	    mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) ||
	    mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL))
		goto err;
	return 0;
err:
	fprintf(stderr, "%s: %s\n", NETNS_DIR, strerror(errno));
	return -1;
}

/* a new namespace, entered and bound at NETNS_DIR/NAME */
static int add_ns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	close(fd);
	if (unshare(CLONE_NEWNET) ||
	    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL))
		goto err_unlink;
	return 0;
err_unlink:
	fprintf(stderr, "%s: %s\n", path, strerror(errno));
	unlink(path);
	return -1;
err:
	fprintf(stderr, "%s: %s\n", path, strerror(errno));
	return -1;
}

/* the name's binding gone; the namespace goes with its last user */
static int delete_ns(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	if (umount2(path, MNT_DETACH) || unlink(path)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* a socket made after setns() belongs to the namespace entered */
static int loopback_up(const char *ns)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		goto out_close;
	ifr.ifr_flags |= IFF_UP;
	ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
out_close:
	close(fd);
out:
	if (ret)
		fprintf(stderr, "%s: lo up: %s\n", ns, strerror(errno));
	return ret;
}

/* /proc/sys resolves net.* in the namespace of the process opening it */
static int set_sysctl(const char *ns, const char *setting)
{
	const char *eq = strchr(setting, '=');
	char path[PATH_MAX];
	size_t len, i;
	ssize_t n;
	int fd;

	if (!eq || eq == setting) {
		fprintf(stderr, "not KEY=VALUE: %s\n", setting);
		return -1;
	}
	len = snprintf(path, sizeof(path), "/proc/sys/%.*s",
		       (int)(eq - setting), setting);
	for (i = strlen("/proc/sys/"); i < len && i < sizeof(path); i++)
		if (path[i] == '.')
			path[i] = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", ns, path, strerror(errno));
		return -1;
	}
	n = write(fd, eq + 1, strlen(eq + 1));
	if (n < 0)
		fprintf(stderr, "%s: %s: %s\n", ns, setting, strerror(errno));
	close(fd);
	return n < 0 ? -1 : 0;
}

static void bad_args(const char *prog)
{
	fprintf(stderr, "usage: %s [-l] [-a NS | -n NS]... [KEY=VALUE]...\n"
		"       %s -d NS [-d NS]...\n", prog, prog);
	exit(2);
}

/* one namespace: made or entered, then set up; or deleted */
static int do_ns(const struct ns_arg *ns, int lo, char **settings, int nr)
{
	int i;

	switch (ns->op) {
	case NS_DELETE:
		return delete_ns(ns->name);
	case NS_ADD:
		if (add_ns(ns->name))
			return -1;
		break;
	case NS_ENTER:
		if (enter_ns(ns->name))
			return -1;
		break;
	}
	if (lo && loopback_up(ns->name))
		return -1;
	for (i = 0; i < nr; i++)
		if (set_sysctl(ns->name, settings[i]))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct ns_arg ns[MAX_NS];
	int nr = 0, lo = 0, add = 0;
	int opt, i, ret = 0;

	while ((opt = getopt(argc, argv, "la:d:n:")) != -1) {
		if (opt != 'l' && nr == MAX_NS)
			bad_args(argv[0]);
		switch (opt) {
		case 'l':
			lo = 1;
			break;
		case 'a':
			add = 1;
			ns[nr++] = (struct ns_arg){ NS_ADD, optarg };
			break;
		case 'd':
			ns[nr++] = (struct ns_arg){ NS_DELETE, optarg };
			break;
		case 'n':
			ns[nr++] = (struct ns_arg){ NS_ENTER, optarg };
			break;
		default:
			bad_args(argv[0]);
		}
	}
	if (!nr)
		bad_args(argv[0]);
	if (add && netns_dir())
		return 1;

	/* a namespace that cannot be deleted does not keep the others */
	for (i = 0; i < nr; i++) {
		if (!do_ns(&ns[i], lo, argv + optind, argc - optind))
			continue;
		if (ns[i].op != NS_DELETE)
			return 1;
		ret = 1;
	}
	return ret;
}

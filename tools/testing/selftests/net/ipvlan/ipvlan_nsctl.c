// SPDX-License-Identifier: GPL-2.0
/*
 * ipvlan_nsctl [-l] -n NS [-n NS]... [KEY=VALUE]...
 *
 * In each named network namespace (bound at /var/run/netns/NS, as "ip
 * netns add" leaves it): bring the loopback up (-l) and set each sysctl
 * KEY (dotted, as sysctl(8) takes it) to VALUE.  What "ip -n NS link set
 * lo up" and "ip netns exec NS sysctl -w" do, in one process for all the
 * namespaces of a test: under User-Mode Linux a process costs 70 to 200
 * ms, and a test makes up to 35 namespaces.
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
#include <sys/socket.h>
#include <unistd.h>

#define MAX_NS 256

static int enter_ns(const char *name)
{
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
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
	fprintf(stderr, "usage: %s [-l] -n NS [-n NS]... [KEY=VALUE]...\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *names[MAX_NS];
	int nr = 0, lo = 0;
	int opt, i, j;

	while ((opt = getopt(argc, argv, "ln:")) != -1) {
		switch (opt) {
		case 'l':
			lo = 1;
			break;
		case 'n':
			if (nr == MAX_NS)
				bad_args(argv[0]);
			names[nr++] = optarg;
			break;
		default:
			bad_args(argv[0]);
		}
	}
	if (!nr)
		bad_args(argv[0]);

	for (i = 0; i < nr; i++) {
		if (enter_ns(names[i]))
			return 1;
		if (lo && loopback_up(names[i]))
			return 1;
		for (j = optind; j < argc; j++)
			if (set_sysctl(names[i], argv[j]))
				return 1;
	}
	return 0;
}

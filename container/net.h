/* net.h - the container's network namespace: loopback only. */
#ifndef VMCTL_CONTAINER_NET_H
#define VMCTL_CONTAINER_NET_H

/* Brings "lo" up in the current network namespace with SIOCSIFFLAGS (no
 * `ip` to exec).  Returns 0 or -errno. */
int net_loopback_up(void);

#endif

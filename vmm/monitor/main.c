/* main.c - bin/vmctl-vmm: the monitor as a process of its own (launch.h).
 *
 * Started by vmctl as `vmctl-vmm 3 4`: fd 3 holds the request (a struct
 * vm_config, vmm/launch.c), fd 4 takes the reply.  It runs the VM with
 * vm_run() and exits; vmctl does everything else (the run's record, the
 * report, the exit status).  Built static (musl when installed) and with
 * nothing but the monitor in it: its memory is what a VM costs beyond the
 * guest's RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "vmm/launch.h"
#include "vmm/vmm.h"

/* Ctrl-C (from the terminal, to the whole process group) and SIGTERM (from
 * vmctl) stop the guest: the handler only writes into a pipe vm_run()
 * watches. */
static int stop_w = -1;

static void on_stop(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (write(stop_w, &b, 1) < 0) {
		/* full: a stop is already pending */
	}
	errno = saved;
}

static int install_stop(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	stop_w = p[1];
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* a reader of our stdout that goes away must not kill the guest */
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &ign, NULL);
	return p[0];
}

static uint8_t *read_request(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > VM_REQUEST_MAX)
		return NULL;
	uint8_t *buf = malloc((size_t)st.st_size);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)r;
	}
	*len = got;
	return buf;
}

int main(int argc, char **argv)
{
	static struct vm_reply out;
	struct vm_config cfg;
	struct vmctl_err err = {0};
	if (argc != 3) {
		fprintf(stderr, "vmctl-vmm: started by vmctl only\n");
		return 2;
	}
	int req_fd = atoi(argv[1]), reply_fd = atoi(argv[2]);
	size_t len = 0;
	uint8_t *req = read_request(req_fd, &len);
	close(req_fd);
	if (!req || vm_request_decode(req, len, &cfg) < 0) {
		fprintf(stderr, "vmctl-vmm: bad request\n");
		return 2;
	}
	cfg.console_fd = STDOUT_FILENO;
	cfg.stop_fd = install_stop();
	out.ret = vm_run(&cfg, &out.res, &err);
	if (out.ret < 0)
		snprintf(out.msg, sizeof(out.msg), "%s", err.msg);
	/* nothing to do if vmctl is gone: it reports a monitor without a result */
	(void)write_full(reply_fd, &out, sizeof(out));
	free(req);
	return 0;
}

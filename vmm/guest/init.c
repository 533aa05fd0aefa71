/* init.c - vmctl's guest init: PID 1 of the micro-VM (bin/vmctl-init).
 *
 * Sets up the few mounts a workload expects, runs the workload described
 * in /vmctl/config (written by images/initramfs.c), and reports milestones
 * to the monitor (protocol in vmm/milestone.h): started, exec'd, exit
 * status.  Then it resets the VM.
 *
 * Every system call costs ~240 us and every touched page ~1 ms under the
 * nested hypervisor, so this does as little as it can: no stdio, no
 * malloc, vfork instead of fork (no page-table copy, and the parent
 * resumes exactly when the child's execve succeeded or it gave up).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/userdb.h"
#include "vmm/milestone.h"

/* <linux/random.h>, which musl's headers do not bring. */
#define RNDADDENTROPY _IOW('R', 0x03, int[2])
#define RNDRESEEDCRNG _IO('R', 0x07)
struct rand_pool_info {
	int entropy_count;
	int buf_size;
};

#define MAX_ARGS 1024
#define MAX_ENV 1024
#define DEFAULT_PATH                                                           \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char config[65536];
static char *args[MAX_ARGS + 1];
static char *envs[MAX_ENV + 2];
static const char *workdir = "/";
static const char *hostname = "vmctl";
static const char *user; /* the image's User, or NULL: root */
static struct user_ids ids;

static int ms_fd = -1;		/* serial transport */
static int ms_port;		/* port transport (ioperm granted) */
static volatile int exec_errno; /* written by the vfork child */
static int stream_ports;	/* output through the stream ports */
static int handoff;		/* config through the hand-off ports */
static const char *clock_ns;	/* MS_CFG_TIME, from the hand-off */
static const char *seed_hex;	/* MS_CFG_SEED, from the hand-off */

/* --- milestones ---------------------------------------------------------- */

static size_t append(char *buf, size_t off, size_t n, const char *s)
{
	while (*s && off < n)
		buf[off++] = *s++;
	return off;
}

static size_t append_num(char *buf, size_t off, size_t n, long v)
{
	char tmp[24];
	int i = (int)sizeof(tmp) - 1;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
	tmp[i] = '\0';
	do
		tmp[--i] = (char)('0' + u % 10);
	while ((u /= 10) && i > 1);
	if (v < 0)
		tmp[--i] = '-';
	return append(buf, off, n, tmp + i);
}

static void ms_send(const char *buf, size_t len)
{
	if (ms_port) {
		for (size_t i = 0; i < len; i++)
			outb((unsigned char)buf[i], MS_PORT);
		return;
	}
	while (len) {
		ssize_t w = write(ms_fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/* One record: MS_MARK type payload '\n'. */
static void milestone(char type, const char *payload, long num, int with_num)
{
	char buf[MS_MAX_PAYLOAD + 8];
	size_t off = 0, n = sizeof(buf) - 1;
	buf[off++] = MS_MARK;
	buf[off++] = type;
	if (with_num)
		off = append_num(buf, off, n - 1, num);
	if (payload) {
		if (with_num)
			buf[off++] = ' ';
		off = append(buf, off, n - 1, payload);
	}
	buf[off++] = '\n';
	ms_send(buf, off);
}

static void die(const char *what, int err)
{
	milestone(MS_INIT_ERROR, what, err, 1);
	if (ms_fd >= 0)
		tcdrain(ms_fd);
	reboot(RB_AUTOBOOT);
	_exit(1); /* PID 1 exiting panics the kernel: also a reset */
}

/* --- set-up ------------------------------------------------------------- */

static int env_is(const char *name, const char *value)
{
	const char *v = getenv(name);
	return v && !strcmp(v, value);
}

/* Milestones go to the serial console (the fds the kernel opened for us)
 * unless the port transport is asked for and allowed. */
static void setup_transport(void)
{
	stream_ports = env_is(MS_ENV_OUTPUT, "port") &&
		       ioperm(MS_STREAM_PORT, MS_STREAM_LEN, 1) == 0;
	handoff = env_is(MS_ENV_HANDOFF, "port");
	if (handoff && ioperm(MS_HANDOFF_PORT, MS_HANDOFF_PORT_LEN, 1) < 0)
		handoff = 0; /* then the missing /vmctl/config is reported */
	if (env_is(MS_ENV_TRANSPORT, "port") &&
	    ioperm(MS_PORT, MS_PORT_LEN, 1) == 0) {
		ms_port = 1;
		return;
	}
	ms_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
}

/* No "\n" -> "\r\n" on the way out: the host gets the bytes as written. */
static void raw_output(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) == 0 && (t.c_oflag & OPOST)) {
		t.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(fd, TCSANOW, &t);
	}
}

static void make_nodes(void)
{
	static const struct {
		const char *path;
		mode_t mode;
		unsigned maj, min;
	} nodes[] = {
	    {"/dev/null", S_IFCHR | 0666, 1, 3},
	    {"/dev/zero", S_IFCHR | 0666, 1, 5},
	    {"/dev/random", S_IFCHR | 0666, 1, 8},
	    {"/dev/urandom", S_IFCHR | 0666, 1, 9},
	    {"/dev/tty", S_IFCHR | 0666, 5, 0},
	    {"/dev/console", S_IFCHR | 0600, 5, 1},
	    {"/dev/ttyS0", S_IFCHR | 0660, 4, 64},
	    {"/dev/hvc0", S_IFCHR | 0660, 229, 0},
	};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		mknod(nodes[i].path, nodes[i].mode,
		      makedev(nodes[i].maj, nodes[i].min));
}

static void mount_dev(void)
{
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0)
		make_nodes(); /* no devtmpfs: the basic nodes by hand */
}

/* With vmctl_root=vda the image is an ext4 file system on the virtio
 * disk (the initramfs then holds only /vmctl): mount it and make it the
 * root, switch_root style (the initramfs stays underneath, unreachable). */
static void switch_to_disk(void)
{
	if (!env_is(MS_ENV_ROOT, "vda"))
		return;
	if (mkdir("/newroot", 0755) < 0 && errno != EEXIST)
		die("mkdir /newroot", errno);
	/* Read-only until the hand-off: a snapshot taken there must not
	 * depend on anything the guest wrote to the disk (vmm/snapshot.c). */
	unsigned long ro = handoff ? MS_RDONLY : 0;
	if (mount("/dev/vda", "/newroot", "ext4", MS_NOATIME | ro, NULL) < 0)
		die("mount /dev/vda", errno);
	mkdir("/newroot/dev", 0755); /* a disk image may lack these */
	mkdir("/newroot/proc", 0555);
	mkdir("/newroot/sys", 0555);
	if (mount("/dev", "/newroot/dev", NULL, MS_MOVE, NULL) < 0)
		die("move /dev", errno);
	if (chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0)
		die("switch to the disk root", errno);
}

static void setup_mounts(void)
{
	const unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (mount("proc", "/proc", "proc", nse, NULL) < 0)
		die("mount /proc", errno);
	/* sysfs is optional in the guest kernel; its absence is no error */
	mount("sysfs", "/sys", "sysfs", nse, NULL);
	if (mkdir("/dev/pts", 0755) == 0 || errno == EEXIST)
		mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=0620");
}

/* Parses config[0..len): "<key><value>\0" records (vmm/milestone.h). */
static void parse_config(size_t len)
{
	config[len] = '\0';
	size_t na = 0, ne = 0;
	for (char *p = config; p < config + len; p += strlen(p) + 1) {
		char key = *p;
		char *value = p + 1;
		if (key == MS_CFG_ARG && na < MAX_ARGS)
			args[na++] = value;
		else if (key == MS_CFG_ENV && ne < MAX_ENV)
			envs[ne++] = value;
		else if (key == MS_CFG_WORKDIR)
			workdir = value;
		else if (key == MS_CFG_HOSTNAME)
			hostname = value;
		else if (key == MS_CFG_USER)
			user = value;
		else if (key == MS_CFG_TIME)
			clock_ns = value;
		else if (key == MS_CFG_SEED)
			seed_hex = value;
	}
	if (!na)
		die("empty command in the workload's config", EINVAL);
	args[na] = NULL;
	envs[ne] = NULL;
}

static void read_config_file(void)
{
	int fd = open(MS_CONFIG_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open " MS_CONFIG_PATH, errno);
	ssize_t len = read(fd, config, sizeof(config) - 1);
	if (len < 0)
		die("read " MS_CONFIG_PATH, errno);
	close(fd);
	parse_config((size_t)len);
}

#define WARM_MAX (64 << 20)

/* Reads a regular file once (up to WARM_MAX), so that its pages are in the
 * page cache.  The name comes from the image: a FIFO or a device must not
 * block the boot. */
static void read_through(const char *path, char *head, size_t head_len)
{
	static char buf[65536];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > WARM_MAX) {
		close(fd);
		return;
	}
	ssize_t n, first = -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (first < 0 && head) {
			first = n < (ssize_t)head_len ? n : (ssize_t)head_len;
			memcpy(head, buf, (size_t)first);
		}
	close(fd);
}

/* The ELF interpreter named in head (the file's first bytes), if any. */
static const char *elf_interp(char *head, size_t len)
{
	Elf64_Ehdr eh;
	if (len < sizeof(eh))
		return NULL;
	memcpy(&eh, head, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
	    eh.e_phnum > (len - eh.e_phoff) / sizeof(Elf64_Phdr))
		return NULL;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, head + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_INTERP || ph.p_offset >= len ||
		    ph.p_filesz > len - ph.p_offset || ph.p_filesz < 2)
			continue;
		head[ph.p_offset + ph.p_filesz - 1] = '\0';
		return head + ph.p_offset;
	}
	return NULL;
}

/* Before a boot snapshot: the image's default command (vmctl_warm, found on
 * the default PATH) and its ELF interpreter are read once, so the saved page
 * cache holds them and restored runs do not read them from the disk through
 * the emulated guest kernel (busybox: 1.05 s -> 0.55 s per restored run). */
static void warm_page_cache(void)
{
	const char *name = getenv(MS_ENV_WARM);
	static char path[4096], head[4096];
	if (!name || !*name || strlen(name) > 256)
		return;
	const char *p = DEFAULT_PATH;
	int found = 0;
	while (!strchr(name, '/') && !found) {
		const char *colon = strchrnul(p, ':');
		size_t dlen = (size_t)(colon - p);
		memcpy(path, p, dlen);
		path[dlen] = '/';
		strcpy(path + dlen + 1, name);
		found = access(path, X_OK) == 0;
		if (!*colon)
			break;
		p = colon + 1;
	}
	if (!found)
		strcpy(path, name);
	memset(head, 0, sizeof(head));
	read_through(path, head, sizeof(head));
	const char *interp = elf_interp(head, sizeof(head));
	if (interp)
		read_through(interp, NULL, 0);
}

/* The hand-off: "booted" (a snapshot may be taken right here, and a
 * restored one resumes here), then this run's config, four bytes per `inl`
 * (a `rep insb` is served twice by the nested hypervisor here: the second
 * pass would read past the end). */
static void get_workload(void)
{
	warm_page_cache();
	outb(0, MS_HANDOFF_READY);
	uint32_t len = inl(MS_HANDOFF_LEN);
	if (len >= sizeof(config))
		die("hand-off config too large", E2BIG);
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v = inl(MS_HANDOFF_DATA);
		memcpy(config + i, &v, len - i < 4 ? len - i : 4);
	}
	parse_config(len);
	/* The disk may be written from now on: the guest's writes go to a
	 * per-run overlay in the monitor. */
	if (env_is(MS_ENV_ROOT, "vda") &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_NOATIME, NULL) < 0)
		die("remount / read-write", errno);
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The clock and fresh entropy from the monitor: a guest restored from a
 * snapshot would otherwise run on the saved clock and RNG state, the same
 * in every run.  RNDADDENTROPY credits the bytes, RNDRESEEDCRNG makes the
 * kernel's generator use them at once. */
static void apply_time_and_seed(void)
{
	if (clock_ns) {
		long long ns = atoll(clock_ns);
		struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
		clock_settime(CLOCK_REALTIME, &ts);
	}
	if (!seed_hex || strlen(seed_hex) != 64)
		return;
	struct {
		struct rand_pool_info info;
		unsigned char bytes[32];
	} s = {.info = {.entropy_count = 256, .buf_size = 32}};
	for (int i = 0; i < 32; i++) {
		int hi = hex_nibble(seed_hex[2 * i]), lo = hex_nibble(seed_hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return;
		s.bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (ioctl(fd, RNDADDENTROPY, &s) == 0)
		ioctl(fd, RNDRESEEDCRNG, 0);
	close(fd);
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* HOME from the User's passwd entry, unless the image or run set one. */
static void add_home(void)
{
	size_t n = 0;
	for (; envs[n]; n++)
		if (!strncmp(envs[n], "HOME=", 5))
			return;
	if (n < MAX_ENV) {
		envs[n] = ids.home;
		envs[n + 1] = NULL;
	}
}

/* Docker creates a missing working directory. */
static void enter_workdir(void)
{
	static char buf[4096];
	if (chdir(workdir) == 0)
		return;
	if (errno == ENOENT && strlen(workdir) < sizeof(buf)) {
		strcpy(buf, workdir);
		if (mkdir_p(buf) == 0 && chdir(workdir) == 0)
			return;
	}
	die("chdir to the working directory", errno);
}

/* The workload's stdout or stderr: the virtio console the monitor named
 * (fast), else the serial console we already hold. */
static int open_output(const char *env, const char *want, const char *dev)
{
	int fd = -1;
	if (env_is(env, want))
		fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	raw_output(fd);
	return fd;
}

/* --- the workload --------------------------------------------------------- */

static const char *search_path(void)
{
	for (char **e = envs; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			return *e + 5;
	return DEFAULT_PATH;
}

/* execvp without malloc; returns the errno that explains the failure. */
static int exec_workload(void)
{
	const char *file = args[0];
	if (strchr(file, '/')) {
		execve(file, args, envs);
		return errno;
	}
	static char full[4096];
	int seen_eacces = 0;
	const char *p = search_path();
	size_t flen = strlen(file);
	for (;;) {
		const char *colon = strchrnul(p, ':');
		size_t dlen = (size_t)(colon - p);
		if (dlen + flen + 2 <= sizeof(full)) {
			memcpy(full, p, dlen);
			size_t off = dlen;
			if (dlen)
				full[off++] = '/';
			memcpy(full + off, file, flen + 1);
			execve(full, args, envs);
			if (errno == EACCES)
				seen_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return errno;
		}
		if (!*colon)
			break;
		p = colon + 1;
	}
	return seen_eacces ? EACCES : ENOENT;
}

/* Runs in the vfork child: shares our memory until execve. */
static void child(int out_fd, int err_fd)
{
	setsid();
	int in_fd = open("/dev/null", O_RDONLY);
	if (in_fd >= 0 && in_fd != 0) {
		dup2(in_fd, 0);
		close(in_fd);
	}
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	/* The monitor's ports are the init's, not the workload's: an image's
	 * non-root User must not forge milestones, output or a hand-off.  (The
	 * I/O bitmap is per task and copied on write: ours stays.) */
	ioperm(MS_PORT, MS_HANDOFF_PORT + MS_HANDOFF_PORT_LEN - MS_PORT, 0);
	ioctl(1, TIOCSCTTY, 0); /* a controlling tty, where it is one */
	if (user && userdb_apply(&ids) < 0) {
		exec_errno = errno;
		_exit(126);
	}
	exec_errno = exec_workload();
	_exit(127);
}

/* --- output through the stream ports ------------------------------------- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* rep outsb: the monitor gets the whole string in one exit (per page). */
static void port_write(unsigned short port, const char *buf, size_t n)
{
	__asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

/* Moves what a pipe has to its port; 0 at EOF or on an error, -1 when a
 * non-blocking pipe is empty. */
static int pump(int fd, unsigned short port)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0 && errno == EAGAIN)
		return -1;
	if (n <= 0)
		return 0;
	port_write(port, buf, (size_t)n);
	outb(0, MS_STREAM_FLUSH);
	return 1;
}

/* Relays the workload's stdout and stderr pipes until it exits, then what
 * is left in them.  A background process it left behind may still hold a
 * pipe open: the workload's exit, not the pipes' EOF, ends the relay. */
static void relay(pid_t pid, int out_r, int err_r)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int fds[2] = {out_r, err_r};
	const unsigned short ports[2] = {MS_STREAM_OUT, MS_STREAM_ERR};
	for (;;) {
		struct pollfd p[3] = {{fds[0], POLLIN, 0},
				      {fds[1], POLLIN, 0},
				      {pidfd, POLLIN, 0}};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (p[i].revents && pump(fds[i], ports[i]) == 0) {
				close(fds[i]);
				fds[i] = -1;
			}
		if (pidfd >= 0 ? p[2].revents != 0 : fds[0] < 0 && fds[1] < 0)
			break;
	}
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		while (pump(fds[i], ports[i]) > 0)
			;
		close(fds[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
}

/* Reaps every child (PID 1 inherits orphans) until `main` exits. */
static int wait_main(pid_t main_pid)
{
	for (;;) {
		int status;
		pid_t p = wait4(-1, &status, 0, NULL);
		if (p == main_pid)
			return status;
		if (p < 0 && errno != EINTR)
			die("wait for the workload", errno);
	}
}

/* vfork in a function of its own: nothing of main's frame can be
 * clobbered by the child running on it. */
static __attribute__((noinline)) pid_t spawn(int out_fd, int err_fd)
{
	pid_t pid = vfork();
	if (pid == 0)
		child(out_fd, err_fd);
	return pid;
}

static void report_uname(void)
{
	struct utsname u;
	if (uname(&u) == 0)
		milestone(MS_UNAME, u.release, 0, 0);
}

int main(void)
{
	setup_transport();
	milestone(MS_INIT_STARTED, NULL, 0, 0);
	mount_dev();
	if (!handoff)
		read_config_file();
	switch_to_disk();
	setup_mounts();
	report_uname();
	if (handoff) {
		get_workload();
		apply_time_and_seed();
	}
	sethostname(hostname, strlen(hostname));
	enter_workdir();
	/* The disk is the root now: the image's own passwd and group. */
	if (user && userdb_lookup(user, &ids) < 0)
		die(ids.msg, ENOENT);
	if (user)
		add_home();
	int out_fd, err_fd, out_r = -1, err_r = -1;
	if (stream_ports) {
		int po[2], pe[2];
		if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
			die("pipe", errno);
		out_r = po[0], out_fd = po[1];
		err_r = pe[0], err_fd = pe[1];
	} else {
		out_fd = open_output(MS_ENV_OUTPUT, "hvc0", "/dev/hvc0");
		err_fd = open_output(MS_ENV_ERROR, "hvc1", "/dev/hvc1");
	}

	pid_t pid = spawn(out_fd, err_fd);
	if (pid < 0)
		die("vfork", errno);
	if (exec_errno) {
		waitpid(pid, NULL, 0);
		milestone(MS_EXEC_ERROR, NULL, exec_errno, 1);
	} else {
		milestone(MS_EXEC, NULL, 0, 0);
		if (stream_ports) {
			close(out_fd); /* the workload has its own copies */
			close(err_fd);
			relay(pid, out_r, err_r);
		}
		int status = wait_main(pid);
		if (!stream_ports) {
			tcdrain(out_fd); /* the workload's output is out first */
			tcdrain(err_fd);
		}
		milestone(MS_EXIT_STATUS, NULL, status, 1);
	}
	if (ms_fd >= 0)
		tcdrain(ms_fd);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}

/* Unit tests: the default seccomp profile (the table, and the BPF loaded in
 * a forked child: no root needed thanks to no_new_privs) and the default
 * capability set. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "container/caps.h"
#include "container/seccomp_profile.h"

static void test_table(void **state)
{
	const char *must[] = {"kexec_load",
			      "init_module",
			      "finit_module",
			      "delete_module",
			      "reboot",
			      "swapon",
			      "swapoff",
			      "bpf",
			      "perf_event_open",
			      "keyctl",
			      "add_key",
			      "request_key",
			      "userfaultfd",
			      "open_by_handle_at",
			      "umount2",
			      "pivot_root",
			      "acct",
			      "quotactl",
			      "lookup_dcookie",
			      "move_pages",
			      "nfsservctl",
			      "syslog",
			      "sysfs",
			      "vm86",
			      "iopl",
			      "ioperm",
			      "setns"};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		const struct seccomp_rule *r = seccomp_profile_find(must[i]);
		assert_non_null(r);
		assert_int_equal(r->kind, SC_DENY);
		assert_int_equal(r->err, EPERM);
	}
	assert_int_equal(seccomp_profile_find("clone")->kind, SC_DENY_NS_FLAGS);
	assert_int_equal(seccomp_profile_find("unshare")->kind,
			 SC_DENY_NS_FLAGS);
	assert_int_equal(seccomp_profile_find("clone3")->err, ENOSYS);
	assert_int_equal(seccomp_profile_find("personality")->kind,
			 SC_DENY_PERSONA);
	/* deliberately allowed */
	assert_null(seccomp_profile_find("ptrace"));
	assert_null(seccomp_profile_find("mount"));
	assert_null(seccomp_profile_find("read"));
	assert_null(seccomp_profile_find("execve"));
}

/* Each check sets one bit of the child's exit status when it misbehaves. */
static int filtered_child_checks(const struct sock_fprog *prog)
{
	int bad = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    seccomp_profile_load(prog) < 0)
		return 0x80;
	if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
		bad |= 0x01;
	if (unshare(CLONE_NEWNS) != -1 || errno != EPERM)
		bad |= 0x02;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		bad |= 0x04;
	if (personality(0x0400000 /* READ_IMPLIES_EXEC */) != -1 ||
	    errno != EPERM)
		bad |= 0x08;
	/* ADDR_NO_RANDOMIZE would turn ASLR off; PER_LINUX32_3GB carries
	 * ADDR_LIMIT_3GB; 0xffffffff (the query) is refused too. */
	if (personality(0x0040000) != -1 || personality(0x8000008) != -1 ||
	    personality(0xffffffff) != -1)
		bad |= 0x08;
	if (personality(PER_LINUX) < 0 || personality(PER_LINUX32) < 0 ||
	    personality(0x20000 /* UNAME26 */) < 0 || personality(0x20008) < 0 ||
	    personality(PER_LINUX) < 0)
		bad |= 0x10;
	if (getpid() <= 0)
		bad |= 0x20;
	/* unshare without namespace flags stays allowed */
	if (unshare(CLONE_FILES) < 0)
		bad |= 0x40;
	return bad;
}

static void test_filter_behaviour(void **state)
{
	struct sock_fprog prog;
	struct vmctl_err err = {0};
	assert_int_equal(seccomp_profile_build(&prog, &err), 0);
	assert_true(prog.len > 10);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(filtered_child_checks(&prog));
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	seccomp_profile_free(&prog);
}

/* A syscall through the x32 ABI (nr | 0x40000000) would dodge the
 * x86_64 numbers of the deny-list: it must kill the process. */
static void test_foreign_abi_killed(void **state)
{
	struct sock_fprog prog;
	struct vmctl_err err = {0};
	assert_int_equal(seccomp_profile_build(&prog, &err), 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_profile_load(&prog) < 0)
			_exit(1);
		syscall(0x40000000 | SYS_getpid);
		_exit(2);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	seccomp_profile_free(&prog);
}

static void expect_same_program(const struct sock_fprog *a,
				const struct sock_fprog *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->filter, b->filter,
			    a->len * sizeof(struct sock_filter));
}

/* The memo file of dir (the only file there), its value replaced. */
static void rewrite_memo_value(const char *dir, const char *value)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "f=$(ls -A %s/.seccomp-memo-*) && head -z -n 1 \"$f\" > "
		 "\"$f.new\" && printf %%s '%s' >> \"$f.new\" && mv \"$f.new\" "
		 "\"$f\"",
		 dir, value);
	assert_int_equal(system(cmd), 0);
}

/* The memo gives back the very program libseccomp builds; it is read
 * back (a program planted in it is what comes out), and one that is not a
 * program is ignored: built again. */
static void test_memoized_program(void **state)
{
	char dir[] = "/tmp/vmctl-seccomp-memo.XXXXXX";
	struct sock_fprog built, memo, planted, again;
	struct vmctl_err err = {0};
	assert_non_null(mkdtemp(dir));
	assert_int_equal(seccomp_profile_build(&built, &err), 0);
	assert_int_equal(seccomp_profile_get(&memo, dir, &err), 0);
	expect_same_program(&built, &memo);
	assert_int_equal(seccomp_profile_get(&again, dir, &err), 0);
	expect_same_program(&built, &again);
	seccomp_profile_free(&again);

	rewrite_memo_value(dir, "060000000000ff7f"); /* ret ALLOW */
	assert_int_equal(seccomp_profile_get(&planted, dir, &err), 0);
	assert_int_equal(planted.len, 1);
	seccomp_profile_free(&planted);

	rewrite_memo_value(dir, "060000000000ff7"); /* half an instruction */
	assert_int_equal(seccomp_profile_get(&again, dir, &err), 0);
	expect_same_program(&built, &again);
	seccomp_profile_free(&again);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	seccomp_profile_free(&built);
	seccomp_profile_free(&memo);
}

static void test_default_caps(void **state)
{
	size_t n;
	const cap_value_t *caps = caps_default_set(&n);
	assert_int_equal(n, 14); /* Docker's default set */
	assert_non_null(caps);
	assert_true(caps_in_default_set(CAP_CHOWN));
	assert_true(caps_in_default_set(CAP_NET_BIND_SERVICE));
	assert_true(caps_in_default_set(CAP_KILL));
	assert_false(caps_in_default_set(CAP_SYS_ADMIN));
	assert_false(caps_in_default_set(CAP_NET_ADMIN));
	assert_false(caps_in_default_set(CAP_SYS_PTRACE));
	assert_false(caps_in_default_set(CAP_SYS_MODULE));

	struct caps_state st = {0};
	struct vmctl_err err = {0};
	assert_int_equal(caps_prepare(&st, &err), 0);
	cap_flag_value_t v;
	assert_int_equal(cap_get_flag(st.caps, CAP_SETUID, CAP_EFFECTIVE, &v),
			 0);
	assert_int_equal(v, CAP_SET);
	assert_int_equal(
	    cap_get_flag(st.caps, CAP_SYS_ADMIN, CAP_PERMITTED, &v), 0);
	assert_int_equal(v, CAP_CLEAR);
	assert_int_equal(cap_get_flag(st.caps, CAP_CHOWN, CAP_INHERITABLE, &v),
			 0);
	assert_int_equal(v, CAP_CLEAR);
	caps_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_filter_behaviour),
	    cmocka_unit_test(test_foreign_abi_killed),
	    cmocka_unit_test(test_memoized_program),
	    cmocka_unit_test(test_default_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* vcpu.c - one thread per vCPU running KVM_RUN and serving its exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/util.h"
#include "vmm/cpuid.h"
#include "vmm/exit.h"
#include "vmm/kvm.h"
#include "vmm/msr.h"
#include "vmm/vm.h"

#define VCPU_KICK_SIGNAL (SIGRTMIN + 2)

/* musl names the thread-id field of a sigevent, glibc 2.36 does not. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static void kick_handler(int sig)
{
	(void)sig; /* only here so that KVM_RUN returns -EINTR */
}

int vcpu_install_kick_handler(struct vmctl_err *err)
{
	struct sigaction sa = {.sa_handler = kick_handler}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return vmctl_error(err, errno, "sigaction");
	return 0;
}

int vcpu_create(struct vm *vm, unsigned id, struct vmctl_err *err)
{
	struct vcpu *v = &vm->vcpu[id];
	*v = (struct vcpu){.vm = vm, .id = id, .fd = -1};
	int r = kvm_create_vcpu(vm->kvm_fd, vm->vm_fd, id, &v->fd, &v->run,
				&v->run_size, err);
	if (r == 0)
		r = cpuid_setup(vm->kvm_fd, v->fd, id, vm->n_vcpus, err);
	if (r == 0)
		r = msr_setup(v->fd, err);
	return r < 0 ? vmctl_error_wrap(err, "vCPU %u", id) : 0;
}

/* "rip 0x... (gpa 0x...): 0f 01 ca 90 ..." for a fault message. */
static void describe_rip(struct vcpu *v, char *buf, size_t n)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t gpa;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(buf, n, "registers unavailable");
		return;
	}
	uint64_t gva = sregs.cs.base + regs.rip;
	int len = snprintf(buf, n, "rip 0x%llx", (unsigned long long)regs.rip);
	if (exit_gva_to_gpa(&v->vm->mem, sregs.cr0, sregs.cr3, sregs.cr4,
			    sregs.efer, gva, &gpa) < 0) {
		snprintf(buf + len, n - (size_t)len, " (not mapped)");
		return;
	}
	len += snprintf(buf + len, n - (size_t)len,
			" (gpa 0x%llx), code:", (unsigned long long)gpa);
	for (uint64_t i = 0; i < 12 && (size_t)len < n; i++) {
		const uint8_t *p = guest_ptr(&v->vm->mem, gpa + i, 1);
		if (!p)
			break;
		len += snprintf(buf + len, n - (size_t)len, " %02x", *p);
	}
}

static void fault(struct vcpu *v, const char *reason)
{
	char where[160];
	describe_rip(v, where, sizeof(where));
	vm_request_stop(v->vm, STOP_FAULT, EIO, "vCPU %u: %s at %s", v->id,
			reason, where);
}

static int serve_pio(struct vcpu *v, const struct exit_action *a)
{
	uint8_t *data = (uint8_t *)v->run + a->data_off;
	if (a->data_off + (uint64_t)a->size * a->count > v->run_size)
		return -EFAULT;
	for (uint32_t i = 0; i < a->count; i++) {
		int r = bus_access(&v->vm->bus, DEV_PIO, a->addr,
				   data + i * a->size, a->size, a->is_write);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Returns false when the loop must end. */
static bool serve_exit(struct vcpu *v)
{
	struct exit_action a = handle_exit(v->run);
	int r = 0;

	switch (a.kind) {
	case EXIT_ACT_CONTINUE:
		return true;
	case EXIT_ACT_PIO:
		r = serve_pio(v, &a);
		break;
	case EXIT_ACT_MMIO:
		r = bus_access(&v->vm->bus, DEV_MMIO, a.addr, v->run->mmio.data,
			       a.size, a.is_write);
		break;
	case EXIT_ACT_HALT:
		vm_request_stop(v->vm, STOP_RESET, 0, "guest halted");
		return false;
	case EXIT_ACT_RESET:
		vm_request_stop(v->vm, STOP_RESET, 0, "%s", a.reason);
		return false;
	case EXIT_ACT_FAULT:
		fault(v, a.reason);
		return false;
	}
	if (r < 0) {
		char msg[96];
		snprintf(msg, sizeof(msg), "device at 0x%llx failed: %s",
			 (unsigned long long)a.addr, strerror(-r));
		fault(v, msg);
		return false;
	}
	return true;
}

/* The boot profiler: a per-thread timer sends the kick signal every
 * millisecond; each KVM_RUN it interrupts is a sample of the guest's rip.
 * Debugging only (VMCTL_VM_PROFILE): it costs an exit per sample. */
#define PROFILE_MAX_SAMPLES (1u << 20)

struct rip_profile {
	timer_t timer;
	int64_t t0;
	size_t n;
	struct {
		uint32_t us;
		uint64_t rip;
	} s[];
};

static struct rip_profile *profile_start(struct vcpu *v)
{
	struct rip_profile *p =
	    malloc(sizeof(*p) + PROFILE_MAX_SAMPLES * sizeof(p->s[0]));
	if (!p)
		return NULL;
	struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID,
			       .sigev_signo = VCPU_KICK_SIGNAL};
	sev.sigev_notify_thread_id = gettid();
	struct itimerspec every_ms = {{0, 1000000}, {0, 1000000}};
	if (timer_create(CLOCK_MONOTONIC, &sev, &p->timer) < 0) {
		free(p);
		return NULL;
	}
	timer_settime(p->timer, 0, &every_ms, NULL);
	p->t0 = now_ns();
	p->n = 0;
	(void)v;
	return p;
}

static void profile_sample(struct vcpu *v)
{
	struct rip_profile *p = v->profile;
	struct kvm_regs regs;
	if (p->n < PROFILE_MAX_SAMPLES && ioctl(v->fd, KVM_GET_REGS, &regs) == 0) {
		p->s[p->n].us = (uint32_t)((now_ns() - p->t0) / 1000);
		p->s[p->n].rip = regs.rip;
		p->n++;
	}
}

static void profile_finish(struct vcpu *v)
{
	struct rip_profile *p = v->profile;
	timer_delete(p->timer);
	FILE *f = fopen(v->vm->cfg->profile_path, "we");
	if (f) {
		for (size_t i = 0; i < p->n; i++)
			fprintf(f, "%u %llx\n", p->s[i].us, (unsigned long long)p->s[i].rip);
		fclose(f);
	}
	free(p);
	v->profile = NULL;
}

/* KVM finishes an I/O instruction only on the next KVM_RUN; until then the
 * registers are not the guest's (KVM's API documentation): one KVM_RUN
 * with immediate_exit completes it and returns at once.  A snapshot that
 * cannot be saved is no fault: the run goes on and says why. */
static void take_snapshot(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vmctl_err err = {0};
	v->run->immediate_exit = 1;
	int r = ioctl(v->fd, KVM_RUN, 0);
	int e = errno;
	v->run->immediate_exit = atomic_load(&vm->stopping) ? 1 : 0;
	if (r == 0 || e != EINTR) {
		snprintf(vm->snapshot_msg, sizeof(vm->snapshot_msg),
			 "the vCPU did not pause (%s)", r == 0 ? "an exit" : strerror(e));
		return;
	}
	if (snapshot_save(vm, v, &err) < 0)
		snprintf(vm->snapshot_msg, sizeof(vm->snapshot_msg), "%s", err.msg);
	else
		vm->snapshot_saved = true;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t set;

	/* Only the kick signal may interrupt this thread. */
	sigfillset(&set);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &set, NULL);

	if (v->id == 0)
		v->vm->phase_ns[PHASE_KERNEL_ENTRY] = now_ns();
	if (v->id == 0 && v->vm->cfg->profile_path)
		v->profile = profile_start(v);
	while (!atomic_load(&v->vm->stopping)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && v->profile)
				profile_sample(v);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_request_stop(v->vm, STOP_FAULT, errno,
					"vCPU %u: KVM_RUN: %s", v->id,
					strerror(errno));
			break;
		}
		if (!serve_exit(v))
			break;
		if (atomic_exchange(&v->vm->snapshot_pending, false))
			take_snapshot(v);
	}
	if (v->profile)
		profile_finish(v);
	return NULL;
}

int vcpu_start(struct vcpu *v, struct vmctl_err *err)
{
	int r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (r)
		return vmctl_error(err, r, "vCPU %u thread", v->id);
	v->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->started)
		return;
	/* immediate_exit covers the window before the thread re-enters
	 * KVM_RUN; the signal covers a thread inside it. */
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu_join(struct vcpu *v)
{
	if (v->started)
		pthread_join(v->thread, NULL);
	v->started = false;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	v->run = NULL;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

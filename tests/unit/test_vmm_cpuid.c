/* test_vmm_cpuid.c - the CPUID filter on made-up entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "vmm/cpuid.h"

#define BIT(n) (1u << (n))

static void test_filter(void **state)
{
	(void)state;
	struct kvm_cpuid_entry2 e[6];
	memset(e, 0, sizeof(e));
	e[0] = (struct kvm_cpuid_entry2){.function = 1,
					 .ebx = 0xff0a0800,
					 .ecx = 0xffffffff & ~BIT(31),
					 .edx = 0x178bfbff};
	e[1] = (struct kvm_cpuid_entry2){.function = 7,
					 .index = 0,
					 .ebx = 0xffffffff,
					 .ecx = 0xffffffff,
					 .edx = 0xffffffff};
	e[2] =
	    (struct kvm_cpuid_entry2){.function = 7, .index = 1, .eax = 0x30};
	e[3] = (struct kvm_cpuid_entry2){.function = 0xd, .eax = 0x2e7};
	e[4] = (struct kvm_cpuid_entry2){.function = 0x40000000};
	e[5] = (struct kvm_cpuid_entry2){.function = 0xb, .edx = 7};

	cpuid_filter(e, 6, 2, 4);

	struct kvm_cpuid_entry2 *l1 = cpuid_find(e, 6, 1, 0);
	assert_non_null(l1);
	assert_int_equal(l1->ecx & BIT(31), BIT(31)); /* hypervisor */
	assert_int_equal(l1->ecx & BIT(26), 0);	      /* xsave */
	assert_int_equal(l1->ecx & BIT(27), 0);	      /* osxsave */
	assert_int_equal(l1->ecx & BIT(28), 0);	      /* avx */
	assert_int_equal(l1->ecx & BIT(23), 0);	      /* popcnt */
	assert_int_equal(l1->ecx & BIT(13), 0);	      /* cx16 */
	assert_int_equal(l1->ecx & BIT(0), BIT(0));   /* sse3 stays */
	assert_int_equal(l1->ebx >> 24, 2);	      /* APIC id */
	assert_int_equal((l1->ebx >> 16) & 0xff, 4);  /* logical CPUs */
	assert_int_equal(l1->edx, 0x178bfbff);	      /* untouched */

	struct kvm_cpuid_entry2 *l7 = cpuid_find(e, 6, 7, 0);
	assert_int_equal(l7->ebx & BIT(20), 0);	    /* smap */
	assert_int_equal(l7->ebx & BIT(9), 0);	    /* erms */
	assert_int_equal(l7->ebx & BIT(5), 0);	    /* avx2 */
	assert_int_equal(l7->ebx & BIT(16), 0);	    /* avx512f */
	assert_int_equal(l7->ebx & BIT(7), BIT(7)); /* smep: fine */
	assert_int_equal(l7->ebx & BIT(0), BIT(0)); /* fsgsbase: fine */
	assert_int_equal(l7->ecx & BIT(3), 0);	    /* pku */
	assert_int_equal(l7->ecx & BIT(2), 0);	    /* umip */
	assert_int_equal(l7->edx & BIT(4), 0);	    /* fsrm */
	assert_int_equal(l7->edx & BIT(29), 0);	    /* arch capabilities */
	assert_int_equal(cpuid_find(e, 6, 7, 1)->eax, 0);
	assert_int_equal(cpuid_find(e, 6, 0xd, 0)->eax, 0);

	struct kvm_cpuid_entry2 *kvm = cpuid_find(e, 6, 0x40000000, 0);
	assert_int_equal(kvm->eax, 0x40000001);
	char sig[13] = {0};
	memcpy(sig, &kvm->ebx, 4);
	memcpy(sig + 4, &kvm->ecx, 4);
	memcpy(sig + 8, &kvm->edx, 4);
	assert_string_equal(sig, "KVMKVMKVM");
	assert_int_equal(cpuid_find(e, 6, 0xb, 0)->edx, 2); /* x2APIC id */
	assert_null(cpuid_find(e, 6, 0x80000001, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

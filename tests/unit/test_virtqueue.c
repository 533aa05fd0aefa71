/* test_virtqueue.c - the split virtqueue against a hostile fake guest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virtio_fake.h"
#include "vmm/devices/virtqueue.h"

struct fixture {
	struct fake_guest g;
	struct virtq vq;
	struct virtq_chain chain;
};

static int setup_n(void **state, uint16_t qsize, bool indirect)
{
	struct fixture *f = calloc(1, sizeof(*f));
	fake_guest_init(&f->g, qsize);
	assert_int_equal(virtq_setup(&f->vq, &f->g.mem, qsize, FAKE_DESC,
				     FAKE_AVAIL, FAKE_USED, indirect),
			 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_n(state, 8, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fake_guest_free(&f->g);
	free(f);
	return 0;
}

static void test_empty_queue(void **state)
{
	struct fixture *f = *state;
	assert_false(virtq_has_avail(&f->vq));
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 0);
}

static void test_normal_chain(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	memcpy(gpa(g, FAKE_BUF), "hello", 5);
	set_desc(g, 3, FAKE_BUF, 5, VIRTQ_DESC_F_NEXT, 5);
	set_desc(g, 5, FAKE_BUF + 0x100, 3, VIRTQ_DESC_F_NEXT, 1);
	set_desc(g, 1, FAKE_BUF + 0x200, 64,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	set_desc(g, 0, FAKE_BUF + 0x300, 1, VIRTQ_DESC_F_WRITE, 0);
	make_avail(g, 3);

	assert_true(virtq_has_avail(&f->vq));
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
	assert_int_equal(f->chain.head, 3);
	assert_int_equal(f->chain.n_out, 2);
	assert_int_equal(f->chain.n_in, 2);
	assert_int_equal(f->chain.out_bytes, 8);
	assert_int_equal(f->chain.in_bytes, 65);
	assert_ptr_equal(f->chain.seg[0].host, gpa(g, FAKE_BUF));
	assert_ptr_equal(f->chain.seg[3].host, gpa(g, FAKE_BUF + 0x300));

	char buf[8] = {0};
	assert_int_equal(virtq_chain_read(&f->chain, 0, buf, 5), 5);
	assert_memory_equal(buf, "hello", 5);
	/* Writing across the writable segments: 64 + 1 bytes. */
	uint8_t pattern[70];
	memset(pattern, 0xab, sizeof(pattern));
	assert_int_equal(virtq_chain_write(&f->chain, 60, pattern, 10), 5);
	assert_int_equal(*(uint8_t *)gpa(g, FAKE_BUF + 0x300), 0xab);

	virtq_push(&f->vq, f->chain.head, 65);
	struct virtq_used *u = used_ring(g);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].id, 3);
	assert_int_equal(u->ring[0].len, 65);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 0);
	assert_true(virtq_should_interrupt(&f->vq));
	((struct virtq_avail *)gpa(g, FAKE_AVAIL))->flags =
	    VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_should_interrupt(&f->vq));
}

static void test_unpop_returns_chain(void **state)
{
	struct fixture *f = *state;
	set_desc(&f->g, 2, FAKE_BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	make_avail(&f->g, 2);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
	virtq_unpop(&f->vq);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
	assert_int_equal(f->chain.head, 2);
}

static void test_buffer_outside_memory(void **state)
{
	struct fixture *f = *state;
	/* Starts inside, ends one byte past the end. */
	set_desc(&f->g, 0, FAKE_MEM_SIZE - 16, 17, 0, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EFAULT);
}

static void test_buffer_address_overflow(void **state)
{
	struct fixture *f = *state;
	/* addr + len wraps around 2^64 to a small, "valid" address. */
	set_desc(&f->g, 0, UINT64_MAX - 7, 0x100, 0, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EFAULT);
}

static void test_head_out_of_range(void **state)
{
	struct fixture *f = *state;
	make_avail(&f->g, 8); /* queue size 8: valid heads are 0..7 */
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
}

static void test_next_out_of_range(void **state)
{
	struct fixture *f = *state;
	set_desc(&f->g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 200);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
}

static void test_loop_detected(void **state)
{
	struct fixture *f = *state;
	set_desc(&f->g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&f->g, 1, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	set_desc(&f->g, 2, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -ELOOP);
}

static void test_self_loop_detected(void **state)
{
	struct fixture *f = *state;
	set_desc(&f->g, 4, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 4);
	make_avail(&f->g, 4);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -ELOOP);
}

static void test_whole_table_chain_ok(void **state)
{
	struct fixture *f = *state;
	/* A chain using every descriptor once is the longest legal one. */
	for (uint16_t i = 0; i < 8; i++)
		set_desc(&f->g, i, FAKE_BUF + i * 16, 16,
			 i < 7 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
	assert_int_equal(f->chain.n_out, 8);
}

static void test_readable_after_writable(void **state)
{
	struct fixture *f = *state;
	set_desc(&f->g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	set_desc(&f->g, 1, FAKE_BUF + 8, 8, 0, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
}

static void test_avail_idx_runs_ahead(void **state)
{
	struct fixture *f = *state;
	/* More chains "available" than the queue can hold. */
	((struct virtq_avail *)gpa(&f->g, FAKE_AVAIL))->idx = 9;
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
}

static void test_wrapping_indexes(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	/* Driver and device both near the 16-bit wrap. */
	f->vq.last_avail = 0xfffe;
	f->vq.used_idx = 0xfffe;
	g->avail_idx = 0xfffe;
	used_ring(g)->idx = 0xfffe;
	for (uint16_t i = 0; i < 4; i++) {
		set_desc(g, i, FAKE_BUF + i * 16, 16, VIRTQ_DESC_F_WRITE, 0);
		make_avail(g, i);
	}
	assert_int_equal(((struct virtq_avail *)gpa(g, FAKE_AVAIL))->idx, 2);
	for (uint16_t i = 0; i < 4; i++) {
		assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
		assert_int_equal(f->chain.head, i);
		virtq_push(&f->vq, f->chain.head, i);
	}
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 0);
	struct virtq_used *u = used_ring(g);
	assert_int_equal(u->idx, 2);
	/* 0xfffe % 8 = 6: entries 6, 7, 0, 1. */
	assert_int_equal(u->ring[6].id, 0);
	assert_int_equal(u->ring[7].id, 1);
	assert_int_equal(u->ring[0].id, 2);
	assert_int_equal(u->ring[1].id, 3);
}

static void test_bad_queue_sizes(void **state)
{
	struct fixture *f = *state;
	struct virtq vq;
	const struct guest_mem *m = &f->g.mem;
	assert_int_equal(
	    virtq_setup(&vq, m, 0, FAKE_DESC, FAKE_AVAIL, FAKE_USED, false),
	    -EINVAL);
	assert_int_equal(
	    virtq_setup(&vq, m, 3, FAKE_DESC, FAKE_AVAIL, FAKE_USED, false),
	    -EINVAL);
	assert_int_equal(
	    virtq_setup(&vq, m, 512, FAKE_DESC, FAKE_AVAIL, FAKE_USED, false),
	    -EINVAL);
	assert_int_equal(virtq_pop(&vq, &f->chain), -EINVAL);
	assert_int_equal(
	    virtq_setup(&vq, m, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, false),
	    0);
}

static void test_bad_ring_addresses(void **state)
{
	struct fixture *f = *state;
	struct virtq vq;
	const struct guest_mem *m = &f->g.mem;
	/* Misaligned rings. */
	assert_int_equal(
	    virtq_setup(&vq, m, 8, FAKE_DESC + 8, FAKE_AVAIL, FAKE_USED, false),
	    -EINVAL);
	assert_int_equal(
	    virtq_setup(&vq, m, 8, FAKE_DESC, FAKE_AVAIL + 1, FAKE_USED, false),
	    -EINVAL);
	assert_int_equal(
	    virtq_setup(&vq, m, 8, FAKE_DESC, FAKE_AVAIL, FAKE_USED + 2, false),
	    -EINVAL);
	/* A used ring running off the end of guest memory. */
	assert_int_equal(virtq_setup(&vq, m, 8, FAKE_DESC, FAKE_AVAIL,
				     FAKE_MEM_SIZE - 16, false),
			 -EFAULT);
	assert_int_equal(virtq_setup(&vq, m, 8, UINT64_MAX & ~15ULL, FAKE_AVAIL,
				     FAKE_USED, false),
			 -EFAULT);
}

#define INDIRECT_TABLE 0x8000u

static void test_indirect_chain(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	set_desc_at(g, INDIRECT_TABLE, 0, FAKE_BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc_at(g, INDIRECT_TABLE, 2, FAKE_BUF + 16, 32,
		    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(g, INDIRECT_TABLE, 1, FAKE_BUF + 48, 1, VIRTQ_DESC_F_WRITE,
		    0);
	set_desc(g, 5, INDIRECT_TABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(g, 5);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
	assert_int_equal(f->chain.head, 5);
	assert_int_equal(f->chain.n_out, 1);
	assert_int_equal(f->chain.n_in, 2);
	assert_int_equal(f->chain.in_bytes, 33);
}

static void test_indirect_loop(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	set_desc_at(g, INDIRECT_TABLE, 0, FAKE_BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(g, INDIRECT_TABLE, 1, FAKE_BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	set_desc(g, 0, INDIRECT_TABLE, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -ELOOP);
}

static void test_indirect_oversized(void **state)
{
	struct fixture *f = *state;
	/* A table of 9 descriptors on a queue of 8. */
	set_desc(&f->g, 0, INDIRECT_TABLE, 9 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -E2BIG);
}

static void test_indirect_malformed(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	/* Length not a multiple of 16. */
	set_desc(g, 0, INDIRECT_TABLE, 20, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
	/* Table outside guest memory. */
	f->vq.last_avail++;
	set_desc(g, 1, FAKE_MEM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(g, 1);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EFAULT);
	/* Nested indirect. */
	f->vq.last_avail++;
	set_desc_at(g, INDIRECT_TABLE, 0, INDIRECT_TABLE, 16,
		    VIRTQ_DESC_F_INDIRECT, 0);
	set_desc(g, 2, INDIRECT_TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(g, 2);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
	/* INDIRECT together with NEXT. */
	f->vq.last_avail++;
	set_desc_at(g, INDIRECT_TABLE, 0, FAKE_BUF, 16, 0, 0);
	set_desc(g, 3, INDIRECT_TABLE, 16,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 4);
	set_desc(g, 4, FAKE_BUF, 16, 0, 0);
	make_avail(g, 3);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
}

static void test_indirect_not_negotiated(void **state)
{
	struct fixture *f = *state;
	f->vq.indirect_ok = false;
	set_desc_at(&f->g, INDIRECT_TABLE, 0, FAKE_BUF, 16, 0, 0);
	set_desc(&f->g, 0, INDIRECT_TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), -EINVAL);
}

static void test_max_queue_full_indirect(void **state)
{
	/* 256-entry queue, one indirect table of 256 descriptors. */
	struct fixture *f = NULL;
	setup_n((void **)&f, 256, true);
	for (uint16_t i = 0; i < 256; i++)
		set_desc_at(&f->g, INDIRECT_TABLE, i, FAKE_BUF, 512,
			    i < 255 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	set_desc(&f->g, 0, INDIRECT_TABLE, 256 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtq_pop(&f->vq, &f->chain), 1);
	assert_int_equal(f->chain.n_out, 256);
	void *p = f;
	teardown(&p);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_normal_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unpop_returns_chain, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_outside_memory, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_address_overflow, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_head_out_of_range, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_next_out_of_range, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_loop_detected, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_self_loop_detected, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_whole_table_chain_ok, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_readable_after_writable, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_avail_idx_runs_ahead, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_wrapping_indexes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_queue_sizes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_ring_addresses, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_chain, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_loop, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_oversized, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_malformed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_not_negotiated, setup,
					    teardown),
	    cmocka_unit_test(test_max_queue_full_indirect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

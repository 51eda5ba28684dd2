// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cursor.h"

static void test_read_le_and_be(void **state)
{
	static const uint8_t b[] = { 0x01, 0x34, 0x12, 0x56, 0x34, 0x12,
				     0x78, 0x56, 0x34, 0x12, 0xaa, 0xbb };
	struct cur c = cur_init(b, sizeof(b));
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	assert_int_equal(cur_u8(&c, &u8), 0);
	assert_int_equal(u8, 1);
	assert_int_equal(cur_u16(&c, &u16), 0);
	assert_int_equal(u16, 0x1234);
	assert_int_equal(cur_u24(&c, &u24), 0);
	assert_int_equal(u24, 0x123456);
	assert_int_equal(cur_u32(&c, &u32), 0);
	assert_int_equal(u32, 0x12345678);
	assert_int_equal(cur_be16(&c, &u16), 0);
	assert_int_equal(u16, 0xaabb);
	assert_true(cur_at_end(&c));
}

static void test_read_past_end_consumes_nothing(void **state)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct cur c = cur_init(b, sizeof(b));
	uint32_t v;
	uint64_t v64;
	const uint8_t *p;
	struct cur sub;

	assert_int_equal(cur_u32(&c, &v), -EBADMSG);
	assert_int_equal(c.off, 0);
	assert_int_equal(cur_u64(&c, &v64), -EBADMSG);
	assert_int_equal(c.off, 0);
	assert_int_equal(cur_ptr(&c, 4, &p), -EBADMSG);
	assert_int_equal(cur_skip(&c, SIZE_MAX), -EBADMSG);
	assert_int_equal(cur_sub(&c, 2, &sub), 0);
	assert_int_equal(cur_left(&sub), 2);
	assert_int_equal(cur_u24(&c, &v), -EBADMSG);
	assert_int_equal(cur_left(&c), 1);
}

/* A u64 whose low half fits and high half does not leaves the cursor where it was. */
static void test_u64_half_fits(void **state)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6 };
	struct cur c = cur_init(b, sizeof(b));
	uint64_t v64 = 7;

	assert_int_equal(cur_u64(&c, &v64), -EBADMSG);
	assert_int_equal(c.off, 0);
	assert_int_equal(v64, 7);
	assert_int_equal(cur_left(&c), sizeof(b));
}

static void test_write_sticky_overflow(void **state)
{
	uint8_t b[6];
	struct wcur w = wcur_init(b, sizeof(b));
	size_t at;

	at = wcur_reserve(&w, 2);
	wcur_u8(&w, 0xee);
	wcur_u24(&w, 0x030201);
	wcur_put_u16_at(&w, at, 0x0605);
	assert_int_equal(wcur_finish(&w), 6);
	assert_int_equal(b[0], 5);
	assert_int_equal(b[1], 6);
	assert_int_equal(b[3], 1);
	wcur_u8(&w, 1);
	assert_int_equal(wcur_finish(&w), -ENOSPC);
	wcur_u8(&w, 1);
	assert_int_equal(w.len, 6);
}

static void test_buf_grows(void **state)
{
	struct da_buf b = { 0 };
	uint8_t chunk[100] = { 7 };

	for (int i = 0; i < 100; i++)
		assert_int_equal(da_buf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9900], 7);
	da_buf_free(&b);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_le_and_be),
		cmocka_unit_test(test_read_past_end_consumes_nothing),
		cmocka_unit_test(test_u64_half_fits),
		cmocka_unit_test(test_write_sticky_overflow),
		cmocka_unit_test(test_buf_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

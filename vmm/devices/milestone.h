/* milestone.h (monitor side) - lifts the init's milestone records (format
 * in vmm/milestone.h) out of a byte stream, and the port device that feeds
 * the same parser.  The parser and the exit-code rules are PURE. */
#ifndef VMCTL_VMM_DEVICES_MILESTONE_H
#define VMCTL_VMM_DEVICES_MILESTONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/device.h"
#include "vmm/milestone.h"

typedef void (*ms_event_fn)(void *ctx, char type, const char *payload);
typedef void (*ms_text_fn)(void *ctx, const char *buf, size_t n);

struct ms_parser {
	ms_event_fn event; /* a complete record */
	ms_text_fn text;   /* every other byte, in line-sized chunks */
	void *ctx;
	bool in_record;
	size_t rec_len;
	char rec[MS_MAX_PAYLOAD + 2];
	size_t text_len;
	char text_buf[512];
};

void ms_parser_init(struct ms_parser *p, ms_event_fn event, ms_text_fn text,
		    void *ctx);
void ms_parser_feed(struct ms_parser *p, const void *buf, size_t n);
/* Hands out buffered text (end of run, or before a blocking wait). */
void ms_parser_flush(struct ms_parser *p);

/* Docker's exit code for a wait(2) status: the status, or 128+signal. */
int ms_exit_code_from_status(int wait_status);
/* For a failed exec: 127 not found, 126 found but cannot be executed. */
int ms_exit_code_from_exec_errno(int err);

/* The port device at MS_PORT: each byte written is fed to p. */
int milestone_create(struct device **out, struct ms_parser *p,
		     struct vmctl_err *err);

#endif

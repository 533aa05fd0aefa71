/* milestone.c - milestone stream parser and port (see milestone.h). */
#include "vmm/devices/milestone.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

void ms_parser_init(struct ms_parser *p, ms_event_fn event, ms_text_fn text,
		    void *ctx)
{
	*p = (struct ms_parser){.event = event, .text = text, .ctx = ctx};
}

void ms_parser_flush(struct ms_parser *p)
{
	if (p->text_len && p->text)
		p->text(p->ctx, p->text_buf, p->text_len);
	p->text_len = 0;
}

static void text_byte(struct ms_parser *p, char c)
{
	p->text_buf[p->text_len++] = c;
	if (c == '\n' || p->text_len == sizeof(p->text_buf))
		ms_parser_flush(p);
}

static void record_byte(struct ms_parser *p, char c)
{
	if (c != '\n') {
		/* an over-long record is cut, never overflows */
		if (p->rec_len < sizeof(p->rec) - 1)
			p->rec[p->rec_len++] = c;
		return;
	}
	p->rec[p->rec_len] = '\0';
	p->in_record = false;
	if (p->rec_len && p->event)
		p->event(p->ctx, p->rec[0], p->rec + 1);
}

void ms_parser_feed(struct ms_parser *p, const void *buf, size_t n)
{
	const char *s = buf;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r')
			continue; /* the tty's ONLCR, if left on */
		if (c == MS_MARK) {
			ms_parser_flush(p); /* keep text before it in order */
			p->in_record = true;
			p->rec_len = 0;
		} else if (p->in_record) {
			record_byte(p, c);
		} else {
			text_byte(p, c);
		}
	}
}

int ms_exit_code_from_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 125; /* stopped/continued: not an end, cannot happen */
}

int ms_exit_code_from_exec_errno(int err)
{
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

struct milestone_dev {
	struct device dev;
	struct ms_parser *parser;
};

static int ms_write(struct device *dev, uint64_t off, const void *data,
		    uint32_t len)
{
	struct milestone_dev *m = (struct milestone_dev *)dev;
	ms_parser_feed(m->parser, data, 1); /* one byte per access */
	return 0;
}

static void ms_destroy(struct device *dev)
{
	free(dev);
}

static const struct device_ops milestone_ops = {
    .name = "milestone",
    .write = ms_write,
    .destroy = ms_destroy,
};

int milestone_create(struct device **out, struct ms_parser *p,
		     struct vmctl_err *err)
{
	struct milestone_dev *m = calloc(1, sizeof(*m));
	if (!m)
		return vmctl_error(err, ENOMEM, "milestone device");
	m->dev = (struct device){.ops = &milestone_ops,
				 .space = DEV_PIO,
				 .base = MS_PORT,
				 .len = MS_PORT_LEN};
	m->parser = p;
	*out = &m->dev;
	return 0;
}

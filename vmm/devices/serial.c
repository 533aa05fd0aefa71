/* serial.c - 16550A UART (see serial.h).  Register semantics from the
 * PC16550D data sheet; what Linux's 8250 probe checks was read in
 * drivers/tty/serial/8250/8250_port.c (autoconfig, loopback test). */
#include "vmm/devices/serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define UART_RX 0  /* DLAB=0 read */
#define UART_TX 0  /* DLAB=0 write */
#define UART_IER 1 /* DLAB=0 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define LCR_DLAB 0x80
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_FIFO_ENABLED 0xc0
#define FCR_ENABLE_FIFO 0x01
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08 /* gates the IRQ line on PCs */
#define MCR_LOOP 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct serial {
	struct device dev;
	pthread_mutex_t lock;
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr;
	bool thri_pending; /* THR became empty and nobody read IIR since */
	int irq_level;
	serial_sink_fn sink;
	void *sink_ctx;
};

static uint8_t iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE_FIFO) ? IIR_FIFO_ENABLED : 0;
	if ((s->ier & IER_THRI) && s->thri_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

static uint8_t msr(const struct serial *s)
{
	if (!(s->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* loopback: modem outputs feed the modem inputs */
	return (uint8_t)(((s->mcr & MCR_RTS) ? MSR_CTS : 0) |
			 ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
			 ((s->mcr & MCR_OUT1) ? MSR_RI : 0) |
			 ((s->mcr & MCR_OUT2) ? MSR_DCD : 0));
}

static void update_irq(struct serial *s)
{
	int level = !(iir(s) & IIR_NO_INT) && (s->mcr & MCR_OUT2);
	if (level != s->irq_level && s->dev.irq) {
		s->irq_level = level;
		s->dev.irq(s->dev.irq_ctx, (uint32_t)(uintptr_t)s->dev.priv,
			   level);
	}
}

static int serial_read(struct device *dev, uint64_t off, void *data,
		       uint32_t len)
{
	struct serial *s = (struct serial *)dev;
	uint8_t v = 0;

	pthread_mutex_lock(&s->lock);
	switch (off) {
	case UART_RX:
		v = (s->lcr & LCR_DLAB) ? s->dll : 0;
		break;
	case UART_IER:
		v = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
		break;
	case UART_IIR:
		v = iir(s);
		if ((v & 0x0f) == IIR_THRI) /* reading IIR acknowledges it */
			s->thri_pending = false;
		break;
	case UART_LCR:
		v = s->lcr;
		break;
	case UART_MCR:
		v = s->mcr;
		break;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT;
		break;
	case UART_MSR:
		v = msr(s);
		break;
	case UART_SCR:
		v = s->scr;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	memset(data, 0, len);
	*(uint8_t *)data = v;
	return 0;
}

static int serial_write(struct device *dev, uint64_t off, const void *data,
			uint32_t len)
{
	struct serial *s = (struct serial *)dev;
	uint8_t v = *(const uint8_t *)data;

	pthread_mutex_lock(&s->lock);
	switch (off) {
	case UART_TX:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			break;
		}
		if (!(s->mcr & MCR_LOOP))
			s->sink(s->sink_ctx, &v, 1);
		s->thri_pending = true; /* sent at once: THR empty again */
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thri_pending = true; /* THR is empty right now */
		s->ier = v & 0x0f;
		break;
	case UART_FCR:
		s->fcr = v & (FCR_ENABLE_FIFO | 0xc0);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	(void)len;
	return 0;
}

static void serial_destroy(struct device *dev)
{
	struct serial *s = (struct serial *)dev;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The registers the guest's driver programmed, for boot snapshots. */
struct serial_saved {
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr, thri_pending;
};

static int serial_save(struct device *dev, void *buf, size_t n)
{
	struct serial *s = (struct serial *)dev;
	if (n < sizeof(struct serial_saved))
		return -ENOSPC;
	pthread_mutex_lock(&s->lock);
	struct serial_saved v = {s->dll, s->dlm, s->ier, s->fcr,
				 s->lcr, s->mcr, s->scr, s->thri_pending};
	pthread_mutex_unlock(&s->lock);
	memcpy(buf, &v, sizeof(v));
	return (int)sizeof(v);
}

static int serial_restore(struct device *dev, const void *buf, size_t n)
{
	struct serial *s = (struct serial *)dev;
	struct serial_saved v;
	if (n != sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	pthread_mutex_lock(&s->lock);
	s->dll = v.dll, s->dlm = v.dlm, s->ier = v.ier & 0x0f;
	s->fcr = v.fcr, s->lcr = v.lcr, s->mcr = v.mcr & 0x1f, s->scr = v.scr;
	s->thri_pending = v.thri_pending != 0;
	/* The line level lives in the restored irqchip: recompute ours
	 * without raising it again. */
	s->irq_level = !(iir(s) & IIR_NO_INT) && (s->mcr & MCR_OUT2);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static const struct device_ops serial_ops = {
    .name = "serial",
    .read = serial_read,
    .write = serial_write,
    .destroy = serial_destroy,
    .save = serial_save,
    .restore = serial_restore,
};

int serial_create(struct device **out, uint16_t base, uint32_t gsi,
		  serial_sink_fn sink, void *sink_ctx, struct vmctl_err *err)
{
	struct serial *s = calloc(1, sizeof(*s));
	if (!s)
		return vmctl_error(err, ENOMEM, "serial");
	pthread_mutex_init(&s->lock, NULL);
	s->dev = (struct device){.ops = &serial_ops,
				 .space = DEV_PIO,
				 .base = base,
				 .len = 8,
				 .priv = (void *)(uintptr_t)gsi};
	s->sink = sink;
	s->sink_ctx = sink_ctx;
	s->lcr = 0x03; /* 8N1 */
	s->mcr = MCR_OUT2;
	*out = &s->dev;
	return 0;
}

/* serial.h - a 16550A UART, enough for Linux's 8250 driver and console.
 *
 * Transmitted bytes go to a sink callback at once (the transmitter is
 * always empty); there is no input.  The THR-empty interrupt is emulated
 * so the interrupt-driven tty path (user space writing to ttyS0) works.
 */
#ifndef VMCTL_VMM_DEVICES_SERIAL_H
#define VMCTL_VMM_DEVICES_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/device.h"

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_GSI 4

typedef void (*serial_sink_fn)(void *ctx, const uint8_t *buf, size_t n);

int serial_create(struct device **out, uint16_t base, uint32_t gsi,
		  serial_sink_fn sink, void *sink_ctx, struct vmctl_err *err);

#endif

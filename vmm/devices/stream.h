/* stream.h - the workload's stdout and stderr as I/O ports (see stream.c). */
#ifndef VMCTL_VMM_STREAM_H
#define VMCTL_VMM_STREAM_H

#include "common/error.h"
#include "vmm/device.h"

/* Bytes written to MS_STREAM_OUT go to out_fd, to MS_STREAM_ERR to err_fd
 * (vmm/milestone.h), buffered until MS_STREAM_FLUSH is written, a buffer
 * fills, or the device is destroyed. */
int stream_create(struct device **out, int out_fd, int err_fd, struct vmctl_err *err);

#endif

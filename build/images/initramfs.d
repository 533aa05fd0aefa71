build/images/initramfs.o: images/initramfs.c images/initramfs.h \
 common/error.h common/cleanup.h common/digest.h common/util.h \
 common/error.h images/cpio.h images/flatten.h vmm/milestone.h
images/initramfs.h:
common/error.h:
common/cleanup.h:
common/digest.h:
common/util.h:
common/error.h:
images/cpio.h:
images/flatten.h:
vmm/milestone.h:

build/container/seccomp_profile.o: container/seccomp_profile.c \
 container/seccomp_profile.h common/error.h common/cleanup.h
container/seccomp_profile.h:
common/error.h:
common/cleanup.h:

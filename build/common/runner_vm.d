build/common/runner_vm.o: common/runner_vm.c common/runner.h \
 common/error.h common/spec.h common/state.h
common/runner.h:
common/error.h:
common/spec.h:
common/state.h:

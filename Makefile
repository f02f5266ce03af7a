# The two commands of the README: `make demo` and `make test`. Both bootstrap first.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all bootstrap build test demo bench clean
all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	@scripts/bootstrap
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: bootstrap $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

demo: build
	@scripts/demo

bench: build
	@bench/run

clean:
	rm -rf $(BUILD)

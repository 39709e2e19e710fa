# Concord: `make run` opens the app; `make test` runs every test. Both install what is missing.
GO_TAGS_APP := desktop,production,webkit2_41
GO_TAGS_DEV := dev,webkit2_41
GO_PACKAGES = $(shell go list ./... | grep -v /node_modules/)
LDFLAGS = $(shell ./build/ldflags.sh)

.PHONY: run test deps build build-dev frontend test-go test-frontend test-e2e bench vet clean \
	deps-dist dist dist-linux dist-windows dist-mac test-dist

run: deps build
	./build/run.sh $(ARGS)

test: deps vet test-go test-frontend test-e2e

deps:
	./build/deps.sh all

frontend:
	cd frontend && npm run build

build: frontend
	go build -tags $(GO_TAGS_APP) -ldflags '$(LDFLAGS)' -o build/bin/concord .

build-dev: frontend
	go build -tags $(GO_TAGS_DEV) -o build/bin/concord-dev .

vet:
	go vet $(GO_PACKAGES)

test-go:
	go test -count=1 $(GO_PACKAGES)

test-frontend:
	cd frontend && npm run check && npm test

test-e2e: build-dev
	go build -o build/bin/concord-cli .
	cd frontend && npm run e2e

bench:
	go test -run '^$$' -bench . -benchmem -timeout 30m $(GO_PACKAGES)

# Release packages into build/dist/ with SHA256SUMS (README: Releasing).
deps-dist:
	./build/deps.sh dist

dist: deps-dist frontend
	./build/dist.sh all

dist-linux: deps-dist frontend
	./build/dist.sh linux

dist-windows: deps-dist frontend
	./build/dist.sh windows

dist-mac:
	@./build/dist.sh mac

# Builds the packages, then inspects, installs (as root), launches and removes them.
test-dist: dist
	./build/test-dist.sh

clean:
	rm -rf build/bin build/dist frontend/dist

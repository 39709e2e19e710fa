# Concord: `make run` opens the app; `make test` runs every test. Both install what is missing.
GO_TAGS_APP := desktop,production,webkit2_41
GO_TAGS_DEV := dev,webkit2_41
GO_PACKAGES = $(shell go list ./... | grep -v /node_modules/)
LDFLAGS = $(shell ./build/ldflags.sh)

.PHONY: run test deps build build-dev window-icon cli frontend report-template test-go test-fuzz test-frontend test-e2e bench bench-ui fuzz vet tidy-check clean \
	deps-dist dist dist-linux dist-windows dist-mac test-dist

run: deps build
	./build/run.sh $(ARGS)

test: deps tidy-check vet test-go test-fuzz test-frontend test-e2e test-dist

deps:
	./build/deps.sh all

# The app's assets and the exported report's template (frontend/dist-report).
frontend:
	cd frontend && npm run build

# Only the exported report's template, for the headless binary.
report-template:
	cd frontend && npm run build:report

build: frontend window-icon
	go build -tags $(GO_TAGS_APP) -ldflags '$(LDFLAGS)' -o build/bin/concord .

build-dev: frontend window-icon
	go build -tags $(GO_TAGS_DEV) -o build/bin/concord-dev .

# The window's icon, embedded by app/window_icon.go (not committed); without
# rsvg-convert (./build/deps.sh dist) the window keeps the default icon.
window-icon:
	@if command -v rsvg-convert >/dev/null; then \
		rsvg-convert --width 256 --height 256 --output app/icon/concord.png build/icon/concord.svg; \
	else echo "window-icon: rsvg-convert not found (./build/deps.sh dist); the window keeps the default icon" >&2; fi

# go.mod and go.sum must be what `go mod tidy` makes of them.
tidy-check:
	@go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }

# The headless binary (no cgo, no window) with the HTML report template embedded.
cli: report-template
	CGO_ENABLED=0 go build -tags reporthtml -ldflags '$(LDFLAGS)' -o build/bin/concord-cli .

vet:
	go vet $(GO_PACKAGES)

# With the report template, so the HTML export's tests run too.
test-go: report-template
	go test -count=1 -tags reporthtml $(GO_PACKAGES)

test-frontend:
	cd frontend && npm run check && npm test

test-e2e: build-dev
	CGO_ENABLED=0 go build -tags reporthtml -ldflags '$(LDFLAGS)' -o build/bin/concord-cli .
	cd frontend && npm run e2e

bench:
	go test -run '^$$' -bench . -benchmem -timeout 30m $(GO_PACKAGES)

# The production window under Xvfb, driven by xdotool: keypress → next item, start-up, idle CPU.
bench-ui: deps build
	./build/bench-ui.sh

# Each fuzz target for FUZZTIME (default 5s); a failing input lands in testdata/fuzz: commit it.
fuzz:
	./build/fuzz.sh

# Part of make test: each fuzz target for 3 s (13 targets, about 100 s on 2 busy cores with a cold build).
# A count, not a duration: see build/fuzz.sh (a Go 1.26 fuzzing race).
test-fuzz:
	./build/fuzz.sh 5000x

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
	rm -rf build/bin build/dist frontend/dist frontend/dist-report app/icon/concord.png

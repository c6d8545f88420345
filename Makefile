# Two commands for a user: `make run` (kiosk + simulators) and `make test` (whole suite).
PY     ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEBIAN_PACKAGES := xvfb socat sane-utils espeak-ng fonts-noto-core fonts-dejavu-core \
                   fonts-wqy-microhei libgl1 libegl1 libxkbcommon-x11-0 libfontconfig1 \
                   libdbus-1-3 imagemagick poppler-utils libxcb-icccm4 libxcb-keysyms1 \
                   libxcb-xinerama0 libxcb-image0 libxcb-render-util0 libxcb-randr0 \
                   libxcb-shape0 libxcb-xkb1 systemd tesseract-ocr tesseract-ocr-vie \
                   tesseract-ocr-eng tesseract-ocr-osd ocrmypdf ghostscript qpdf \
                   prometheus
PYTEST_ARGS ?=

.PHONY: help venv debian-deps test run demo screenshots bench soak clean
.PHONY: deb-deps deb repo package-test

help:
	@echo "make run          start the kiosk with every device simulated (no hardware)"
	@echo "make test         install everything and run the whole test suite offscreen"
	@echo "make demo         play a scripted day headless and print where the results are"
	@echo "make screenshots  write every screen in each language to docs/screens/"
	@echo "make bench        benchmarks against the physical limits (bench/results.md)"
	@echo "make soak         the long survival runs (crash loop, 30 simulated days)"
	@echo "make deb          the Debian package: dist/kiosk_<version>_<arch>.deb (+ lintian)"
	@echo "make repo         a signed apt repository with suites canary and stable (dist/repo)"
	@echo "make package-test install, upgrade, remove, purge and rollback in a throwaway root"

$(STAMP): setup.cfg pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the simulator and the tests use; installed only when run as root,
# otherwise the missing ones are listed with the command to install them.
debian-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:" $$missing; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages (some tests will say so): sudo apt-get install" $$missing; \
	  fi; \
	fi

test: $(STAMP) debian-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 -p no:cacheprovider -m "not soak and not package" $(PYTEST_ARGS)

run: $(STAMP) debian-deps
	$(BIN)/kiosk-sim

demo: $(STAMP)
	$(BIN)/kiosk-sim --headless --scenario day --out out/demo

screenshots: $(STAMP) debian-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots --out docs/screens

bench: $(STAMP) debian-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

soak: $(STAMP) debian-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m soak -p no:cacheprovider tests/soak

clean:
	rm -rf $(VENV) var out .pytest_cache

# ---- the Debian package, the apt repository and their tests (docs/updates.md) -------
VERSION  := $(shell sed -n 's/^version *= *//p' setup.cfg | head -n1)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB      := dist/kiosk_$(VERSION)_$(DEB_ARCH).deb
DEB_BUILD_PACKAGES := debhelper dh-virtualenv python3-venv python3-dev dpkg-dev lintian \
                      reprepro gnupg mmdebstrap apt-utils
REPO_DIR ?= dist/repo

# Build dependencies of the package; installed only as root, like debian-deps.
deb-deps:
	@missing=$$(for p in $(DEB_BUILD_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:" $$missing; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages: sudo apt-get install" $$missing; exit 1; \
	  fi; \
	fi

# The package is built in a copy of the tree (build/deb/src) so the checkout stays clean.
deb: deb-deps
	debian/build-deb "$(VERSION)" "$(DEB)"

repo: deb-deps
	test -f "$(DEB)" || $(MAKE) deb
	debian/make-repo "$(REPO_DIR)" "$(DEB)"

package-test: $(STAMP) deb-deps
	$(MAKE) deb
	KIOSK_DEB="$(abspath $(DEB))" QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest \
	    -p no:cacheprovider -m package tests/package $(PYTEST_ARGS)

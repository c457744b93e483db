# Frontline — build, generate, test.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

# Pinned tool versions; each is installed once into bin/ with its version in
# the file name.
CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION    ?= v2.15.0
HELM_VERSION             ?= v3.22.0
K8S_VERSION              ?= v1.37.2
ETCD_VERSION             ?= v3.6.8

LOCALBIN       ?= $(CURDIR)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
GOLANGCI_LINT  ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM           ?= $(LOCALBIN)/helm-$(HELM_VERSION)
ENVTEST_ASSETS ?= $(LOCALBIN)/k8s-$(K8S_VERSION)

ARCH    ?= $(shell go env GOARCH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

# The images a release publishes, tagged with VERSION:
#   ghcr.io/frontline-dev/frontline:$(VERSION)         (make print-image)
#   ghcr.io/frontline-dev/frontline-ingest:$(VERSION)  (make print-ingest-image)
# The chart's defaults (charts/frontline/values.yaml, tag = appVersion) and
# kustomize's (config/manager, config/ingest) name the same; make release
# packages the chart and renders install.yaml with VERSION and checks it.
REGISTRY          ?= ghcr.io
IMAGE_NAME        ?= frontline-dev/frontline
INGEST_IMAGE_NAME ?= frontline-dev/frontline-ingest
IMG               ?= $(REGISTRY)/$(IMAGE_NAME):$(VERSION)
INGEST_IMG        ?= $(REGISTRY)/$(INGEST_IMAGE_NAME):$(VERSION)

# make release: into DIST, plugin archives for PLATFORMS, images for
# IMAGE_ARCHES; the krew manifest points at RELEASE_URL.
DIST         ?= $(CURDIR)/dist
PLATFORMS    ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
IMAGE_ARCHES ?= amd64 arm64
RELEASE_URL  ?= https://github.com/frontline-dev/frontline/releases/download/$(VERSION)
LDFLAGS := -s -w -X github.com/frontline-dev/frontline/internal/version.Version=$(VERSION)

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/..." paths="./controllers/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	hack/gen-chart.sh
	go run ./hack/apidocs config/crd/bases docs/api.md

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## go fmt.
	go fmt ./...

.PHONY: vet
vet: ## go vet.
	go vet ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint with .golangci.yml.
	$(GOLANGCI_LINT) run ./...

.PHONY: verify
verify: manifests generate fmt ## Fail if generated code, manifests or formatting drift from the tree.
	@if [ -n "$$(git status --porcelain)" ]; then \
	  echo "generated files or formatting are out of date:"; git status --porcelain; git --no-pager diff --stat; exit 1; fi
	@echo "verify: no drift"

.PHONY: envtest-assets
envtest-assets: ## Build kube-apiserver and etcd from Go modules into bin/ (cached).
	K8S_VERSION=$(K8S_VERSION) ETCD_VERSION=$(ETCD_VERSION) hack/build-k8s.sh

.PHONY: prometheus
prometheus: ## Make a real Prometheus available as bin/prometheus.
	hack/install-prometheus.sh

.PHONY: prometheus-adapter
prometheus-adapter: ## Build prometheus-adapter (external metrics for the HPA baseline) into bin/ (cached).
	hack/build-adapter.sh

.PHONY: test
test: manifests generate envtest-assets prometheus $(HELM) ## Unit and integration tests (real kube-apiserver, etcd and Prometheus).
	KUBEBUILDER_ASSETS=$(ENVTEST_ASSETS) go test ./... -count=1 -timeout 30m

.PHONY: test-unit
test-unit: ## Pure unit tests only: no apiserver, etcd or Prometheus is started (-short skips the tests that need them; make test runs them).
	go test -short ./internal/... ./cmd/... ./controllers/... -count=1

.PHONY: fuzz
fuzz: ## Run every fuzz test for FUZZTIME (default 60s) each.
	hack/fuzz.sh $${FUZZTIME:-60s}

.PHONY: bench
bench: manifests generate envtest-assets prometheus prometheus-adapter ## Benchmarks: capacity math, simulator and estimator memory, the helpdesk ingest's throughput and memory, estimator and surge detection, counter steps/calm/outage on the local cluster, then scale, idle writes, memory, Prometheus load -> docs/benchmarks.md.
	go test ./internal/capacity/ -run '^$$' -bench . -benchmem | tee bin/capacity-bench.txt
	go test ./internal/sim/ -run '^$$' -bench RunMemoryByInflow -benchtime 1x | tee bin/sim-memory-bench.txt
	go test ./internal/ingest/ -run '^$$' -bench 'SignedWebhook$$|SustainedLoad' -benchtime 1200000x -cpu 1 -benchmem | tee bin/ingest-bench.txt
	go test ./internal/inflow/ -run '^$$' -bench EstimatorHourMemory -benchtime 1x | tee bin/inflow-memory-bench.txt
	go test ./internal/inflow/ -run 'TestStepsAcceptedNearTheBound|TestTimeToTheNewRate|TestCalmHoldsTheLevel|TestBurstReturnsToTheCalmBefore|TestYoung|TestSpikeOnYoungBaseline' -bench ObserveAfterBurst -benchmem -count=1 -v | tee bin/inflow-bench.txt
	go test ./internal/sim/ -run 'TestStepsSurgeSoon|TestCalmDaysNeverSurge|TestCalmStaysWithinOneOfNeed|TestRisesShortOfTheRatioDoNotSurge' -count=1 -v | tee bin/sim-detection.txt
	hack/build-k8s.sh all
	rm -f bin/reaction-cluster.json bin/reaction-cluster-default-qps.json bin/hpa-cluster.json bin/calm-cluster.json bin/outage-cluster.json bin/ingest-cluster.json bin/young-cluster.json bin/restarted-cluster.json bin/young-calm-cluster.json bin/failover-cluster.json
	REACTION_RUNS=$${REACTION_RUNS:-10} REACTION_SCRAPES=5s,15s CALM_MINUTES=$${CALM_MINUTES:-30} YOUNG_RUNS=$${YOUNG_RUNS:-5} RESTARTED_RUNS=$${RESTARTED_RUNS:-5} RESTARTED_OUT=$(LOCALBIN)/restarted-cluster.json YOUNG_CALM_MINUTES=$${YOUNG_CALM_MINUTES:-15} YOUNG_OUT=$(LOCALBIN)/young-cluster.json \
	  YOUNG_CALM_OUT=$(LOCALBIN)/young-calm-cluster.json FAILOVER_OUT=$(LOCALBIN)/failover-cluster.json \
	  INGEST_RUNS=$${INGEST_RUNS:-10} INGEST_OUT=$(LOCALBIN)/ingest-cluster.json \
	  EXTERNAL_METRICS=1 HPA_RUNS=$${HPA_RUNS:-5} HPA_OUT=$(LOCALBIN)/hpa-cluster.json \
	  REACTION_TIMES_OUT=$(LOCALBIN)/reaction-cluster.json CALM_OUT=$(LOCALBIN)/calm-cluster.json OUTAGE_OUT=$(LOCALBIN)/outage-cluster.json \
	  go test -tags e2e ./test/e2e/ -run 'TestReactionTimes|TestOutageAndResetNeverLower|TestCalmStaysPut|TestReactionThroughTheIngest|TestHPASideBySide|TestYoung|TestRestartedReplicaStep' -count=1 -v -timeout 240m
	# The main case again with the controller-manager at its default client limit (20 QPS, burst 30).
	KCM_QPS=20 KCM_BURST=30 REACTION_RUNS=$${REACTION_RUNS:-10} REACTION_SCRAPES=5s REACTION_TIMES_OUT=$(LOCALBIN)/reaction-cluster-default-qps.json \
	  go test -tags e2e ./test/e2e/ -run 'TestReactionTimes' -count=1 -v -timeout 90m
	KUBEBUILDER_ASSETS=$(ENVTEST_ASSETS) go test -tags bench ./test/bench/ -run TestScale -count=1 -v -timeout 90m

.PHONY: simulate-report
simulate-report: ## Every sample queue x built-in scenario, 5 seeds, without plans: Frontline against keda-hpa and cheapest-foresight -> docs/simulate-report.md, plot regenerated.
	go run ./hack/simulate-report

##@ Local cluster

.PHONY: demo
demo: ## Run Frontline for real: local cluster, operator, samples, a BTC crash, live view.
	hack/demo.sh

.PHONY: cluster-up
cluster-up: ## Start the local cluster (etcd, apiserver, controller-manager, scheduler, kwok, Prometheus).
	hack/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local cluster.
	hack/cluster.sh down

.PHONY: test-e2e
test-e2e: manifests generate prometheus $(HELM) ## End-to-end tests on the local cluster (build tag e2e).
	hack/build-k8s.sh all
	go test -tags e2e ./test/e2e/ -count=1 -v -timeout 60m

##@ Build

.PHONY: build
build: manifests generate ## Build the manager, the kubectl plugin and the helpdesk ingest into bin/.
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o $(LOCALBIN)/manager .
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o $(LOCALBIN)/kubectl-frontline ./cmd/kubectl-frontline
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o $(LOCALBIN)/frontline-ingest ./cmd/frontline-ingest

.PHONY: run
run: manifests generate ## Run the manager against the current kubeconfig.
	go run . --leader-elect=false

.PHONY: image
image: manifests generate ## Build the manager image without Docker: an OCI tarball (bin/frontline-image.tar; load it with docker/podman load or push it with crane).
	CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) go build -trimpath -ldflags "$(LDFLAGS) -buildid=" -o $(LOCALBIN)/image/manager .
	go run ./hack/image --binary $(LOCALBIN)/image/manager --arch $(ARCH) --tag $(IMG) --version $(VERSION) \
	  --revision $$(git rev-parse HEAD 2>/dev/null) --out $(LOCALBIN)/frontline-image.tar

.PHONY: image-ingest
image-ingest: ## Build the frontline-ingest image without Docker: bin/frontline-ingest-image.tar.
	CGO_ENABLED=0 GOOS=linux GOARCH=$(ARCH) go build -trimpath -ldflags "$(LDFLAGS) -buildid=" -o $(LOCALBIN)/image/frontline-ingest ./cmd/frontline-ingest
	go run ./hack/image --binary $(LOCALBIN)/image/frontline-ingest --entrypoint /frontline-ingest --title frontline-ingest \
	  --arch $(ARCH) --tag $(INGEST_IMG) --version $(VERSION) \
	  --revision $$(git rev-parse HEAD 2>/dev/null) --out $(LOCALBIN)/frontline-ingest-image.tar

.PHONY: docker-build
docker-build: ## Build the manager image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-build-ingest
docker-build-ingest: ## Build the frontline-ingest image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --target ingest -t $(INGEST_IMG) .

##@ Release

.PHONY: release
release: $(HELM) ## Build a release into dist/: images, plugin archives, chart, install.yaml, krew manifest, checksums.txt (reproducible).
	VERSION=$(VERSION) REGISTRY=$(REGISTRY) IMAGE_NAME=$(IMAGE_NAME) INGEST_IMAGE_NAME=$(INGEST_IMAGE_NAME) \
	  DIST=$(DIST) PLATFORMS="$(PLATFORMS)" IMAGE_ARCHES="$(IMAGE_ARCHES)" RELEASE_URL=$(RELEASE_URL) HELM=$(HELM) \
	  hack/release.sh

.PHONY: print-image
print-image: ## Print the manager image a release of VERSION publishes.
	@echo $(REGISTRY)/$(IMAGE_NAME):$(VERSION)

.PHONY: print-ingest-image
print-ingest-image: ## Print the frontline-ingest image a release of VERSION publishes.
	@echo $(REGISTRY)/$(INGEST_IMAGE_NAME):$(VERSION)

##@ Tools

$(CONTROLLER_GEN):
	@mkdir -p $(LOCALBIN)/.install
	GOBIN=$(LOCALBIN)/.install go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
	mv $(LOCALBIN)/.install/controller-gen $@

$(GOLANGCI_LINT):
	@mkdir -p $(LOCALBIN)/.install
	GOBIN=$(LOCALBIN)/.install go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(LOCALBIN)/.install/golangci-lint $@

$(HELM):
	@mkdir -p $(LOCALBIN)/.install
	GOBIN=$(LOCALBIN)/.install go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	mv $(LOCALBIN)/.install/helm $@

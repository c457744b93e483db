#!/usr/bin/env bash
# make demo: from nothing to a live market crash handled by Frontline.
#  1. builds the pinned control plane from Go modules (first run only),
#  2. starts a local cluster (etcd, apiserver, controller-manager,
#     scheduler, kwok), frontline-ingest, the ticket simulator (a simulated
#     Zendesk account sending each ticket to the ingest as a signed
#     webhook) and Prometheus scraping the ingest,
#  3. runs the operator under its own ServiceAccount and RBAC,
#  4. applies the sample exchange (queues, SLA policies, the BTC crash plan),
#  5. replays a BTC crash and shows the live view, then a summary.
# Ctrl-C at any point stops and removes everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${DEMO_DURATION:-8m}
SIM_PORT=${SIM_PORT:-29091}
INGEST_METRICS_PORT=${INGEST_METRICS_PORT:-29093}
export KUBECONFIG="$root/.demo/cluster/kubeconfig"
# The tickets take the real path: signed Zendesk webhooks into
# frontline-ingest, whose series Prometheus scrapes (hack/cluster.sh).
export TICKETS=zendesk

say() { printf '\n\033[1;36m== %s\033[0m\n' "$*"; }
cleanup() {
  trap - EXIT INT TERM
  say "cleaning up (stopping the cluster, the operator and the simulator)"
  hack/cluster.sh down || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "1/5 building Kubernetes v1.37.2, etcd and kwok from Go modules (cached in bin/ after the first run)"
hack/build-k8s.sh all >/dev/null
CGO_ENABLED=0 go build -o bin/kubectl-frontline ./cmd/kubectl-frontline

say "2/5 starting the local cluster, Prometheus, frontline-ingest and a simulated Zendesk account sending it signed ticket webhooks"
hack/cluster.sh up

say "3/5 starting the Frontline operator as system:serviceaccount:frontline-system:frontline-controller-manager"
hack/run-operator.sh

say "4/5 applying the sample exchange: 3 queues, 2 SLA policies, the btc-crash surge plan"
kubectl apply --server-side -k config/demo
kubectl -n exchange wait --for condition=Ready --timeout 120s supportqueue --all
kubectl -n exchange get supportqueues,slapolicies,surgeplans

say "5/5 BTC crashes: inflow rises 5x within 90 seconds, the price falls 20%; every ticket comes through frontline-ingest as a signed Zendesk webhook (watching for $DURATION; Ctrl-C to stop)"
curl -sf -XPOST "http://127.0.0.1:$SIM_PORT/scenario?name=btc-crash" >/dev/null
sleep 2
bin/kubectl-frontline top -n exchange --watch --interval 2s --for "$DURATION"

say "pods on the fake node right now"
kubectl -n exchange get deployments
say "the webhooks frontline-ingest answered, by outcome"
curl -sf "http://127.0.0.1:$INGEST_METRICS_PORT/metrics" | grep '^frontline_ingest_requests_total' | grep -v ' 0$' || true
say "done: the cluster is removed on exit. Run 'make demo' again any time."

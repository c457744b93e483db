#!/usr/bin/env bash
# Runs the operator as a process on the local cluster under the
# ServiceAccount and RBAC it ships with (config/local): the process gets a
# kubeconfig holding only that ServiceAccount's token, so every request is
# authorized exactly as in a real deployment.
#
# INSTALL=helm installs the CRDs, ServiceAccount and RBAC with `helm
# upgrade --install` from charts/frontline instead, as a platform team
# would (the end-to-end tests do); the chart's own Deployment then runs
# on the fake node, and this process is the operator that acts.
#
#   hack/run-operator.sh [NAME] [PORT_BASE]
# NAME (default frontline) names the process for hack/cluster.sh stop;
# PORT_BASE (default 28080) gives its probe (+1) and metrics (+443) ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${CLUSTER_DIR:-$root/.demo/cluster}
name=${1:-frontline}
base=${2:-28080}
PROM_PORT=${PROM_PORT:-29090}
export KUBECONFIG="$dir/kubeconfig"

if [[ ${INSTALL:-kustomize} == helm ]]; then
  mkdir -p "$dir/helm"
  HELM_CACHE_HOME="$dir/helm/cache" HELM_CONFIG_HOME="$dir/helm/config" HELM_DATA_HOME="$dir/helm/data" \
    "${HELM:-$root/bin/helm-v3.22.0}" upgrade --install frontline "$root/charts/frontline" \
    --namespace frontline-system --create-namespace \
    --set serviceAccount.name=frontline-controller-manager \
    --set prometheusAddress="http://127.0.0.1:$PROM_PORT" >/dev/null
else
  kubectl apply --server-side --force-conflicts -k "$root/config/local" >/dev/null
fi
kubectl wait --for condition=Established --timeout 60s crd/supportqueues.support.frontline.dev >/dev/null
token=$(kubectl -n frontline-system create token frontline-controller-manager --duration 24h)
# Prometheus scrapes the operator's metrics with a token of its own, bound
# to the metrics-reader ClusterRole only (see hack/cluster.sh).
kubectl -n frontline-system create serviceaccount prometheus --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl create clusterrolebinding frontline-prometheus-metrics --clusterrole frontline-metrics-reader \
  --serviceaccount frontline-system:prometheus --dry-run=client -o yaml | kubectl apply -f - >/dev/null
mkdir -p "$dir/prometheus"
kubectl -n frontline-system create token prometheus --duration 24h >"$dir/prometheus/scrape-token"
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
cat >"$dir/operator.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "$server", insecure-skip-tls-verify: true}
users:
- name: frontline-controller-manager
  user: {token: "$token"}
contexts:
- name: operator
  context: {cluster: local, user: frontline-controller-manager, namespace: frontline-system}
current-context: operator
KC
# The platform's sources: the local Prometheus is the default (tenant-
# scoped) source and, as "market", the Shared one the sample plan's BTC
# price trigger reads.
cat >"$dir/sources.yaml" <<SRC
sources:
- {name: market, address: "http://127.0.0.1:$PROM_PORT", tenancy: Shared}
SRC
(cd "$root" && CGO_ENABLED=0 go build -o bin/manager .)
"$root/hack/cluster.sh" start "$name" "$root/bin/manager" \
  --kubeconfig "$dir/operator.kubeconfig" \
  --leader-elect --leader-election-namespace frontline-system \
  --prometheus-address "http://127.0.0.1:$PROM_PORT" --sources-config "$dir/sources.yaml" \
  --health-probe-bind-address "127.0.0.1:$((base + 1))" \
  --metrics-bind-address "127.0.0.1:$((base + 443))"
for _ in $(seq 120); do
  if curl -sf "http://127.0.0.1:$((base + 1))/readyz" >/dev/null; then
    echo ">> operator $name running as system:serviceaccount:frontline-system:frontline-controller-manager (logs: $dir/logs/$name.log)" >&2
    exit 0
  fi
  sleep 0.5
done
echo "operator $name did not become ready; see $dir/logs/$name.log" >&2
exit 1

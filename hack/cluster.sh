#!/usr/bin/env bash
# A real local Kubernetes control plane without Docker: etcd, kube-apiserver
# (RBAC on), kube-controller-manager, kube-scheduler, kwok (a fake kubelet,
# so pods become Running without containers), a real Prometheus, the
# ticket-traffic simulator and frontline-ingest. Binaries are built from Go
# modules into bin/ by hack/build-k8s.sh. Every process is tracked by its
# PID under .demo/cluster.
#
#   hack/cluster.sh up       start everything, write .demo/cluster/kubeconfig
#   hack/cluster.sh down     stop everything this script started
#   hack/cluster.sh status   what is running
#   SCRAPE_INTERVAL=15s hack/cluster.sh start-prometheus   (after stop prometheus)
#   EXTERNAL_METRICS=1 hack/cluster.sh up   also prometheus-adapter, serving
#                            external.metrics.k8s.io for Kubernetes HPAs
#
# Tickets: TICKETS=counter (the default) has the simulator export each
# queue's ticket counter itself; TICKETS=zendesk (make demo) has a
# simulated Zendesk account send the scenario's tickets as signed Zendesk
# webhooks to frontline-ingest, and Prometheus scrapes the ingest's series.
# The ingest routes INGEST_QUEUES (namespace/queue, space- or
# comma-separated; with TICKETS=zendesk the scenario's three by default),
# each by the tag its simulated tickets carry; it is started whenever
# there is a queue to route (the end-to-end tests route queues of their
# own, whose tickets they send via=zendesk through the simulator's /queue).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
K8S_VERSION=${K8S_VERSION:-v1.37.2}
bin="$root/bin/k8s-$K8S_VERSION"
dir=${CLUSTER_DIR:-$root/.demo/cluster}
ETCD_PORT=${ETCD_PORT:-23790}
API_PORT=${API_PORT:-26443}
PROM_PORT=${PROM_PORT:-29090}
SIM_PORT=${SIM_PORT:-29091}
INGEST_PORT=${INGEST_PORT:-29092}
INGEST_METRICS_PORT=${INGEST_METRICS_PORT:-29093}
ADAPTER_PORT=${ADAPTER_PORT:-29094}
EXTERNAL_METRICS=${EXTERNAL_METRICS:-0}
TICKETS=${TICKETS:-counter}
KCM_QPS=${KCM_QPS:-100}
KCM_BURST=${KCM_BURST:-$((KCM_QPS * 2))}
if [[ $TICKETS == zendesk ]]; then
  INGEST_QUEUES=${INGEST_QUEUES-exchange/retail-chat exchange/withdrawals-email exchange/vip-phone}
fi
INGEST_QUEUES=${INGEST_QUEUES:-}
# Where the operator replicas serve their metrics (hack/run-operator.sh:
# port base + 443), comma-separated.
OPERATOR_METRICS=${OPERATOR_METRICS:-127.0.0.1:28523}
export KUBECONFIG="$dir/kubeconfig"

log() { printf '\033[1m>> %s\033[0m\n' "$*" >&2; }

start() { # name, then the command
  local name=$1; shift
  "$@" >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/pids/$name.pid"
}

running() { [[ -f "$dir/pids/$1.pid" ]] && kill -0 "$(cat "$dir/pids/$1.pid")" 2>/dev/null; }

wait_for() { # description, seconds, command...
  local what=$1 secs=$2; shift 2
  for _ in $(seq $((secs * 4))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  log "$what did not come up in ${secs}s; logs in $dir/logs"
  return 1
}

# SCRAPE_INTERVAL is how often Prometheus scrapes the ticket simulator: 5 s
# by default, as a production Prometheus commonly does for such a target.
# Prometheus also loads the chart's alert rules and scrapes the operator's
# metrics as a platform's would: over HTTPS with a ServiceAccount token
# (written by hack/run-operator.sh) that the operator's authorization
# filter checks, keeping the operator's own namespace and queue labels.
start_prometheus() {
  cp "$root/charts/frontline/files/rules.yaml" "$dir/prometheus/rules.yaml"
  touch "$dir/prometheus/scrape-token"
  local operator_targets
  operator_targets=$(sed "s/,/','/g" <<<"$OPERATOR_METRICS")
  # The ingest's series carry their own namespace label (the queue's):
  # honor_labels keeps it, as the ingest's ServiceMonitor does.
  local ingest_job=""
  if [[ -f "$dir/ingest/config.yaml" ]]; then
    ingest_job="- job_name: frontline-ingest
  honor_labels: true
  static_configs: [{targets: ['127.0.0.1:$INGEST_METRICS_PORT']}]"
  fi
  cat >"$dir/prometheus/prometheus.yml" <<PROM
global: {scrape_interval: ${SCRAPE_INTERVAL:-5s}, evaluation_interval: ${SCRAPE_INTERVAL:-5s}}
rule_files: [rules.yaml]
scrape_configs:
- job_name: tickets
  static_configs: [{targets: ['127.0.0.1:$SIM_PORT']}]
$ingest_job
- job_name: frontline
  scheme: https
  tls_config: {insecure_skip_verify: true}
  authorization: {credentials_file: $dir/prometheus/scrape-token}
  honor_labels: true
  static_configs: [{targets: ['$operator_targets']}]
PROM
  start prometheus "$root/bin/prometheus" --config.file "$dir/prometheus/prometheus.yml" \
    --storage.tsdb.path "$dir/prometheus/data" --web.listen-address "127.0.0.1:$PROM_PORT" --log.level warn
  wait_for Prometheus 30 curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"
}

# start_adapter starts prometheus-adapter (hack/build-adapter.sh), the
# baseline a plain Kubernetes HPA scales on: the external metric
# frontline_tickets_created_per_hour{namespace,queue}, each queue's
# tickets per hour over a 1 m rate window, from the same Prometheus and
# counter Frontline reads (per hour, not per second: the HPA rounds
# metric and target to milli-units, and an agent's 0.0141 tickets/s would
# round to 0.015). The kube-apiserver proxies
# /apis/external.metrics.k8s.io to it (the aggregation layer) through an
# ExternalName Service naming 127.0.0.1: without --enable-aggregator-routing
# the aggregator dials an ExternalName Service's name directly, while an
# Endpoints or EndpointSlice address may not be loopback and a ClusterIP is
# unreachable without kube-proxy. The adapter serves a self-signed
# certificate, hence insecureSkipTLSVerify, and trusts the apiserver's
# front-proxy client certificate.
start_adapter() {
  mkdir -p "$dir/adapter"
  cat >"$dir/adapter/config.yaml" <<'RULES'
externalRules:
- seriesQuery: 'frontline_tickets_created_total{namespace!="",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
  name: {matches: "^(.*)_total$", as: "${1}_per_hour"}
  metricsQuery: 'sum by (namespace, queue) (rate(<<.Series>>{<<.LabelMatchers>>}[1m])) * 3600'
RULES
  start prometheus-adapter "$adapter" --secure-port "$ADAPTER_PORT" --bind-address 127.0.0.1 --cert-dir "$dir/adapter" \
    --lister-kubeconfig "$KUBECONFIG" --authentication-kubeconfig "$KUBECONFIG" --authorization-kubeconfig "$KUBECONFIG" \
    --prometheus-url "http://127.0.0.1:$PROM_PORT" --metrics-relist-interval 30s --config "$dir/adapter/config.yaml"
  kubectl apply -f - >/dev/null <<APISERVICE
apiVersion: v1
kind: Service
metadata: {name: prometheus-adapter, namespace: kube-system}
spec:
  type: ExternalName
  externalName: 127.0.0.1
  ports: [{name: https, port: $ADAPTER_PORT}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.external.metrics.k8s.io}
spec:
  group: external.metrics.k8s.io
  version: v1beta1
  service: {name: prometheus-adapter, namespace: kube-system, port: $ADAPTER_PORT}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
APISERVICE
  # The adapter lists the series seen in the last --metrics-relist-interval
  # and serves a metric once a list has seen its counters.
  wait_for "external metric frontline_tickets_created_per_hour" 60 bash -c \
    "kubectl get --raw /apis/external.metrics.k8s.io/v1beta1 | grep -q frontline_tickets_created_per_hour"
}

# start_ingest writes frontline-ingest's configuration for the simulated
# Zendesk account (one source, a fresh signing secret, a rule per queue of
# INGEST_QUEUES matching the tag the simulator puts on that queue's
# tickets) and starts it; webhooks are then the simulator's flags to reach it.
webhooks=()
start_ingest() {
  local queues=${INGEST_QUEUES//,/ }
  mkdir -p "$dir/ingest"
  (umask 077 && openssl rand -hex 32 >"$dir/ingest/zendesk.secret")
  {
    echo "# frontline-ingest for the local cluster: a simulated Zendesk account"
    echo "# (bin/ticketsim --zendesk-url), each queue's tickets tagged for it."
    echo "sources:"
    echo "- {name: zendesk, vendor: zendesk, secretFile: $dir/ingest/zendesk.secret}"
    echo "rules:"
    local q
    for q in $queues; do
      [[ $q == */* ]] || { log "INGEST_QUEUES: $q is not namespace/queue"; return 1; }
      echo "- {name: ${q%%/*}-${q#*/}, sources: [zendesk], match: {tags: [frontline_${q%%/*}_${q#*/}]}, target: {namespace: ${q%%/*}, queue: ${q#*/}}}"
    done
  } >"$dir/ingest/config.yaml"
  start frontline-ingest "$root/bin/frontline-ingest" --config "$dir/ingest/config.yaml" \
    --listen "127.0.0.1:$INGEST_PORT" --metrics-listen "127.0.0.1:$INGEST_METRICS_PORT" --log-format text --drain-delay 0s
  wait_for frontline-ingest 30 curl -sf "http://127.0.0.1:$INGEST_PORT/readyz"
  webhooks=(--zendesk-url "http://127.0.0.1:$INGEST_PORT/webhooks/zendesk" --zendesk-secret-file "$dir/ingest/zendesk.secret")
}

down() {
  for pidfile in "$dir"/pids/*.pid; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

up() {
  case $TICKETS in
    counter | zendesk) ;;
    *) log "TICKETS is counter or zendesk, not $TICKETS"; return 2 ;;
  esac
  if [[ $TICKETS == zendesk && -z ${INGEST_QUEUES//[ ,]/} ]]; then
    log "TICKETS=zendesk needs a queue in INGEST_QUEUES for the ingest to route"; return 2
  fi
  "$root/hack/build-k8s.sh" all >/dev/null
  "$root/hack/install-prometheus.sh"
  (cd "$root" && go build -o bin/ticketsim ./hack/ticketsim && go build -o bin/frontline-ingest ./cmd/frontline-ingest)
  if [[ $EXTERNAL_METRICS == 1 ]]; then adapter=$("$root/hack/build-adapter.sh"); fi
  if running kube-apiserver; then log "cluster already up ($KUBECONFIG)"; return 0; fi
  down
  rm -rf "$dir"
  mkdir -p "$dir"/{pids,logs,certs,etcd,prometheus,ingest,adapter}
  trap 'log "cluster failed to start; stopping"; down' ERR

  log "keys and credentials"
  openssl genrsa -out "$dir/certs/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/certs/sa.key" -pubout -out "$dir/certs/sa.pub" 2>/dev/null
  token=$(openssl rand -hex 24)
  echo "$token,admin,admin,system:masters" >"$dir/certs/tokens.csv"
  # The aggregation layer (external.metrics.k8s.io): the apiserver proxies
  # with a client certificate from a front-proxy CA, which the aggregated
  # server trusts for the X-Remote-* identity headers.
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=front-proxy-ca \
    -keyout "$dir/certs/front-proxy-ca.key" -out "$dir/certs/front-proxy-ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=front-proxy-client \
    -keyout "$dir/certs/front-proxy-client.key" -out "$dir/certs/front-proxy-client.csr" 2>/dev/null
  openssl x509 -req -days 365 -in "$dir/certs/front-proxy-client.csr" -CA "$dir/certs/front-proxy-ca.crt" \
    -CAkey "$dir/certs/front-proxy-ca.key" -CAcreateserial -extfile <(echo extendedKeyUsage=clientAuth) \
    -out "$dir/certs/front-proxy-client.crt" 2>/dev/null
  cat >"$KUBECONFIG" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:$API_PORT", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: "$token"}
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: default}
current-context: local
KC

  log "etcd"
  start etcd "$bin/etcd" --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" --unsafe-no-fsync
  log "kube-apiserver (RBAC on)"
  start kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --secure-port "$API_PORT" --bind-address 127.0.0.1 --cert-dir "$dir/certs" \
    --service-account-key-file "$dir/certs/sa.pub" --service-account-signing-key-file "$dir/certs/sa.key" \
    --service-account-issuer https://kubernetes.default.svc --token-auth-file "$dir/certs/tokens.csv" \
    --authorization-mode Node,RBAC --service-cluster-ip-range 10.96.0.0/16 \
    --requestheader-client-ca-file "$dir/certs/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$dir/certs/front-proxy-client.crt" --proxy-client-key-file "$dir/certs/front-proxy-client.key"
  wait_for kube-apiserver 60 kubectl get --raw /readyz

  log "kube-controller-manager, kube-scheduler"
  # StaleControllerConsistencyReplicaSet (beta, on by default since 1.36)
  # makes the ReplicaSet controller wait until its informer has seen its own
  # pod writes; creating a hundred pods at once on two cores, a ReplicaSet
  # was then left unsynced for minutes ("read version ... is not as new as
  # written version", retried with backoff), its pods never created.
  # The controller-manager's client limits (20 QPS, burst 30 by default) pace
  # a hundred pod creates over about 4 s; clusters that scale in bursts raise
  # them, as kwokctl does for simulated clusters (--disable-qps-limits):
  # 100 QPS, burst 200 here unless KCM_QPS and KCM_BURST say otherwise
  # (make bench also runs the main reaction case at the defaults). The
  # scheduler's own defaults (50 QPS, burst 100) already bind that many.
  start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$KUBECONFIG" \
    --authentication-kubeconfig "$KUBECONFIG" --authorization-kubeconfig "$KUBECONFIG" \
    --service-account-private-key-file "$dir/certs/sa.key" --root-ca-file "$dir/certs/apiserver.crt" \
    --controllers '*,-nodeipam,-nodelifecycle' --leader-elect=false --secure-port 0 \
    --feature-gates StaleControllerConsistencyReplicaSet=false --kube-api-qps "$KCM_QPS" --kube-api-burst "$KCM_BURST"
  start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$KUBECONFIG" \
    --authentication-kubeconfig "$KUBECONFIG" --authorization-kubeconfig "$KUBECONFIG" \
    --leader-elect=false --secure-port 0

  log "kwok (fake node)"
  start kwok "$bin/kwok" --kubeconfig "$KUBECONFIG" --config "$bin/kwok-stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --cidr 10.0.0.1/24 --node-ip 10.0.0.1
  kubectl apply -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-1
  annotations: {kwok.x-k8s.io/node: fake}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-1}
status:
  allocatable: {cpu: "1000", memory: 4Ti, pods: "2000"}
  capacity: {cpu: "1000", memory: 4Ti, pods: "2000"}
NODE
  wait_for "node Ready" 60 bash -c "kubectl get node kwok-node-1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True"
  # node-lifecycle is off (kwok owns node health), so lift the not-ready taint.
  kubectl taint nodes kwok-node-1 node.kubernetes.io/not-ready:NoSchedule- >/dev/null 2>&1 || true
  wait_for "default ServiceAccount" 30 kubectl get serviceaccount default

  if [[ -n ${INGEST_QUEUES//[ ,]/} ]]; then
    log "frontline-ingest: a Zendesk source, routing ${INGEST_QUEUES//,/ }"
    start_ingest
  fi
  log "ticket simulator (tickets via $TICKETS) and Prometheus"
  start ticketsim "$root/bin/ticketsim" --listen "127.0.0.1:$SIM_PORT" --scenario calm --via "$TICKETS" "${webhooks[@]}"
  start_prometheus
  if [[ $EXTERNAL_METRICS == 1 ]]; then
    log "prometheus-adapter (external metrics for HPAs)"
    start_adapter
  fi
  trap - ERR
  log "cluster up: KUBECONFIG=$KUBECONFIG  Prometheus http://127.0.0.1:$PROM_PORT  traffic http://127.0.0.1:$SIM_PORT/state"
  if running frontline-ingest; then
    log "frontline-ingest: webhooks http://127.0.0.1:$INGEST_PORT/webhooks/zendesk  metrics http://127.0.0.1:$INGEST_METRICS_PORT/metrics"
  fi
}

status() {
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler kwok frontline-ingest ticketsim prometheus prometheus-adapter frontline frontline-2 frontline-3; do
    if running "$name"; then echo "$name: running (pid $(cat "$dir/pids/$name.pid"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down; log "cluster down" ;;
  status) status ;;
  start-prometheus) start_prometheus ;;
  start) shift; name=$1; shift; mkdir -p "$dir"/{pids,logs}; start "$name" "$@" ;;
  stop) pidfile="$dir/pids/$2.pid"; if [[ -f $pidfile ]]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Builds the pinned Kubernetes control-plane binaries and etcd from their Go
# modules into bin/k8s-<version>/ (no prebuilt downloads). Idempotent: a
# binary that exists with a matching stamp is not rebuilt.
#
#   hack/build-k8s.sh            kube-apiserver + etcd (what envtest needs)
#   hack/build-k8s.sh all        plus kube-controller-manager, kube-scheduler
#                                and kwok (the local cluster)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
K8S_VERSION=${K8S_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.6.8}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
out="$root/bin/k8s-$K8S_VERSION"
mkdir -p "$out"

minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
ldflags="-s -w \
 -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
 -X k8s.io/component-base/version.gitMajor=1 \
 -X k8s.io/component-base/version.gitMinor=$minor \
 -X k8s.io/component-base/version.gitTreeState=clean"

build() { # name module-dir package stamp
  local name=$1 dir=$2 pkg=$3 stamp=$4
  if [[ -x "$out/$name" && "$(cat "$out/.$name.version" 2>/dev/null)" == "$stamp" ]]; then
    return 0
  fi
  echo ">> building $name $stamp (first time only; kube-apiserver takes ~5 min on 2 cores)" >&2
  local start=$SECONDS
  (cd "$root/hack/tools/$dir" && CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$out/$name.tmp" "$pkg")
  mv "$out/$name.tmp" "$out/$name"
  echo "$stamp" > "$out/.$name.version"
  echo ">> built $name in $((SECONDS - start))s" >&2
}

build etcd etcd . "$ETCD_VERSION"
build kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver "$K8S_VERSION"
if [[ "${1:-}" == "all" ]]; then
  build kube-controller-manager kube k8s.io/kubernetes/cmd/kube-controller-manager "$K8S_VERSION"
  build kube-scheduler kube k8s.io/kubernetes/cmd/kube-scheduler "$K8S_VERSION"
  build kwok kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
  # kwok's Stage objects ship in its module: node init and heartbeat, pods
  # becoming Ready, completing and being deleted.
  if [[ ! -s "$out/kwok-stages.yaml" ]]; then
    dir=$(cd "$root/hack/tools/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      cat "$dir/kustomize/stage/$f"; echo "---"
    done > "$out/kwok-stages.yaml"
  fi
fi
echo "$out"

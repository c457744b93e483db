//go:build tools

// Package kube pins the Kubernetes control-plane binaries that tests and the
// local cluster run. Nothing here is compiled into Frontline.
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)

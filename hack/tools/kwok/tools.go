//go:build tools

// Package kwok pins kwok, which fakes kubelets so pods of the local cluster
// become Running without containers.
package kwok

import _ "sigs.k8s.io/kwok/cmd/kwok"

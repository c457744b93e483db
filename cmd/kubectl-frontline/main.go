// Command kubectl-frontline is the kubectl plugin for Frontline:
// `kubectl frontline plan` sizes a queue from traffic and an SLA.
//
// Installed (or linked) as kubectl_complete-frontline beside it, the same
// binary answers kubectl's shell completion for the plugin (kubectl 1.26
// and later call that name with the words to complete).
package main

import (
	"os"
	"path/filepath"

	"k8s.io/klog/v2"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/frontline-dev/frontline/internal/cli"
)

func main() {
	// controller-runtime's client logs through klog, at -v's level; with no
	// logger set, a command running past 30 s (top --watch, surge --wait)
	// would print a warning and a stack trace.
	ctrllog.SetLogger(klog.NewKlogr())
	os.Exit(cli.Run(cli.Args(filepath.Base(os.Args[0]), os.Args[1:]), os.Stdin, os.Stdout, os.Stderr))
}

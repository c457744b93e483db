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

	"github.com/frontline-dev/frontline/internal/cli"
)

func main() {
	os.Exit(cli.Run(cli.Args(filepath.Base(os.Args[0]), os.Args[1:]), os.Stdin, os.Stdout, os.Stderr))
}

// Command kubectl-frontline is the kubectl plugin for Frontline:
// `kubectl frontline plan` sizes a queue from traffic and an SLA.
package main

import (
	"os"

	"github.com/frontline-dev/frontline/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

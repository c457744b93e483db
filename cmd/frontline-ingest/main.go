// Command frontline-ingest receives helpdesk webhooks (Zendesk, Intercom,
// Freshdesk, Zammad, Chatwoot, or Frontline's generic JSON form) and
// exports the ticket series the Frontline operator sizes queues from.
//
//	frontline-ingest --config /etc/frontline-ingest/config.yaml
//
// Webhooks and probes are served on --listen (default :8080), Prometheus
// metrics on --metrics-listen (default :9090). It needs no privileges.
// With backlog.mode single, sources with openTickets have their queues'
// backlog replaced by the helpdesk's own count every
// backlog.correctionInterval (package internal/ingest/opentickets).
// See docs/connect-your-helpdesk.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr, nil))
}

// Package ingest is frontline-ingest: it turns helpdesk webhooks into the
// ticket series the Frontline operator reads,
//
//	frontline_tickets_created_total{namespace,queue}
//	frontline_queue_backlog{namespace,queue}
//	frontline_ticket_handle_seconds_sum / _count{namespace,queue}
//
// Each request is handled inline, in order: body limit, the vendor's
// signature (adapter package), parsing into a vendor-neutral event,
// de-duplication by the delivery's key (dedup package), the first routing
// rule that matches (routing package), then the counters (metrics
// package). Nothing is queued, so a webhook is acknowledged in
// microseconds, far inside every vendor's timeout.
//
// In backlog mode "single", package opentickets asks each source's
// helpdesk API for its count of unsolved tickets per queue and replaces
// the backlog with it every correction interval (metrics.RunCorrections).
//
// Replicas share nothing: each exports its own series and the operator
// sums every series of a queue; a restart is a counter reset, which
// Prometheus' rate() absorbs.
package ingest

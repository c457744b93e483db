// Package opentickets counts a queue's unsolved tickets through the
// helpdesk's own REST API, so that frontline_queue_backlog (in backlog mode
// "single") can be replaced by the helpdesk's count every
// backlog.correctionInterval instead of drifting with lost events.
//
// A queue's tickets are those the routing rules send to it: for each source
// (helpdesk account), the first rule that matches wins, so a queue's share
// of a source is
//
//	OR over the queue's rules r:  match(r) AND NOT match(e) for every
//	                              earlier rule e of another queue
//
// (predicate.go). Each vendor turns that into one count request
// (zendesk.go, freshdesk.go, intercom.go, zammad.go, chatwoot.go) or says
// why it cannot, e.g. Zendesk search has no OR, Chatwoot's count endpoint
// has no NOT. A queue is corrected only when every source that can route
// tickets to it has a count and can express its share; otherwise it is
// left to its events and reported once at start (log and
// frontline_ingest_backlog_uncorrected), never silently.
//
// Requests go out one at a time (metrics.Correct walks the queues
// sequentially, and a queue's sources one after another), so a round sends
// each helpdesk account at most one request per queue. The HTTP client is
// hardened (client.go): a timeout per request, no redirects followed, the
// answer capped at 1 MiB, no request to a helpdesk that answered 429 until
// its Retry-After has passed (and none retried within a round), and errors
// that never carry the credential.
package opentickets

package opentickets

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/internal/ingest/metrics"
	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// vendor is one helpdesk's count API.
type vendor interface {
	// build turns a source's share of a queue into one count request, or
	// says which rule cannot be expressed and why.
	build(p predicate) (apiRequest, error)
	// count reads the count from a 200 answer.
	count(body []byte) (int64, error)
	// auth sets the credential header (see authFunc).
	auth(h http.Header, token string) []string
	// headers are sent with every request besides the credential.
	headers() map[string]string
}

// Reasons a queue is not corrected (the reason label of
// frontline_ingest_backlog_uncorrected).
const (
	ReasonNoCounter      = "no_counter"      // a source feeding it has no openTickets
	ReasonNotExpressible = "not_expressible" // its routing is beyond the vendor's query
	ReasonUnreachable    = "unreachable"     // no source's tickets can reach it
)

// Skip is a queue left to its events, and why.
type Skip struct {
	Target routing.Target
	Reason string
	Detail string
}

// part is one source's share of a queue.
type part struct {
	source string
	client *client
	vendor vendor
	req    apiRequest
}

// Counter implements metrics.OpenTicketCounter with the sources' openTickets.
type Counter struct {
	queues  map[routing.Target][]part
	order   []routing.Target
	skipped []Skip
}

// Options are the Counter's collaborators; zero values pick the defaults.
type Options struct {
	// Metrics, when set, counts every request by source and result.
	Metrics *metrics.Metrics
	// MaxBody caps an answer (DefaultMaxBody).
	MaxBody int64
	// MaxWait is the longest Retry-After waited out in a round
	// (DefaultMaxWait).
	MaxWait time.Duration
	// Now and Sleep are the clock (tests set them).
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

// New plans one count request per queue and source from a validated config.
// Queues it cannot correct are listed by Skipped, not an error.
func New(cfg *config.Config, opts Options) (*Counter, error) {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	type counted struct {
		vendor vendor
		client *client
	}
	sources := map[string]counted{}
	for i := range cfg.Sources {
		s := &cfg.Sources[i]
		if s.OpenTickets == nil {
			continue
		}
		v, err := newVendor(s.Vendor, s.OpenTickets)
		if err != nil {
			return nil, fmt.Errorf("sources[%d] (%s).openTickets: %w", i, s.Name, err)
		}
		c, err := newClient(s.Name, s.OpenTickets, v, opts)
		if err != nil {
			return nil, fmt.Errorf("sources[%d] (%s).openTickets: %w", i, s.Name, err)
		}
		sources[s.Name] = counted{vendor: v, client: c}
	}

	rules := compileRules(cfg.Rules)
	ct := &Counter{queues: map[routing.Target][]part{}}
	seen := map[routing.Target]bool{}
	for _, r := range cfg.Rules {
		t := r.Target
		if seen[t] {
			continue
		}
		seen[t] = true
		var parts []part
		var problems []string
		reason := ""
		for i := range cfg.Sources {
			s := &cfg.Sources[i]
			p := predicateFor(rules, t, s.Name, s.Vendor)
			if len(p.terms) == 0 {
				continue
			}
			cs, ok := sources[s.Name]
			if !ok {
				reason = worse(reason, ReasonNoCounter)
				problems = append(problems, fmt.Sprintf("source %s (%s) routes tickets here by %s and has no openTickets", s.Name, s.Vendor, p.rules()))
				continue
			}
			req, err := cs.vendor.build(p)
			if err != nil {
				reason = worse(reason, ReasonNotExpressible)
				problems = append(problems, fmt.Sprintf("source %s (%s): %v", s.Name, s.Vendor, err))
				continue
			}
			parts = append(parts, part{source: s.Name, client: cs.client, vendor: cs.vendor, req: req})
		}
		switch {
		case reason != "":
			ct.skipped = append(ct.skipped, Skip{Target: t, Reason: reason, Detail: strings.Join(problems, "; ")})
		case len(parts) == 0:
			ct.skipped = append(ct.skipped, Skip{Target: t, Reason: ReasonUnreachable,
				Detail: "no source's tickets can reach this queue: every rule for it is shadowed by an earlier rule, limited to other sources, or needs a field its sources never send"})
		default:
			ct.queues[t] = parts
			ct.order = append(ct.order, t)
		}
	}
	return ct, nil
}

// worse keeps the reason an operator must act on first.
func worse(old, next string) string {
	if old == ReasonNoCounter {
		return old
	}
	return next
}

func newClient(source string, o *config.OpenTickets, v vendor, opts Options) (*client, error) {
	base, err := url.Parse(strings.TrimRight(o.URL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("url is not usable")
	}
	hdr := http.Header{}
	for k, val := range v.headers() {
		hdr.Set(k, val)
	}
	record := func(string) {}
	if opts.Metrics != nil {
		m := opts.Metrics
		record = func(result string) { m.OpenTicketRequest(source, result) }
	}
	return &client{
		base:      base,
		tokenFile: o.TokenFile,
		auth:      v.auth,
		headers:   hdr,
		http:      newHTTPClient(o.RequestTimeout()),
		maxBody:   opts.MaxBody,
		maxWait:   opts.MaxWait,
		now:       opts.Now,
		sleep:     opts.Sleep,
		record:    record,
	}, nil
}

// Skipped lists the queues left to their events.
func (c *Counter) Skipped() []Skip { return c.skipped }

// Corrected lists the queues a round corrects, in rule order.
func (c *Counter) Corrected() []routing.Target { return c.order }

// Report logs the plan once and marks every skipped queue in
// frontline_ingest_backlog_uncorrected.
func (c *Counter) Report(log *slog.Logger, m *metrics.Metrics) {
	for _, t := range c.order {
		for _, p := range c.queues[t] {
			log.Info("backlog corrected from the helpdesk's open-ticket count", "queue", t.String(), "source", p.source, "request", p.req.describe())
		}
	}
	for _, s := range c.skipped {
		log.Warn("backlog not corrected; it follows webhook events only", "queue", s.Target.String(), "reason", s.Reason, "why", s.Detail)
		if m != nil {
			m.Uncorrected(s.Target, s.Reason)
		}
	}
}

// OpenTickets sums the queue's share of every source, asking one source
// after the other. Any failure fails the queue: a partial sum is no count.
func (c *Counter) OpenTickets(ctx context.Context, t routing.Target) (int64, error) {
	parts, ok := c.queues[t]
	if !ok {
		return 0, fmt.Errorf("%s: %w", t, metrics.ErrNotCorrected)
	}
	var total int64
	for _, p := range parts {
		body, err := p.client.do(ctx, p.req)
		if err != nil {
			return 0, fmt.Errorf("source %s: %w", p.source, err)
		}
		n, err := p.vendor.count(body)
		if err != nil {
			return 0, fmt.Errorf("source %s: %w", p.source, err)
		}
		if n < 0 {
			return 0, fmt.Errorf("source %s: negative count %d", p.source, n)
		}
		total += n
	}
	return total, nil
}

// errShape is the error for an answer without the documented count.
func errShape(field string) error {
	return fmt.Errorf("answer is not the documented JSON object with a numeric %s", field)
}

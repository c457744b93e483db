// Package metrics reads ticket traffic from Prometheus. Queries are grouped:
// one query per metric per poll answers every queue that shares a
// Prometheus, so the number of queries does not grow with the number of
// queues. A failed, empty, NaN or stale answer is never read as zero.
package metrics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Conventional metric names (FIXED): the zero-configuration case.
const (
	TicketsCreatedTotal = "frontline_tickets_created_total"
	QueueBacklog        = "frontline_queue_backlog"
	HandleSecondsSum    = "frontline_ticket_handle_seconds_sum"
	HandleSecondsCount  = "frontline_ticket_handle_seconds_count"
)

// handleTimeWindow smooths the measured handle time; it moves slowly and a
// short window would make it noisy.
const handleTimeWindow = 10 * time.Minute

// Failure reasons, used as condition reasons.
const (
	ReasonQueryFailed = "QueryFailed"
	ReasonEmpty       = "EmptyResult"
	ReasonNotANumber  = "NotANumber"
	ReasonStale       = "StaleSample"
)

// QueueKey names a queue; its labels in the FIXED metrics.
type QueueKey struct {
	Namespace string
	Name      string
}

func (k QueueKey) String() string { return k.Namespace + "/" + k.Name }

// Overrides replace the default PromQL for one queue.
type Overrides struct {
	Inflow, Backlog, HandleTime string
	// ServiceLevel has no default: only queues that name it read it.
	ServiceLevel string
}

// Request is what one queue needs read.
type Request struct {
	Key QueueKey
	// Window is the rate window for inflow (the scale-up window).
	Window time.Duration
	// MaxSampleAge: an older newest sample is stale.
	MaxSampleAge time.Duration
	Overrides    Overrides
}

// Reading is one queue's result of a poll. When Reason is set the reading
// is unusable and Inflow is nil.
type Reading struct {
	Inflow     *float64 // tickets per second
	Backlog    *float64 // tickets waiting
	HandleTime *float64 // seconds per ticket
	// ServiceLevel is the observed share answered within target (optional).
	ServiceLevel *float64
	Reason       string
	Message      string
}

// Usable reports whether the reading can size the queue.
func (r Reading) Usable() bool { return r.Reason == "" && r.Inflow != nil }

// API is the part of the Prometheus HTTP API client that polling uses.
type API interface {
	Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error)
}

// InflowQuery is the grouped inflow query for one rate window.
func InflowQuery(window time.Duration) string {
	return fmt.Sprintf("sum by (namespace, queue) (rate(%s[%s]))", TicketsCreatedTotal, PromDuration(window))
}

// BacklogQuery is the grouped backlog query.
func BacklogQuery() string {
	return fmt.Sprintf("sum by (namespace, queue) (%s)", QueueBacklog)
}

// HandleTimeQuery is the grouped average handle time query.
func HandleTimeQuery() string {
	w := PromDuration(handleTimeWindow)
	return fmt.Sprintf("sum by (namespace, queue) (rate(%s[%s])) / sum by (namespace, queue) (rate(%s[%s]))",
		HandleSecondsSum, w, HandleSecondsCount, w)
}

// FreshnessQuery returns the newest sample time of each queue's counter.
func FreshnessQuery() string {
	return fmt.Sprintf("max by (namespace, queue) (timestamp(%s))", TicketsCreatedTotal)
}

// Plan lists the queries one poll sends for a set of requests: the grouped
// ones (one per distinct window for inflow) plus one per override.
func Plan(reqs []Request) []string {
	seen := map[string]bool{}
	var out []string
	add := func(q string) {
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, r := range reqs {
		if r.Overrides.Inflow == "" {
			add(InflowQuery(r.Window))
			add(FreshnessQuery())
		} else {
			add(r.Overrides.Inflow)
		}
		add(pick(r.Overrides.Backlog, BacklogQuery()))
		add(pick(r.Overrides.HandleTime, HandleTimeQuery()))
		if r.Overrides.ServiceLevel != "" {
			add(r.Overrides.ServiceLevel)
		}
	}
	sort.Strings(out)
	return out
}

func pick(override, def string) string {
	if override != "" {
		return override
	}
	return def
}

// result is one query's answer: samples by queue for grouped queries, the
// single value for overrides.
type result struct {
	err    error
	byKey  map[QueueKey]*model.Sample
	single *model.Sample
	count  int
}

// Read polls Prometheus for every request, sending each distinct query
// once, and returns a reading per queue.
func Read(ctx context.Context, api API, now time.Time, reqs []Request) map[QueueKey]Reading {
	results := map[string]result{}
	for _, q := range Plan(reqs) {
		results[q] = run(ctx, api, q, now)
	}
	out := make(map[QueueKey]Reading, len(reqs))
	for _, r := range reqs {
		out[r.Key] = assemble(r, results, now)
	}
	return out
}

func run(ctx context.Context, api API, q string, now time.Time) result {
	val, _, _, err := api.Query(ctx, q, now)
	if err != nil {
		return result{err: err}
	}
	vec, ok := val.(model.Vector)
	if !ok {
		if s, ok := val.(*model.Scalar); ok {
			return result{single: &model.Sample{Value: s.Value, Timestamp: s.Timestamp}, count: 1}
		}
		return result{err: fmt.Errorf("query returned %s, want a vector", val.Type())}
	}
	res := result{byKey: make(map[QueueKey]*model.Sample, len(vec)), count: len(vec)}
	for _, s := range vec {
		key := QueueKey{Namespace: string(s.Metric["namespace"]), Name: string(s.Metric["queue"])}
		res.byKey[key] = s
	}
	if len(vec) == 1 {
		res.single = vec[0]
	}
	return res
}

// sampleFor picks the queue's value from a grouped or an override query.
func sampleFor(r Request, res result, override bool) (float64, string, string) {
	if res.err != nil {
		return 0, ReasonQueryFailed, res.err.Error()
	}
	var s *model.Sample
	if override {
		if res.count > 1 {
			return 0, ReasonQueryFailed, fmt.Sprintf("override query returned %d series, want 1", res.count)
		}
		s = res.single
	} else {
		s = res.byKey[r.Key]
	}
	if s == nil {
		return 0, ReasonEmpty, "no sample for the queue"
	}
	v := float64(s.Value)
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, ReasonNotANumber, fmt.Sprintf("sample is %v", v)
	}
	return v, "", ""
}

func assemble(r Request, results map[string]result, now time.Time) Reading {
	override := r.Overrides.Inflow != ""
	inflow, reason, msg := sampleFor(r, results[pick(r.Overrides.Inflow, InflowQuery(r.Window))], override)
	if reason != "" {
		return Reading{Reason: reason, Message: "inflow: " + msg}
	}
	if !override && r.MaxSampleAge > 0 {
		ts, reason, msg := sampleFor(r, results[FreshnessQuery()], false)
		if reason != "" {
			return Reading{Reason: reason, Message: "sample age: " + msg}
		}
		if age := now.Sub(time.Unix(0, int64(ts*1e9))); age > r.MaxSampleAge {
			return Reading{Reason: ReasonStale, Message: fmt.Sprintf("newest sample is %s old, limit %s", age.Round(time.Second), r.MaxSampleAge)}
		}
	}
	reading := Reading{Inflow: &inflow}
	// Backlog and handle time are optional: without them the queue is sized
	// on inflow and its configured handle time.
	if v, reason, _ := sampleFor(r, results[pick(r.Overrides.Backlog, BacklogQuery())], r.Overrides.Backlog != ""); reason == "" {
		reading.Backlog = &v
	}
	if v, reason, _ := sampleFor(r, results[pick(r.Overrides.HandleTime, HandleTimeQuery())], r.Overrides.HandleTime != ""); reason == "" && v > 0 {
		reading.HandleTime = &v
	}
	if q := r.Overrides.ServiceLevel; q != "" {
		if v, reason, _ := sampleFor(r, results[q], true); reason == "" && v <= 1 {
			reading.ServiceLevel = &v
		}
	}
	return reading
}

// PromDuration renders a duration in Prometheus syntax (whole seconds).
func PromDuration(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 1 {
		s = 1
	}
	if s%3600 == 0 {
		return fmt.Sprintf("%dh", s/3600)
	}
	if s%60 == 0 {
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}

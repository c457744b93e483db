// Package metrics reads ticket traffic from Prometheus. Queries are grouped:
// one query per metric per poll answers every queue of a namespace that
// shares a Prometheus, so the number of queries does not grow with the
// number of queues. Each selects its namespace: however many series one
// tenant exports, they are not in another namespace's answer. A failed,
// empty, NaN or stale answer is never read as zero.
package metrics

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// Conventional metric names (stable: exporters rely on them): the zero-configuration case.
const (
	TicketsCreatedTotal = "frontline_tickets_created_total"
	QueueBacklog        = "frontline_queue_backlog"
	HandleSecondsSum    = "frontline_ticket_handle_seconds_sum"
	HandleSecondsCount  = "frontline_ticket_handle_seconds_count"
)

// handleTimeWindow smooths the measured handle time; it moves slowly and a
// short window would make it noisy.
const handleTimeWindow = 10 * time.Minute

// maxWarmupNames: up to this many queues without history are warmed up
// by one query naming them; the others wait for the next poll (a tick
// later: a queue never read is read again at once).
const maxWarmupNames = 100

// QueueKey names a queue; its labels in the conventional metrics.
type QueueKey struct {
	Namespace string
	Name      string
}

func (k QueueKey) String() string { return k.Namespace + "/" + k.Name }

// Overrides replace the default PromQL for one queue.
type Overrides struct {
	Inflow, Backlog, HandleTime string
	// ServiceLevel, Resolution and AnswerRate have no default: only queues
	// that name them read them.
	ServiceLevel, Resolution, AnswerRate string
}

// Request is what one queue needs read.
type Request struct {
	Key QueueKey
	// Lookback is how far back a poll reads raw counter samples: more than
	// the poll interval, so a late poll loses nothing (overlap is ignored).
	Lookback time.Duration
	// Inflow tunes the queue's estimator.
	Inflow inflow.Params
	// MaxSampleAge: an older newest sample is stale.
	MaxSampleAge time.Duration
	Overrides    Overrides
}

// Reading is one queue's result of a poll. When Reason is set the reading
// is unusable and Inflow is nil.
type Reading struct {
	// Inflow is the rate to size for, tickets per second: the estimator's
	// upper bound (or an override query's value).
	Inflow *float64
	// Estimate is the counter estimator's state (nil for an override).
	Estimate   *inflow.Estimate
	Backlog    *float64 // tickets waiting
	HandleTime *float64 // seconds per ticket
	// ServiceLevel is the observed share answered within target (optional).
	ServiceLevel *float64
	// ResolutionSeconds is the observed average resolution time (optional).
	ResolutionSeconds *float64
	// AnswerRate is the observed share answered, not abandoned (optional).
	AnswerRate *float64
	// Missing says which sizing input failed to read (backlog, handle
	// time): the queue is sized without it, which must not lower capacity.
	Missing string
	Reason  string
	Message string
}

// Usable reports whether the reading can size the queue.
func (r Reading) Usable() bool { return r.Reason == "" && r.Inflow != nil }

// EstimateReading is what a counter's estimate says of the inflow: sized
// for its upper bound, unusable until it has a rate.
func EstimateReading(e inflow.Estimate) Reading {
	if !e.Known {
		return Reading{Reason: supportv1alpha1.ReasonMetricsEmpty, Message: "inflow: the counter has one sample so far; a rate needs two"}
	}
	v := e.Upper
	return Reading{Inflow: &v, Estimate: &e}
}

// Feed puts what the reading measured into a queue's decision input: the
// operator, the simulator and the plugin's dry runs all decide from it. An
// unusable reading feeds nothing, so the decision holds.
func (r Reading) Feed(in *scaling.QueueInput) {
	if !r.Usable() {
		return
	}
	in.MetricsOK = true
	in.Partial = r.Partial()
	in.Measurements = scaling.Measurements{InflowPerSecond: r.Inflow, Backlog: r.Backlog, HandleTimeSeconds: r.HandleTime}
	if e := r.Estimate; e != nil {
		in.Measurements.InflowForFallPerSecond = &e.UpperForFall
	}
}

// RequestFor is what a queue's spec asks a poll to read.
func RequestFor(q *supportv1alpha1.SupportQueue) Request {
	r := Request{
		Key:          QueueKey{Namespace: q.Namespace, Name: q.Name},
		Lookback:     3 * scaling.PollInterval(q),
		Inflow:       scaling.InflowParams(q),
		MaxSampleAge: q.Spec.Metrics.MaxSampleAge.Duration,
	}
	if o := q.Spec.Metrics.Queries; o != nil {
		r.Overrides = Overrides{Inflow: o.InflowPerSecond, Backlog: o.Backlog, HandleTime: o.HandleTimeSeconds, ServiceLevel: o.ServiceLevel,
			Resolution: o.ResolutionSeconds, AnswerRate: o.AnswerRate}
	}
	return r
}

// API is the part of the Prometheus HTTP API client that polling uses.
type API interface {
	Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error)
}

// Partial reports whether the reading may raise capacity but not lower it:
// its samples do not yet cover the estimator's coverage span, or an input
// it sizes on failed to read.
func (r Reading) Partial() bool {
	return r.Missing != "" || r.Estimate != nil && !r.Estimate.Complete
}

// CounterQuery reads the raw counter samples of every queue in namespace
// over the lookback: one range query for all of them.
func CounterQuery(namespace string, lookback time.Duration) string {
	return fmt.Sprintf("%s{namespace=%q}[%s]", TicketsCreatedTotal, namespace, PromDuration(lookback))
}

// WarmupQuery reads the raw counter samples of the named queues of
// namespace over lookback.
func WarmupQuery(namespace string, names []string, lookback time.Duration) string {
	return fmt.Sprintf("%s[%s]", warmupSelector(namespace, names), PromDuration(lookback))
}

// WarmupQueries read the history of the named queues over span, oldest
// first. At a scrape faster than subsampleBelow (the typical interval of
// the queues already read from the source; 0 when none is) they read it at
// the resolutions the estimator keeps: the newest inflow.FineSpan raw,
// where it places a fast change to the scrape, and the older history as
// the last sample of each BinSeconds window, which is all it keeps of it
// (it merges older increments into bins of that width). At a 1 s scrape
// an hour is then about 520 samples a series instead of 3,600, so a new
// leader reads many more queues to an answer. Each sample read is a real
// one, at most once: the windows are a millisecond short of the step, so
// they do not overlap whether the source's ranges are closed (Prometheus
// 2) or open at the start (3). A window without a sample (a gap) has none.
// Within the older part, what 15 s windows cannot show is not seen: a gap
// shorter than about two windows, a reset whose counter is back above its
// value a window before. Their tickets are carried by the next increment
// rather than skipped; the newest FineSpan, which decides coverage, is
// read raw. Slower scrapes, and the first queues read, are read raw.
func WarmupQueries(namespace string, names []string, span, scrape time.Duration) []string {
	if span <= inflow.FineSpan || !subsamples(scrape) {
		return []string{WarmupQuery(namespace, names, span)}
	}
	step := time.Duration(inflow.BinSeconds * float64(time.Second))
	older := fmt.Sprintf("last_over_time(%s[%dms])[%s:%s] offset %s", warmupSelector(namespace, names), (step - time.Millisecond).Milliseconds(),
		PromDuration(span-inflow.FineSpan), PromDuration(step), PromDuration(inflow.FineSpan))
	return []string{older, WarmupQuery(namespace, names, inflow.FineSpan)}
}

// subsampleBelow: from a 5 s scrape on, an hour is at most 720 samples a
// series, and its older part is read raw.
const subsampleBelow = 5 * time.Second

func subsamples(scrape time.Duration) bool { return scrape > 0 && scrape < subsampleBelow }

func warmupSelector(namespace string, names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	sort.Strings(quoted)
	return fmt.Sprintf("%s{namespace=%q,queue=~`^(%s)$`}", TicketsCreatedTotal, namespace, strings.Join(quoted, "|"))
}

// BacklogQuery is the backlog of every queue in namespace.
func BacklogQuery(namespace string) string {
	return fmt.Sprintf("sum by (namespace, queue) (%s{namespace=%q})", QueueBacklog, namespace)
}

// HandleTimeQuery is the average handle time of every queue in namespace.
func HandleTimeQuery(namespace string) string {
	w := PromDuration(handleTimeWindow)
	return fmt.Sprintf("sum by (namespace, queue) (rate(%s{namespace=%q}[%s])) / sum by (namespace, queue) (rate(%s{namespace=%q}[%s]))",
		HandleSecondsSum, namespace, w, HandleSecondsCount, namespace, w)
}

// Plan lists the instant queries one poll sends for a set of requests: the
// grouped backlog and handle time of each namespace, plus one per
// override. The counter's range queries (CounterQueries) come on top.
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
		if r.Overrides.Inflow != "" {
			add(r.Overrides.Inflow)
		}
		add(pick(r.Overrides.Backlog, BacklogQuery(r.Key.Namespace)))
		add(pick(r.Overrides.HandleTime, HandleTimeQuery(r.Key.Namespace)))
		for _, q := range []string{r.Overrides.ServiceLevel, r.Overrides.Resolution, r.Overrides.AnswerRate} {
			if q != "" {
				add(q)
			}
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

// Estimators keeps one inflow estimator per queue between polls.
type Estimators struct {
	m map[QueueKey]*inflow.Queue
	// warmupNames is how many queues without history one warm-up query
	// reads (0: maxWarmupNames), warmupSpan how much history of the queues
	// named (the horizon when not named).
	warmupNames int
	warmupSpan  map[QueueKey]time.Duration
	// subsampled: warmupNames was learned on queries reading the older
	// history one sample a bin; a change of resolution forgets it.
	subsampled bool
}

// A warm-up reads the history of queues that have none (WarmupQueries).
// An hour at a 1 s scrape is still about 11 KiB a series, and a tenant's
// exporter may have many series, so one query over many queues may be
// over the answer limit and read nothing, poll after poll. An answer over
// the limit halves the queues per query; a queue whose history alone is
// over it is read alone over half the span, down to minWarmupSpan, and
// then gets a failed reading (read again on the interval, not every
// tick); the others go back to as many to a query as before. Queues left out are read on the next polls, a tick
// apart. A warm-up that read every queue lifts the limit.

// minWarmupSpan is the least history a warm-up reads: the coverage a
// queue needs before it may scale down.
const minWarmupSpan = inflow.DefaultCoverage

// NewEstimators returns an empty set.
func NewEstimators() *Estimators {
	return &Estimators{m: map[QueueKey]*inflow.Queue{}, warmupSpan: map[QueueKey]time.Duration{}}
}

// Forget drops the estimators of queues not in keep.
func (e *Estimators) Forget(keep map[QueueKey]bool) {
	for k := range e.m {
		if !keep[k] {
			delete(e.m, k)
		}
	}
	for k := range e.warmupSpan {
		if !keep[k] {
			delete(e.warmupSpan, k)
		}
	}
}

func (e *Estimators) get(r Request) *inflow.Queue {
	q, ok := e.m[r.Key]
	if !ok {
		q = inflow.NewQueue(r.Inflow)
		e.m[r.Key] = q
	}
	q.SetParams(r.Inflow)
	return q
}

// estimates are the estimates of the queues among keys that have one.
func (e *Estimators) estimates(keys []QueueKey) iter.Seq[inflow.Estimate] {
	return func(yield func(inflow.Estimate) bool) {
		for _, k := range keys {
			if q, ok := e.m[k]; ok && !yield(q.Estimate()) {
				return
			}
		}
	}
}

// Late is the first sample the queues' counters should have had by at but
// do not (a scrape slower than the poll's lag): the poll may try again
// soon rather than an interval later.
func (e *Estimators) Late(keys []QueueKey, at time.Time) (time.Time, bool) {
	var late time.Time
	for est := range e.estimates(keys) {
		if est.Scrape <= 0 || est.Newest.IsZero() {
			continue
		}
		if exp := est.Newest.Add(est.Scrape); !exp.After(at) && (late.IsZero() || exp.After(late)) {
			late = exp
		}
	}
	return late, !late.IsZero()
}

// NextScrape is when the first sample of any of the queues' counters is
// expected at least an interval, less half a scrape, after from: a poll
// just after it reads a fresh scrape, about an interval after the last.
func (e *Estimators) NextScrape(keys []QueueKey, from time.Time, interval time.Duration) (time.Time, bool) {
	var first time.Time
	for est := range e.estimates(keys) {
		if next, ok := est.NextSample(from.Add(interval - est.Scrape/2)); ok && (first.IsZero() || next.Before(first)) {
			first = next
		}
	}
	return first, !first.IsZero()
}

// counterPlan is a poll's counter queries: by namespace, the newest
// samples of its queues that have history (lookback), and the history of
// some of one namespace's queues that have none (warmup, empty when all
// have), those in warmed, read over span.
type counterPlan struct {
	lookback map[string]string
	warmup   []string
	warmed   map[QueueKey]bool
	span     time.Duration
	// all: the warm-up reads every queue that has no history.
	all bool
}

func (e *Estimators) plan(reqs []Request) counterPlan {
	var lookback, horizon time.Duration
	var cold []QueueKey
	seen := map[QueueKey]bool{}
	warm := map[string]bool{}
	for _, r := range reqs {
		if r.Overrides.Inflow != "" {
			continue
		}
		lookback = max(lookback, r.Lookback, time.Minute)
		if !e.get(r).Empty() {
			warm[r.Key.Namespace] = true
			continue
		}
		horizon = max(horizon, e.get(r).Params().Horizon)
		if !seen[r.Key] {
			seen[r.Key] = true
			cold = append(cold, r.Key)
		}
	}
	p := counterPlan{lookback: map[string]string{}}
	for ns := range warm {
		p.lookback[ns] = CounterQuery(ns, lookback)
	}
	if len(cold) == 0 {
		return p
	}
	slices.SortFunc(cold, func(a, b QueueKey) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	// A warm-up reads one namespace's queues, the first one's.
	sameNamespace := 1
	for sameNamespace < len(cold) && cold[sameNamespace].Namespace == cold[0].Namespace {
		sameNamespace++
	}
	scrape := e.typicalScrape()
	if sub := subsamples(scrape); sub != e.subsampled {
		e.subsampled, e.warmupNames = sub, 0
	}
	limit := e.warmupNames
	if limit <= 0 {
		limit = maxWarmupNames
	}
	// The first queue alone if its history was too large by itself, else
	// the first ones up to the limit that were not.
	batch, span := cold[:1], horizon
	if s, ok := e.warmupSpan[cold[0]]; ok {
		span = s
	} else {
		for _, k := range cold[1:min(sameNamespace, limit)] {
			if _, ok := e.warmupSpan[k]; ok {
				break
			}
			batch = cold[:len(batch)+1]
		}
	}
	p.all = len(batch) == len(cold)
	p.span = max(span, lookback)
	p.warmed = map[QueueKey]bool{}
	names := make([]string, 0, len(batch))
	for _, k := range batch {
		p.warmed[k] = true
		names = append(names, k.Name)
	}
	p.warmup = WarmupQueries(cold[0].Namespace, names, p.span, scrape)
	return p
}

// typicalScrape is the median scrape interval of the group's queues that
// have history (0 when none has): all of them, not only those polled,
// since between due polls the poller reads the unread queues alone.
func (e *Estimators) typicalScrape() time.Duration {
	var scrapes []time.Duration
	for _, q := range e.m {
		if q.Empty() {
			continue
		}
		if s := q.Estimate().Scrape; s > 0 {
			scrapes = append(scrapes, s)
		}
	}
	if len(scrapes) == 0 {
		return 0
	}
	slices.Sort(scrapes)
	return scrapes[len(scrapes)/2]
}

// warmedUp adjusts the warm-up limit to how the plan's warm-up went, and
// reports whether its queues should be read again on the next poll.
func (e *Estimators) warmedUp(p counterPlan, err error) bool {
	switch {
	case err == nil:
		for n := range p.warmed {
			delete(e.warmupSpan, n)
		}
		if p.all {
			e.warmupNames = 0
		}
	case !tooLarge(err):
	case len(p.warmed) > 1:
		e.warmupNames = len(p.warmed) / 2
		return true
	default:
		// One queue's history alone is over the limit: the batches it was
		// in failed for it, not for the others, which are read as many to
		// a query as before while it is read over a shorter span.
		e.warmupNames = 0
		if p.span > minWarmupSpan {
			for n := range p.warmed {
				e.warmupSpan[n] = max(p.span/2, minWarmupSpan)
			}
			return true
		}
	}
	return false
}

// CounterQueries are the counter's range queries for a poll: for each
// namespace, the lookback of its queues that have history, and a warm-up
// query reading a horizon of history for up to maxWarmupNames of one
// namespace's queues that have none, naming them.
func (e *Estimators) CounterQueries(reqs []Request) []string {
	p := e.plan(reqs)
	out := slices.Sorted(maps.Values(p.lookback))
	return append(out, p.warmup...)
}

// Read polls Prometheus for every request, sending each distinct query
// once, feeds the counters' samples to the estimators and returns a
// reading per queue. A queue without history that this poll's warm-up
// does not read has no reading: it is read again on the next poll. The
// poller gives it one namespace's queues; given several, every namespace's
// newest samples are read apart, and a warm-up reads one namespace's.
func Read(ctx context.Context, api API, now time.Time, reqs []Request, est *Estimators) map[QueueKey]Reading {
	grouped := map[string]bool{}
	for _, r := range reqs {
		grouped[BacklogQuery(r.Key.Namespace)], grouped[HandleTimeQuery(r.Key.Namespace)] = true, true
	}
	results := map[string]result{}
	for _, q := range Plan(reqs) {
		qctx := ctx
		if !grouped[q] {
			qctx = SingleValue(ctx) // an override: one series
		}
		results[q] = run(qctx, api, q, now)
	}
	p := est.plan(reqs)
	counters := make(map[string]counterResult, len(p.lookback))
	for _, ns := range slices.Sorted(maps.Keys(p.lookback)) {
		counters[ns] = runRange(ctx, api, p.lookback[ns], now)
	}
	var history counterResult
	retry := false
	if len(p.warmup) > 0 {
		history = runRanges(ctx, api, p.warmup, now)
		retry = est.warmedUp(p, history.err)
	}
	out := make(map[QueueKey]Reading, len(reqs))
	for _, r := range reqs {
		if r.Overrides.Inflow == "" {
			q := est.get(r)
			switch {
			case !q.Empty():
				out[r.Key] = assembleCounter(r, counters[r.Key.Namespace], q, now)
			case !p.warmed[r.Key] || retry:
				continue
			default:
				out[r.Key] = assembleCounter(r, history, q, now)
			}
		}
		out[r.Key] = assemble(r, out[r.Key], results)
	}
	return out
}

// counterResult is the range queries' samples by queue and series.
type counterResult struct {
	err    error
	series map[QueueKey]map[string][]inflow.Sample
}

// queryAs runs a query whose answer must be of type T (a range or an
// instant vector).
func queryAs[T model.Matrix | model.Vector](ctx context.Context, api API, q string, now time.Time) (T, error) {
	val, _, _, err := api.Query(ctx, q, now)
	if err != nil {
		return nil, err
	}
	out, ok := val.(T)
	if !ok {
		return nil, fmt.Errorf("query returned %s, want a %T", val.Type(), out)
	}
	return out, nil
}

func runRange(ctx context.Context, api API, q string, now time.Time) counterResult {
	mat, err := queryAs[model.Matrix](ctx, api, q, now)
	if err != nil {
		return counterResult{err: err}
	}
	out := counterResult{series: map[QueueKey]map[string][]inflow.Sample{}}
	for _, ss := range mat {
		key := QueueKey{Namespace: string(ss.Metric["namespace"]), Name: string(ss.Metric["queue"])}
		if out.series[key] == nil {
			out.series[key] = map[string][]inflow.Sample{}
		}
		id := seriesID(ss.Metric)
		out.series[key][id] = append(out.series[key][id], samplesOf(ss)...)
	}
	return out
}

// runRanges runs range queries over consecutive spans, given oldest
// first, and joins each series' samples in that order; the first error
// fails all. The newest is run first: at a fast scrape it is the largest
// answer, the likeliest to be over the limit.
func runRanges(ctx context.Context, api API, qs []string, now time.Time) counterResult {
	out := counterResult{series: map[QueueKey]map[string][]inflow.Sample{}}
	for i := len(qs) - 1; i >= 0; i-- {
		r := runRange(ctx, api, qs[i], now)
		if r.err != nil {
			return r
		}
		for key, byID := range r.series {
			if out.series[key] == nil {
				out.series[key] = map[string][]inflow.Sample{}
			}
			for id, ss := range byID {
				out.series[key][id] = append(ss, out.series[key][id]...)
			}
		}
	}
	return out
}

// seriesID names a series by its labels without the metric name, so a
// counter's samples match the rates computed from it.
func seriesID(m model.Metric) string {
	c := m.Clone()
	delete(c, model.MetricNameLabel)
	return c.String()
}

func samplesOf(ss *model.SampleStream) []inflow.Sample {
	out := make([]inflow.Sample, 0, len(ss.Values))
	for _, p := range ss.Values {
		out = append(out, inflow.Sample{T: p.Timestamp.Time(), V: float64(p.Value)})
	}
	return out
}

// ReadSeries runs a range query and returns each series' samples by its
// labels (without the metric name).
func ReadSeries(ctx context.Context, api API, q string, now time.Time) (map[string][]inflow.Sample, error) {
	mat, err := queryAs[model.Matrix](ctx, api, q, now)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]inflow.Sample, len(mat))
	for _, ss := range mat {
		out[seriesID(ss.Metric)] = samplesOf(ss)
	}
	return out, nil
}

// ReadByLabels runs an instant query and returns each series' value by its
// labels (without the metric name); NaN and infinite values are left out.
func ReadByLabels(ctx context.Context, api API, q string, now time.Time) (map[string]float64, error) {
	vec, err := queryAs[model.Vector](ctx, api, q, now)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(vec))
	for _, s := range vec {
		if v := float64(s.Value); !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[seriesID(s.Metric)] = v
		}
	}
	return out, nil
}

// assembleCounter feeds a queue's samples to its estimator and reads the
// inflow to size for. No samples, a single sample or a stale newest sample
// is unusable: never zero.
func assembleCounter(r Request, c counterResult, q *inflow.Queue, now time.Time) Reading {
	if c.err != nil {
		return Reading{Reason: FailureReason(c.err), Message: "inflow: " + c.err.Error()}
	}
	for id, ss := range c.series[r.Key] {
		q.Observe(id, ss)
	}
	q.Prune(now)
	e := q.Estimate()
	switch {
	case e.Newest.IsZero():
		return Reading{Reason: supportv1alpha1.ReasonMetricsEmpty, Message: fmt.Sprintf("inflow: no sample of %s for the queue", TicketsCreatedTotal)}
	case r.MaxSampleAge > 0 && now.Sub(e.Newest) > r.MaxSampleAge:
		// The time, not the age: the message, and so the status, stays the
		// same from poll to poll while the exporter is down.
		return Reading{Reason: supportv1alpha1.ReasonMetricsStale, Message: fmt.Sprintf("inflow: no sample since %s, older than maxSampleAge %s",
			e.Newest.UTC().Format(time.RFC3339), r.MaxSampleAge)}
	}
	return EstimateReading(e)
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
		return 0, FailureReason(res.err), res.err.Error()
	}
	var s *model.Sample
	if override {
		if res.count > 1 {
			return 0, supportv1alpha1.ReasonMetricsQueryFailed, fmt.Sprintf("override query returned %d series, want 1", res.count)
		}
		s = res.single
	} else {
		s = res.byKey[r.Key]
	}
	if s == nil {
		return 0, supportv1alpha1.ReasonMetricsEmpty, "no sample for the queue"
	}
	v := float64(s.Value)
	switch {
	case math.IsNaN(v):
		return 0, supportv1alpha1.ReasonMetricsNotANumber, nanSample
	case math.IsInf(v, 0) || v < 0:
		return 0, supportv1alpha1.ReasonMetricsNotANumber, fmt.Sprintf("sample is %v", v)
	}
	return v, "", ""
}

// nanSample: no value (a ratio of no tickets handled), not a wrong one.
const nanSample = "sample is NaN"

// unusable reports whether a backlog or handle-time answer is missing
// rather than none: the query failed, or returned what no queue can have
// (several series for an override, an infinite or negative value). No
// series, and NaN, are none: the queue exports no backlog, or handled no
// ticket in the window.
func unusable(reason, msg string) bool {
	switch reason {
	case "", supportv1alpha1.ReasonMetricsEmpty:
		return false
	case supportv1alpha1.ReasonMetricsNotANumber:
		return msg != nanSample
	}
	return true
}

// assemble completes a reading with the instant queries: the override's
// inflow, backlog, handle time and service level.
func assemble(r Request, reading Reading, results map[string]result) Reading {
	if r.Overrides.Inflow != "" {
		inflow, reason, msg := sampleFor(r, results[r.Overrides.Inflow], true)
		if reason != "" {
			return Reading{Reason: reason, Message: "inflow: " + msg}
		}
		reading = Reading{Inflow: &inflow}
	}
	if reading.Reason != "" {
		return reading
	}
	// Backlog and handle time are optional: without them the queue is sized
	// on inflow and its configured handle time. A query that failed is not
	// "none": sized without it, the queue may rise but not fall.
	var missing []string
	backlog := results[pick(r.Overrides.Backlog, BacklogQuery(r.Key.Namespace))]
	if v, reason, msg := sampleFor(r, backlog, r.Overrides.Backlog != ""); reason == "" {
		reading.Backlog = &v
	} else if unusable(reason, msg) {
		missing = append(missing, "backlog: "+msg)
	}
	handle := results[pick(r.Overrides.HandleTime, HandleTimeQuery(r.Key.Namespace))]
	if v, reason, msg := sampleFor(r, handle, r.Overrides.HandleTime != ""); reason == "" && v > 0 {
		reading.HandleTime = &v
	} else if unusable(reason, msg) {
		missing = append(missing, "handle time: "+msg)
	}
	reading.Missing = strings.Join(missing, "; ")
	// Observed figures are reported, never sized on: a bad one is left out.
	observed := func(q string, ok func(float64) bool) *float64 {
		if q == "" {
			return nil
		}
		if v, reason, _ := sampleFor(r, results[q], true); reason == "" && ok(v) {
			return &v
		}
		return nil
	}
	share := func(v float64) bool { return v >= 0 && v <= 1 }
	reading.ServiceLevel = observed(r.Overrides.ServiceLevel, share)
	reading.AnswerRate = observed(r.Overrides.AnswerRate, share)
	reading.ResolutionSeconds = observed(r.Overrides.Resolution, func(v float64) bool { return v > 0 })
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

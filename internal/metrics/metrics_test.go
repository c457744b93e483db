package metrics

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// fakeAPI answers queries from a table and records what was asked. A fake
// is right here: this tests query planning and parsing, not Prometheus
// (the controller tests run a real one).
type fakeAPI struct {
	answers map[string]model.Value
	err     error
	asked   []string
}

func (f *fakeAPI) Query(_ context.Context, q string, _ time.Time, _ ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	f.asked = append(f.asked, q)
	if f.err != nil {
		return nil, nil, nil, f.err
	}
	if v, ok := f.answers[q]; ok {
		return v, nil, nil, nil
	}
	if strings.HasSuffix(q, "]") || strings.Contains(q, "] offset ") {
		return model.Matrix{}, nil, nil, nil // a range: no series
	}
	return model.Vector{}, nil, nil, nil
}

func sample(ns, queue string, v float64, ts time.Time) *model.Sample {
	return &model.Sample{Metric: model.Metric{"namespace": model.LabelValue(ns), "queue": model.LabelValue(queue)},
		Value: model.SampleValue(v), Timestamp: model.TimeFromUnixNano(ts.UnixNano())}
}

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// series is a counter series with one sample every 5 s up to at, rising at
// perSecond from zero.
func series(ns, queue string, perSecond float64, from, at time.Time) *model.SampleStream {
	ss := &model.SampleStream{Metric: model.Metric{"__name__": TicketsCreatedTotal, "namespace": model.LabelValue(ns), "queue": model.LabelValue(queue)}}
	for t := from; !t.After(at); t = t.Add(5 * time.Second) {
		ss.Values = append(ss.Values, model.SamplePair{Timestamp: model.TimeFromUnixNano(t.UnixNano()), Value: model.SampleValue(perSecond * t.Sub(from).Seconds())})
	}
	return ss
}

func reqs(n int) []Request {
	out := make([]Request, n)
	for i := range out {
		out[i] = Request{Key: QueueKey{"ns", fmt.Sprintf("q%d", i)}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	}
	return out
}

func TestQueriesDoNotGrowWithQueues(t *testing.T) {
	for _, n := range []int{1, 10, 500, 2000} {
		est := NewEstimators()
		rs := reqs(n)
		// Warm: every queue already has history.
		for _, r := range rs {
			est.get(r).Observe("s", []inflow.Sample{{T: now, V: 1}})
		}
		if got := len(Plan(rs)) + len(est.CounterQueries(rs)); got != 3 {
			t.Errorf("%d queues: %d queries, want 3", n, got)
		}
	}
	// An override adds its own query.
	rs := append(reqs(2), Request{Key: QueueKey{"ns", "c"}, Overrides: Overrides{Inflow: `sum(rate(my_tickets[1m]))`}})
	if got := Plan(rs); len(got) != 3 {
		t.Errorf("queries %q", got)
	}
}

func TestWarmupReadsHistoryOfNewQueuesOnly(t *testing.T) {
	est := NewEstimators()
	rs := reqs(3)
	for _, r := range rs[:2] {
		est.get(r).Observe("s", []inflow.Sample{{T: now, V: 1}})
	}
	got := est.CounterQueries(rs)
	want := append([]string{CounterQuery("ns", time.Minute)}, WarmupQueries("ns", []string{"q2"}, inflow.DefaultHorizon, 0)...)
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("queries %q, want %q", got, want)
	}
	// Many cold queues (an operator start): the first maxWarmupNames by
	// name, and no lookback query while none has history.
	rs = reqs(maxWarmupNames + 1)
	var names []string
	for _, r := range rs {
		names = append(names, r.Key.Name)
	}
	sort.Strings(names)
	if got := NewEstimators().CounterQueries(rs); !slices.Equal(got, WarmupQueries("ns", names[:maxWarmupNames], inflow.DefaultHorizon, 0)) {
		t.Errorf("cold start: %q", got)
	}
}

// TestWarmupResolutionFollowsTheScrape: the older history is read one
// sample a bin only when the queues already read show a scrape faster
// than subsampleBelow; the first queues read, and slow scrapes, raw.
func TestWarmupResolutionFollowsTheScrape(t *testing.T) {
	for _, tc := range []struct {
		scrape time.Duration // of the warm queue (0: none)
		want   []string
	}{
		{0, []string{WarmupQuery("ns", []string{"cold"}, inflow.DefaultHorizon)}},
		{15 * time.Second, []string{WarmupQuery("ns", []string{"cold"}, inflow.DefaultHorizon)}},
		{5 * time.Second, []string{WarmupQuery("ns", []string{"cold"}, inflow.DefaultHorizon)}},
		{time.Second, []string{
			"last_over_time(" + TicketsCreatedTotal + "{namespace=\"ns\",queue=~`^(cold)$`}[14999ms])[55m:15s] offset 5m",
			WarmupQuery("ns", []string{"cold"}, inflow.FineSpan)}},
	} {
		est := NewEstimators()
		if tc.scrape > 0 {
			warm := Request{Key: QueueKey{"ns", "warm"}, Lookback: time.Minute}
			var ss []inflow.Sample
			for k := range 20 {
				ss = append(ss, inflow.Sample{T: now.Add(time.Duration(k-20) * tc.scrape), V: float64(k)})
			}
			est.get(warm).Observe("s", ss)
		}
		// The cold queue polled alone, as the poller reads unread queues
		// between due polls: the warm queue's scrape still counts.
		got := est.CounterQueries([]Request{{Key: QueueKey{"ns", "cold"}, Lookback: time.Minute}})
		if !slices.Equal(got, tc.want) {
			t.Errorf("warm queue scraped every %s: %q, want %q", tc.scrape, got, tc.want)
		}
	}
}

// limitedAPI answers the counter's range queries (raw, or one sample per
// bin as WarmupQueries reads older history at a fast scrape) with a smooth
// series per queue named, scraped every second, and refuses, as the body
// limit does, an answer of more than maxSamples samples in all: answers
// grow with the samples they hold. An hour raw is 3,600 samples a queue;
// read at a fast scrape's resolutions, at most 300 to one query.
type limitedAPI struct {
	maxSamples float64
	// weight is how many ordinary queues' samples a queue's history
	// holds (1 unless named).
	weight   map[string]float64
	answered []string
}

func (f *limitedAPI) Query(_ context.Context, q string, _ time.Time, _ ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	i, j := strings.LastIndex(q, "["), strings.LastIndex(q, "]")
	if i < 0 || j < i {
		return model.Vector{}, nil, nil, nil // instant queries: nothing to say
	}
	// A raw range [span] ends now, one sample a second; a subquery
	// [span:step] offset off ends at now-off, one sample a step.
	rangeOf, step, end := q[i+1:j], time.Second, now
	if a, b, ok := strings.Cut(rangeOf, ":"); ok {
		st, err := model.ParseDuration(b)
		if err != nil {
			return nil, nil, nil, err
		}
		off, err := model.ParseDuration(strings.TrimPrefix(strings.TrimSpace(q[j+1:]), "offset "))
		if err != nil {
			return nil, nil, nil, err
		}
		rangeOf, step, end = a, time.Duration(st), now.Add(-time.Duration(off))
	}
	span, err := model.ParseDuration(rangeOf)
	if err != nil {
		return nil, nil, nil, err
	}
	var names []string
	if a, b := strings.Index(q, "^("), strings.Index(q, ")$"); a >= 0 && b > a {
		names = strings.Split(q[a+2:b], "|")
	} else {
		names = []string{"warm"}
	}
	perQueue := int(time.Duration(span) / step)
	size := 0.0
	for _, n := range names {
		w, ok := f.weight[n]
		if !ok {
			w = 1
		}
		size += w * float64(perQueue)
	}
	if size > f.maxSamples {
		return nil, nil, nil, &SourceError{What: "the answer was larger than the source's bodyLimit (8Mi) and was not read", TooLarge: true}
	}
	f.answered = append(f.answered, q)
	var m model.Matrix
	for _, n := range names {
		// One counter since two hours ago, whatever span is read of it.
		ss := &model.SampleStream{Metric: model.Metric{"__name__": TicketsCreatedTotal, "namespace": "ns", "queue": model.LabelValue(n)}}
		for k := perQueue; k >= 0; k-- {
			t := end.Add(-time.Duration(k) * step)
			ss.Values = append(ss.Values, model.SamplePair{Timestamp: model.TimeFromUnixNano(t.UnixNano()), Value: model.SampleValue(0.5 * t.Sub(now.Add(-2*time.Hour)).Seconds())})
		}
		m = append(m, ss)
	}
	return m, nil, nil, nil
}

// pollAsThePoller reads rs until each has a reading, at most 30 polls, as
// the poller does: a poll asks for the queues not read yet (and always
// for those in also), and seen is shown each poll's readings. It returns
// the last reading of each queue and the polls it took.
func pollAsThePoller(api API, est *Estimators, rs, also []Request, seen func(poll int, got map[QueueKey]Reading)) (map[QueueKey]Reading, int) {
	read := map[QueueKey]Reading{}
	polls := 0
	for ; len(read) < len(rs)+len(also) && polls < 30; polls++ {
		unread := slices.Clone(also)
		for _, r := range rs {
			if _, ok := read[r.Key]; !ok {
				unread = append(unread, r)
			}
		}
		got := Read(context.Background(), api, now, unread, est)
		seen(polls, got)
		maps.Copy(read, got)
	}
	return read, polls
}

// floodedAPI answers as fakeAPI, except that every query selecting the
// flooded namespace is over the body limit: a tenant exporting more
// series than one answer may hold.
type floodedAPI struct {
	fakeAPI
	flooded string
}

func (f *floodedAPI) Query(ctx context.Context, q string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	if strings.Contains(q, fmt.Sprintf("namespace=%q", f.flooded)) {
		f.asked = append(f.asked, q)
		return nil, nil, nil, &SourceError{What: "the answer was larger than the source's bodyLimit (8Mi) and was not read", TooLarge: true}
	}
	return f.fakeAPI.Query(ctx, q, ts, opts...)
}

// TestEachQueryReadsOneNamespace: every default query selects one
// namespace, so another namespace's series, however many a tenant
// exports, are never in its answer. Queues of the same name in two
// namespaces, each polled in a group of its own as the poller does, are
// read by separate queries, and a namespace whose answers are over the
// limit leaves the other's readings, first and newest, usable.
func TestEachQueryReadsOneNamespace(t *testing.T) {
	victim := Request{Key: QueueKey{"victim", "desk"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	tenant := Request{Key: QueueKey{"tenant", "desk"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	newer := Request{Key: QueueKey{"victim", "new"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	api := &floodedAPI{flooded: "tenant", fakeAPI: fakeAPI{answers: map[string]model.Value{
		WarmupQuery("victim", []string{"desk"}, inflow.DefaultHorizon): model.Matrix{series("victim", "desk", 0.5, now.Add(-time.Minute), now)},
		CounterQuery("victim", time.Minute):                            model.Matrix{series("victim", "desk", 0.5, now.Add(-time.Minute), now)},
		WarmupQuery("victim", []string{"new"}, inflow.DefaultHorizon):  model.Matrix{series("victim", "new", 0.5, now.Add(-time.Minute), now)},
	}}}
	groups := map[string]*Estimators{"victim": NewEstimators(), "tenant": NewEstimators()}
	for poll, rs := range [][]Request{{victim, tenant}, {victim, tenant, newer}} {
		for ns, est := range groups {
			var group []Request
			for _, r := range rs {
				if r.Key.Namespace == ns {
					group = append(group, r)
				}
			}
			for _, q := range append(Plan(group), est.CounterQueries(group)...) {
				if !strings.Contains(q, fmt.Sprintf("namespace=%q", ns)) {
					t.Errorf("poll %d, %s: %q does not select the namespace", poll, ns, q)
				}
			}
			got := Read(context.Background(), api, now, group, est)
			for _, r := range group {
				if ns == "victim" && !got[r.Key].Usable() {
					t.Errorf("poll %d: %s has no reading while the other namespace floods: %+v", poll, r.Key, got[r.Key])
				}
			}
		}
	}
	if len(api.asked) == 0 || !slices.ContainsFunc(api.asked, func(q string) bool { return strings.Contains(q, `namespace="tenant"`) }) {
		t.Errorf("the flooded namespace was never asked (the test's premise): %q", api.asked)
	}
}

// TestWarmupFitsTheAnswerLimit: an operator starting over 250 queues whose
// hours of history do not fit one answer reads them in narrower queries,
// a poll apart; a queue left out has no reading (the poller reads it again
// a tick later), a queue with history keeps its reading throughout, and
// every queue ends with its full history.
func TestWarmupFitsTheAnswerLimit(t *testing.T) {
	api := &limitedAPI{maxSamples: 30 * 300} // 30 queues' newest 5 minutes at a 1 s scrape, the larger part
	est := NewEstimators()
	warm := Request{Key: QueueKey{"ns", "warm"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	Read(context.Background(), &limitedAPI{maxSamples: math.Inf(1)}, now, []Request{warm}, est)
	var rs []Request
	for i := range 250 {
		rs = append(rs, Request{Key: QueueKey{"ns", fmt.Sprintf("q%03d", i)}, Lookback: time.Minute, MaxSampleAge: time.Minute})
	}
	read, polls := pollAsThePoller(api, est, rs, []Request{warm}, func(poll int, got map[QueueKey]Reading) {
		if w := got[warm.Key]; !w.Usable() {
			t.Fatalf("poll %d: the queue with history lost its reading to the warm-up: %+v", poll, w)
		}
	})
	delete(read, warm.Key)
	if len(read) < len(rs) {
		t.Fatalf("%d of %d queues read after %d polls", len(read), len(rs), polls)
	}
	for k, r := range read {
		if !r.Usable() || r.Estimate.Covered() < 59*time.Minute {
			t.Fatalf("%s: %+v, want a reading on its hour of history", k, r)
		}
	}
	t.Logf("250 queues read in %d polls: %d answered queries", polls, len(api.answered))
	if polls > 15 {
		t.Errorf("%d polls to read 250 queues (30 per answer): the warm-up narrowed too far", polls)
	}
	// Caught up, the limit is lifted: a queue created later is read in one
	// poll by a query over the horizon.
	late := Request{Key: QueueKey{"ns", "late"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	if r, ok := Read(context.Background(), api, now, []Request{late, warm}, est)[late.Key]; !ok || !r.Usable() || r.Estimate.Covered() < 59*time.Minute {
		t.Errorf("a queue created after the warm-up: read %v, %+v", ok, r)
	}
	want := WarmupQueries("ns", []string{"late"}, inflow.DefaultHorizon, time.Second)
	slices.Reverse(want) // the newest part is asked first
	if q := api.answered[len(api.answered)-2:]; !slices.Equal(q, want) {
		t.Errorf("a queue created after the warm-up was read by %q", q)
	}
}

// TestWarmupWidensAfterTheFirstRawQueries: a leader starting over 250
// queues at a 1 s scrape reads the first ones raw, a few to an answer;
// once their scrape is known the others' older history is read one sample
// a bin, and as many queues as fit that go to a query again, not the few
// the raw hours allowed.
func TestWarmupWidensAfterTheFirstRawQueries(t *testing.T) {
	api := &limitedAPI{maxSamples: 60 * 300} // 5 raw hours, 60 newest 5 minutes
	est := NewEstimators()
	var rs []Request
	for i := range 250 {
		rs = append(rs, Request{Key: QueueKey{"ns", fmt.Sprintf("q%03d", i)}, Lookback: time.Minute, MaxSampleAge: time.Minute})
	}
	read, polls := pollAsThePoller(api, est, rs, nil, func(int, map[QueueKey]Reading) {})
	t.Logf("250 queues read in %d polls: %d answered queries", polls, len(api.answered))
	if len(read) < len(rs) || polls > 15 {
		t.Errorf("%d of %d queues read in %d polls: the raw start's narrowing stuck", len(read), len(rs), polls)
	}
	for k, r := range read {
		if !r.Usable() || r.Estimate.Covered() < 59*time.Minute {
			t.Fatalf("%s: %+v, want a reading on its hour of history", k, r)
		}
	}
}

// TestWarmupAroundOneLargeQueue: a queue whose history is as large as 40
// others' (a tenant's exporter with many replicas), first by name, is
// read alone over a shorter span, and the 60 ordinary queues are read as
// many to a query as fit, over their whole hour.
func TestWarmupAroundOneLargeQueue(t *testing.T) {
	api := &limitedAPI{maxSamples: 30 * 3600, weight: map[string]float64{"a-large": 40}} // 30 queues' raw hours
	est := NewEstimators()
	rs := []Request{{Key: QueueKey{"ns", "a-large"}, Lookback: time.Minute, MaxSampleAge: time.Minute}}
	for i := range 60 {
		rs = append(rs, Request{Key: QueueKey{"ns", fmt.Sprintf("q%03d", i)}, Lookback: time.Minute, MaxSampleAge: time.Minute})
	}
	read, polls := pollAsThePoller(api, est, rs, nil, func(int, map[QueueKey]Reading) {})
	t.Logf("61 queues read in %d polls: %d answered queries", polls, len(api.answered))
	for k, r := range read {
		want := 59 * time.Minute
		if k.Name == "a-large" {
			want = 29 * time.Minute
		}
		if !r.Usable() || r.Estimate.Covered() < want {
			t.Errorf("%s: %+v, want a reading over at least %v", k, r, want)
		}
	}
	if len(read) < len(rs) || polls > 12 {
		t.Errorf("%d of %d queues read in %d polls: the large queue held up the others", len(read), len(rs), polls)
	}
}

// TestWarmupOfOneQueueOverTheLimit: a queue whose hour alone is over the
// limit is read over a shorter span; one whose coverage alone is over it
// gets a failed reading, so it is not read again every tick.
func TestWarmupOfOneQueueOverTheLimit(t *testing.T) {
	r := Request{Key: QueueKey{"ns", "big"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	for _, tc := range []struct {
		maxSamples float64
		usable     bool
	}{{maxSamples: 900, usable: true}, {maxSamples: 30, usable: false}} {
		api, est := &limitedAPI{maxSamples: tc.maxSamples}, NewEstimators()
		var got Reading
		polls := 0
		for ; polls < 20; polls++ {
			if g, ok := Read(context.Background(), api, now, []Request{r}, est)[r.Key]; ok {
				got = g
				break
			}
		}
		if got.Usable() != tc.usable || !tc.usable && got.Reason != supportv1alpha1.ReasonMetricsQueryFailed {
			t.Errorf("limit %v s: after %d polls %+v, want usable %v", tc.maxSamples, polls, got, tc.usable)
		}
		if tc.usable && got.Estimate.Covered() < 10*time.Minute {
			t.Errorf("limit %v s: read %s of history, want the most that fits", tc.maxSamples, got.Estimate.Covered())
		}
		// The large queue read, the span is lifted: the next new queue,
		// of ordinary size, is read over the horizon.
		api.maxSamples = 3600
		next := Request{Key: QueueKey{"ns", "next"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
		if tc.usable {
			if n := Read(context.Background(), api, now, []Request{next, r}, est)[next.Key]; !n.Usable() || n.Estimate.Covered() < 59*time.Minute {
				t.Errorf("limit %v s: the next new queue read %+v, want its hour", tc.maxSamples, n)
			}
		}
	}
}

func TestReadCounter(t *testing.T) {
	from := now.Add(-10 * time.Minute)
	api := &fakeAPI{answers: map[string]model.Value{
		WarmupQuery("ns", []string{"a", "b", "young", "nan", "missing"}, inflow.DefaultHorizon): model.Matrix{
			series("ns", "a", 0.5, from, now),
			series("ns", "b", 2, from, now.Add(-5*time.Minute)), // stopped: stale
			series("ns", "young", 1, now, now),                  // one sample
			series("ns", "nan", math.NaN(), from, now),
			series("other", "a", 9, from, now), // another namespace's queue of the same name
		},
		BacklogQuery("ns"):    model.Vector{sample("ns", "a", 12, now)},
		HandleTimeQuery("ns"): model.Vector{sample("ns", "a", 240, now)},
	}}
	rs := []Request{
		{Key: QueueKey{"ns", "a"}, Lookback: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "b"}, Lookback: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "young"}, Lookback: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "nan"}, Lookback: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "missing"}, Lookback: time.Minute, MaxSampleAge: 2 * time.Minute},
	}
	got := Read(context.Background(), api, now, rs, NewEstimators())
	if len(api.asked) != 3 {
		t.Errorf("asked %d queries: %q", len(api.asked), api.asked)
	}
	if !strings.Contains(api.asked[2], "queue=~") {
		t.Errorf("new queues are warmed up by name: %q", api.asked[2])
	}
	a := got[QueueKey{"ns", "a"}]
	if !a.Usable() || *a.Backlog != 12 || *a.HandleTime != 240 || a.Partial() {
		t.Fatalf("a: %+v", a)
	}
	// A smooth counter at 0.5/s: the level is exact, the bound above it.
	if e := a.Estimate; math.Abs(e.Rate-0.5) > 1e-9 || *a.Inflow < 0.5 || *a.Inflow > 0.6 {
		t.Errorf("a: rate %v, sizing %v", e.Rate, *a.Inflow)
	}
	for name, reason := range map[string]string{"b": supportv1alpha1.ReasonMetricsStale, "young": supportv1alpha1.ReasonMetricsEmpty, "nan": supportv1alpha1.ReasonMetricsEmpty, "missing": supportv1alpha1.ReasonMetricsEmpty} {
		r := got[QueueKey{"ns", name}]
		if r.Usable() || r.Reason != reason || r.Inflow != nil {
			t.Errorf("%s: %+v, want unusable with %s", name, r, reason)
		}
	}
}

func TestReadPrometheusDown(t *testing.T) {
	api := &fakeAPI{err: errors.New("connection refused")}
	got := Read(context.Background(), api, now, []Request{{Key: QueueKey{"ns", "a"}, Lookback: time.Minute}}, NewEstimators())
	r := got[QueueKey{"ns", "a"}]
	if r.Usable() || r.Reason != supportv1alpha1.ReasonMetricsQueryFailed || !strings.Contains(r.Message, "connection refused") {
		t.Errorf("%+v", r)
	}
}

// failingAPI answers as fakeAPI, except that the queries named fail.
type failingAPI struct {
	fakeAPI
	fail map[string]error
}

func (f *failingAPI) Query(ctx context.Context, q string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	if err, ok := f.fail[q]; ok {
		return nil, nil, nil, err
	}
	return f.fakeAPI.Query(ctx, q, ts, opts...)
}

// TestFailedBacklogIsNotNone: a backlog or handle-time query that fails
// while the counter reads is not "no backlog": the queue is sized without
// it, and the reading is partial (may raise, never lower) and says which
// failed. A queue that simply exports no backlog, or a handle time of no
// tickets (NaN), is read as before: complete.
func TestFailedBacklogIsNotNone(t *testing.T) {
	req := Request{Key: QueueKey{"ns", "a"}, Lookback: time.Minute, MaxSampleAge: time.Minute}
	history := model.Matrix{series("ns", "a", 0.5, now.Add(-5*time.Minute), now)}
	for _, tc := range []struct {
		name        string
		fail        []string
		handleTime  model.Value
		wantMissing []string
	}{
		{"backlog fails", []string{BacklogQuery("ns")}, nil, []string{"backlog: "}},
		{"handle time fails", []string{HandleTimeQuery("ns")}, nil, []string{"handle time: "}},
		{"both fail", []string{BacklogQuery("ns"), HandleTimeQuery("ns")}, nil, []string{"backlog: ", "handle time: "}},
		{"none exported, no ticket handled", nil, model.Vector{sample("ns", "a", math.NaN(), now)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &failingAPI{fakeAPI: fakeAPI{answers: map[string]model.Value{WarmupQuery("ns", []string{"a"}, inflow.DefaultHorizon): history}},
				fail: map[string]error{}}
			if tc.handleTime != nil {
				api.answers[HandleTimeQuery("ns")] = tc.handleTime
			}
			for _, q := range tc.fail {
				api.fail[q] = &SourceError{What: "the query timed out"}
			}
			r := Read(context.Background(), api, now, []Request{req}, NewEstimators())[req.Key]
			if !r.Usable() {
				t.Fatalf("the counter read, yet the reading is unusable: %+v", r)
			}
			var in scaling.QueueInput
			r.Feed(&in)
			if want := len(tc.wantMissing) > 0; r.Partial() != want || in.Partial != want {
				t.Errorf("partial %v (fed %v), want %v: %+v", r.Partial(), in.Partial, want, r)
			}
			for _, w := range tc.wantMissing {
				if !strings.Contains(r.Missing, w+"the query timed out") {
					t.Errorf("missing %q does not say %q", r.Missing, w)
				}
			}
		})
	}
}

// TestUnusableBacklogOverrideIsNotNone: a backlog override that returns
// what no queue has (several series, a negative or infinite value) is
// missing, not "no backlog": partial, naming it. No series is none.
func TestUnusableBacklogOverrideIsNotNone(t *testing.T) {
	q := `sum(my_backlog{queue="a"})`
	history := model.Matrix{series("ns", "a", 0.5, now.Add(-5*time.Minute), now)}
	for _, tc := range []struct {
		name    string
		answer  model.Vector
		missing string
	}{
		{"several series", model.Vector{sample("ns", "a", 3, now), sample("ns", "b", 4, now)}, "backlog: override query returned 2 series"},
		{"negative", model.Vector{sample("ns", "a", -5, now)}, "backlog: sample is -5"},
		{"infinite", model.Vector{sample("ns", "a", math.Inf(1), now)}, "backlog: sample is +Inf"},
		{"no series", model.Vector{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &fakeAPI{answers: map[string]model.Value{WarmupQuery("ns", []string{"a"}, inflow.DefaultHorizon): history, q: tc.answer}}
			req := Request{Key: QueueKey{"ns", "a"}, Lookback: time.Minute, MaxSampleAge: time.Minute, Overrides: Overrides{Backlog: q}}
			r := Read(context.Background(), api, now, []Request{req}, NewEstimators())[req.Key]
			if !r.Usable() || r.Partial() != (tc.missing != "") || !strings.HasPrefix(r.Missing, tc.missing) {
				t.Errorf("reading %+v, want usable, missing %q", r, tc.missing)
			}
		})
	}
}

func TestOverrideMustReturnOneSeries(t *testing.T) {
	q := `sum by (x) (rate(t[1m]))`
	api := &fakeAPI{answers: map[string]model.Value{q: model.Vector{sample("a", "b", 1, now), sample("c", "d", 2, now)}}}
	got := Read(context.Background(), api, now, []Request{{Key: QueueKey{"ns", "a"}, Overrides: Overrides{Inflow: q}}}, NewEstimators())
	if r := got[QueueKey{"ns", "a"}]; r.Usable() || !strings.Contains(r.Message, "2 series") {
		t.Errorf("%+v", r)
	}
	if len(api.asked) != 3 {
		t.Errorf("an override queue reads no counter: asked %q", api.asked)
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Minute: "1m", 90 * time.Second: "90s", 2 * time.Hour: "2h", 0: "1s"} {
		if got := PromDuration(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

func TestObservedOverrides(t *testing.T) {
	sl, answered, resolution := `sum(answered_in_target) / sum(answered)`, `sum(answered) / sum(offered)`, `avg(resolution_seconds)`
	for _, tc := range []struct {
		name                           string
		answerRate, resolutionSeconds  float64
		wantAnswerRate, wantResolution bool
	}{
		{"all read", 0.93, 1800, true, true},
		// Out of range: left out, and the reading still sizes the queue.
		{"a share above 1 and a negative time", 1.4, -5, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &fakeAPI{answers: map[string]model.Value{
				WarmupQuery("ns", []string{"a"}, inflow.DefaultHorizon): model.Matrix{series("ns", "a", 0.5, now.Add(-time.Minute), now)},
				sl:         model.Vector{sample("", "", 0.71, now)},
				answered:   model.Vector{sample("", "", tc.answerRate, now)},
				resolution: model.Vector{sample("", "", tc.resolutionSeconds, now)},
			}}
			req := Request{Key: QueueKey{"ns", "a"}, Lookback: time.Minute, MaxSampleAge: time.Minute,
				Overrides: Overrides{ServiceLevel: sl, AnswerRate: answered, Resolution: resolution}}
			r := Read(context.Background(), api, now, []Request{req}, NewEstimators())[QueueKey{"ns", "a"}]
			if !r.Usable() || r.ServiceLevel == nil || *r.ServiceLevel != 0.71 {
				t.Errorf("service level: %+v", r)
			}
			if (r.AnswerRate != nil) != tc.wantAnswerRate || r.AnswerRate != nil && *r.AnswerRate != tc.answerRate {
				t.Errorf("answer rate %v, want read: %v", r.AnswerRate, tc.wantAnswerRate)
			}
			if (r.ResolutionSeconds != nil) != tc.wantResolution || r.ResolutionSeconds != nil && *r.ResolutionSeconds != tc.resolutionSeconds {
				t.Errorf("resolution %v, want read: %v", r.ResolutionSeconds, tc.wantResolution)
			}
		})
	}
}

func TestNextScrapeAlignsPolls(t *testing.T) {
	est := NewEstimators()
	r := Request{Key: QueueKey{"ns", "a"}}
	// Samples every 5 s at :02, :07, ... up to 12:00:02.
	var samples []inflow.Sample
	for i := range 20 {
		samples = append(samples, inflow.Sample{T: now.Add(time.Duration(i*5-93) * time.Second), V: float64(i)})
	}
	est.get(r).Observe("s", samples)
	for _, tc := range []struct {
		last     time.Time
		interval time.Duration
		want     time.Time
	}{
		{now.Add(2 * time.Second), 5 * time.Second, now.Add(7 * time.Second)},   // every scrape
		{now.Add(2 * time.Second), 15 * time.Second, now.Add(17 * time.Second)}, // every third
		{now.Add(2 * time.Second), 2 * time.Second, now.Add(7 * time.Second)},   // no faster than scrapes
		{now.Add(30 * time.Second), 5 * time.Second, now.Add(37 * time.Second)}, // through a gap
	} {
		got, ok := est.NextScrape([]QueueKey{r.Key}, tc.last, tc.interval)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("last %v interval %v: next %v, want %v", tc.last.Sub(now), tc.interval, got.Sub(now), tc.want.Sub(now))
		}
	}
	if _, ok := est.NextScrape([]QueueKey{{"ns", "unknown"}}, now, 5*time.Second); ok {
		t.Errorf("a queue never read has no scrape phase")
	}
}

// TestLateScrape: a scrape expected by a time but not seen is late (a poll
// tries again soon); one not yet due is not.
func TestLateScrape(t *testing.T) {
	est := NewEstimators()
	r := Request{Key: QueueKey{"ns", "a"}}
	var samples []inflow.Sample
	for i := range 20 { // every 5 s up to now+2s
		samples = append(samples, inflow.Sample{T: now.Add(time.Duration(i*5-93) * time.Second), V: float64(i)})
	}
	est.get(r).Observe("s", samples)
	if _, late := est.Late([]QueueKey{r.Key}, now.Add(6*time.Second)); late {
		t.Error("the next scrape (now+7s) is not due at now+6s")
	}
	if got, late := est.Late([]QueueKey{r.Key}, now.Add(7*time.Second)); !late || !got.Equal(now.Add(7*time.Second)) {
		t.Errorf("late %v at %v, want the now+7s scrape", late, got.Sub(now))
	}
	if _, late := est.Late([]QueueKey{{"ns", "unknown"}}, now.Add(time.Hour)); late {
		t.Error("a queue never read has nothing late")
	}
}

// TestStaleReadingSaysTheSameEachPoll: while an exporter is down its
// queue's reading is stale, and its message (and so the status it is
// written to) does not change from poll to poll: a steady outage writes
// nothing.
func TestStaleReadingSaysTheSameEachPoll(t *testing.T) {
	req := Request{Key: QueueKey{"ns", "a"}, Lookback: time.Minute, MaxSampleAge: 30 * time.Second}
	down := now.Add(-2 * time.Minute)
	api := &fakeAPI{answers: map[string]model.Value{
		WarmupQuery("ns", []string{"a"}, inflow.DefaultHorizon): model.Matrix{series("ns", "a", 0.5, down.Add(-10*time.Minute), down)},
	}}
	est := NewEstimators()
	var messages []string
	for poll := range 3 {
		r := Read(context.Background(), api, now.Add(time.Duration(poll)*5*time.Second), []Request{req}, est)[req.Key]
		if r.Reason != supportv1alpha1.ReasonMetricsStale {
			t.Fatalf("poll %d: %+v, want stale", poll, r)
		}
		messages = append(messages, r.Message)
	}
	if messages[0] != messages[1] || messages[1] != messages[2] || !strings.Contains(messages[0], down.UTC().Format(time.RFC3339)) {
		t.Errorf("stale messages %q, want one message naming the newest sample's time", messages)
	}
}

package metrics

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
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
	return model.Vector{}, nil, nil, nil
}

func sample(ns, queue string, v float64, ts time.Time) *model.Sample {
	return &model.Sample{Metric: model.Metric{"namespace": model.LabelValue(ns), "queue": model.LabelValue(queue)},
		Value: model.SampleValue(v), Timestamp: model.TimeFromUnixNano(ts.UnixNano())}
}

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestQueriesDoNotGrowWithQueues(t *testing.T) {
	for _, n := range []int{1, 10, 500, 2000} {
		reqs := make([]Request, n)
		for i := range reqs {
			reqs[i] = Request{Key: QueueKey{"ns", string(rune('a' + i%26))}, Window: time.Minute, MaxSampleAge: time.Minute}
		}
		if got := len(Plan(reqs)); got != 4 {
			t.Errorf("%d queues: %d queries, want 4", n, got)
		}
	}
	// A second rate window adds one query; an override adds its own.
	reqs := []Request{
		{Key: QueueKey{"ns", "a"}, Window: time.Minute},
		{Key: QueueKey{"ns", "b"}, Window: 30 * time.Second},
		{Key: QueueKey{"ns", "c"}, Window: time.Minute, Overrides: Overrides{Inflow: `sum(rate(my_tickets[1m]))`}},
	}
	if got := Plan(reqs); len(got) != 6 {
		t.Errorf("queries %q", got)
	}
}

func TestReadGrouped(t *testing.T) {
	api := &fakeAPI{answers: map[string]model.Value{
		InflowQuery(time.Minute): model.Vector{sample("ns", "a", 0.5, now), sample("ns", "b", 2, now), sample("ns", "nan", math.NaN(), now)},
		FreshnessQuery(): model.Vector{sample("ns", "a", float64(now.Add(-5*time.Second).Unix()), now),
			sample("ns", "b", float64(now.Add(-10*time.Minute).Unix()), now), sample("ns", "nan", float64(now.Unix()), now)},
		BacklogQuery():    model.Vector{sample("ns", "a", 12, now)},
		HandleTimeQuery(): model.Vector{sample("ns", "a", 240, now)},
	}}
	reqs := []Request{
		{Key: QueueKey{"ns", "a"}, Window: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "b"}, Window: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "nan"}, Window: time.Minute, MaxSampleAge: 2 * time.Minute},
		{Key: QueueKey{"ns", "missing"}, Window: time.Minute, MaxSampleAge: 2 * time.Minute},
	}
	got := Read(context.Background(), api, now, reqs)
	if len(api.asked) != 4 {
		t.Errorf("asked %d queries: %q", len(api.asked), api.asked)
	}
	a := got[QueueKey{"ns", "a"}]
	if !a.Usable() || *a.Inflow != 0.5 || *a.Backlog != 12 || *a.HandleTime != 240 {
		t.Errorf("a: %+v", a)
	}
	for name, reason := range map[string]string{"b": ReasonStale, "nan": ReasonNotANumber, "missing": ReasonEmpty} {
		r := got[QueueKey{"ns", name}]
		if r.Usable() || r.Reason != reason || r.Inflow != nil {
			t.Errorf("%s: %+v, want unusable with %s", name, r, reason)
		}
	}
}

func TestReadPrometheusDown(t *testing.T) {
	api := &fakeAPI{err: errors.New("connection refused")}
	got := Read(context.Background(), api, now, []Request{{Key: QueueKey{"ns", "a"}, Window: time.Minute}})
	r := got[QueueKey{"ns", "a"}]
	if r.Usable() || r.Reason != ReasonQueryFailed || !strings.Contains(r.Message, "connection refused") {
		t.Errorf("%+v", r)
	}
}

func TestOverrideMustReturnOneSeries(t *testing.T) {
	q := `sum by (x) (rate(t[1m]))`
	api := &fakeAPI{answers: map[string]model.Value{q: model.Vector{sample("a", "b", 1, now), sample("c", "d", 2, now)}}}
	got := Read(context.Background(), api, now, []Request{{Key: QueueKey{"ns", "a"}, Window: time.Minute, Overrides: Overrides{Inflow: q}}})
	if r := got[QueueKey{"ns", "a"}]; r.Usable() || !strings.Contains(r.Message, "2 series") {
		t.Errorf("%+v", r)
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Minute: "1m", 90 * time.Second: "90s", 2 * time.Hour: "2h", 0: "1s"} {
		if got := PromDuration(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

func TestObservedServiceLevelOverride(t *testing.T) {
	sl := `sum(answered_in_target) / sum(answered)`
	api := &fakeAPI{answers: map[string]model.Value{
		InflowQuery(time.Minute): model.Vector{sample("ns", "a", 0.5, now)},
		FreshnessQuery():         model.Vector{sample("ns", "a", float64(now.Unix()), now)},
		sl:                       model.Vector{sample("", "", 0.71, now)},
	}}
	got := Read(context.Background(), api, now, []Request{{Key: QueueKey{"ns", "a"}, Window: time.Minute, MaxSampleAge: time.Minute, Overrides: Overrides{ServiceLevel: sl}}})
	r := got[QueueKey{"ns", "a"}]
	if !r.Usable() || r.ServiceLevel == nil || *r.ServiceLevel != 0.71 {
		t.Errorf("%+v", r)
	}
	if n := len(Plan([]Request{{Key: QueueKey{"ns", "a"}, Window: time.Minute}})); n != 4 {
		t.Errorf("no override: %d queries, want 4", n)
	}
}

package polling

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
)

// TestStoreCountsFailures: consecutive unusable polls are counted (the
// metrics fallback waits for fallbackAfter of them), a usable one resets
// the count, every poll moves the sequence, and deleted queues are dropped.
func TestStoreCountsFailures(t *testing.T) {
	s := NewStore()
	k := metrics.QueueKey{Namespace: "n", Name: "q"}
	v := 1.0
	usable := metrics.Reading{Inflow: &v}
	failed := metrics.Reading{Reason: supportv1alpha1.ReasonMetricsQueryFailed}
	for i, step := range []struct {
		put      metrics.Reading
		failures int32
	}{{usable, 0}, {failed, 1}, {failed, 2}, {usable, 0}, {failed, 1}} {
		s.put(k, step.put)
		got, ok := s.Get(k)
		if !ok || got.Failures != step.failures || got.Seq != uint64(i+1) {
			t.Fatalf("poll %d: %+v, want %d failures, seq %d", i+1, got, step.failures, i+1)
		}
	}
	s.forget(map[metrics.QueueKey]bool{{Namespace: "n", Name: "other"}: true})
	if _, ok := s.Get(k); ok {
		t.Error("a deleted queue's reading was kept")
	}
}

// TestConfineOverrides: on a tenant-scoped source a queue's overrides read
// its own namespace only; one that names another namespace is not read at
// all, and its reading says why.
func TestConfineOverrides(t *testing.T) {
	own := metrics.Request{Key: metrics.QueueKey{Namespace: "team-a", Name: "q"},
		Overrides: metrics.Overrides{Backlog: `sum(frontline_queue_backlog{queue="q"})`}}
	foreign := metrics.Request{Key: metrics.QueueKey{Namespace: "team-a", Name: "spy"},
		Overrides: metrics.Overrides{Backlog: `sum(frontline_queue_backlog{namespace="team-b"})`}}
	plain := metrics.Request{Key: metrics.QueueKey{Namespace: "team-a", Name: "plain"}}
	out, refused := confineOverrides([]metrics.Request{own, foreign, plain})
	if len(out) != 2 || out[0].Key != own.Key || out[1].Key != plain.Key {
		t.Fatalf("read %+v, want the own and the plain queue", out)
	}
	if got := out[0].Overrides.Backlog; !strings.Contains(got, `namespace="team-a"`) {
		t.Errorf("own override %q is not confined to team-a", got)
	}
	if out[1].Overrides != (metrics.Overrides{}) {
		t.Errorf("a queue on default queries got overrides %+v", out[1].Overrides)
	}
	r, ok := refused[foreign.Key]
	if !ok || r.Usable() || r.Reason != supportv1alpha1.ReasonMetricsQueryFailed || !strings.HasPrefix(r.Message, "query override: ") {
		t.Errorf("foreign override: %+v, want an unusable reading saying why", r)
	}
	if own.Overrides.Backlog != `sum(frontline_queue_backlog{queue="q"})` {
		t.Error("the caller's request was changed in place")
	}
}

// TestDueWithoutSamples: before any sample a group is due once its
// interval has passed, with half a tick of slack.
func TestDueWithoutSamples(t *testing.T) {
	p := &Poller{Tick: 250 * time.Millisecond}
	last := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &groupState{lastPoll: last, estimators: metrics.NewEstimators()}
	g := pollGroup{interval: 5 * time.Second}
	for _, c := range []struct {
		after time.Duration
		due   bool
	}{{time.Second, false}, {4700 * time.Millisecond, false}, {4900 * time.Millisecond, true}, {6 * time.Second, true}} {
		if got := p.due(g, st, nil, last.Add(c.after)); got != c.due {
			t.Errorf("%s after the last poll: due %v, want %v", c.after, got, c.due)
		}
	}
}

// TestNamespacesArePolledApart: queues of two namespaces on the same
// source and interval are in separate poll groups, so one tenant's flood
// of series or slow answers holds up only its own namespace's polls;
// queues of one namespace share a group.
func TestNamespacesArePolledApart(t *testing.T) {
	q := func(ns, name string) *supportv1alpha1.SupportQueue {
		return &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	if a, b := groupOf(q("team-a", "desk")), groupOf(q("team-b", "desk")); a == b {
		t.Errorf("two namespaces share the poll group %+v", a)
	}
	if a, b := groupOf(q("team-a", "desk")), groupOf(q("team-a", "chat")); a != b {
		t.Errorf("one namespace's queues are in groups %+v and %+v", a, b)
	}
}

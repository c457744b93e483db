package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestQueueSeriesStartAtZero(t *testing.T) {
	m := New(false)
	m.Queue(routing.Target{Namespace: "support", Queue: "chat"})
	for _, name := range []string{TicketsCreatedTotal, QueueBacklog, HandleSeconds + "_sum", HandleSeconds + "_count"} {
		v, ok := m.Value(name, "namespace", "support", "queue", "chat")
		if !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want a zero series", name, v, ok)
		}
	}
	if _, ok := m.Value(TicketsCreatedTotal, "namespace", "support", "queue", "other"); ok {
		t.Error("an unconfigured queue has a series")
	}
}

func TestHandleSecondsExposesSumAndCount(t *testing.T) {
	m := New(false)
	q := m.Queue(routing.Target{Namespace: "a", Queue: "b"})
	q.ObserveHandle(90 * time.Second)
	q.ObserveHandle(30 * time.Second)
	sum, _ := m.Value(HandleSeconds+"_sum", "queue", "b")
	count, _ := m.Value(HandleSeconds+"_count", "queue", "b")
	if sum != 120 || count != 2 {
		t.Fatalf("sum %v count %v, want 120 and 2", sum, count)
	}
}

func TestBacklogModes(t *testing.T) {
	cases := []struct {
		name  string
		floor bool
		ops   string // c = created, s = solved
		want  int64
	}{
		{"delta: created then solved", false, "ccs", 1},
		{"delta: solves of older tickets go negative", false, "sss", -3},
		{"floor: never below zero", true, "sss", 0},
		{"floor: counts up again from zero", true, "sscc", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := New(c.floor).Queue(routing.Target{Namespace: "a", Queue: "b"})
			for _, op := range c.ops {
				if op == 'c' {
					q.Created()
				} else {
					q.Solved()
				}
			}
			if q.Backlog() != c.want {
				t.Fatalf("backlog %d, want %d", q.Backlog(), c.want)
			}
		})
	}
}

func TestFloorUnderConcurrency(t *testing.T) {
	q := New(true).Queue(routing.Target{Namespace: "a", Queue: "b"})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				q.Created()
				q.Solved()
				q.Solved()
			}
		}()
	}
	wg.Wait()
	if q.Backlog() < 0 {
		t.Fatalf("floored backlog went to %d", q.Backlog())
	}
}

type fakeCounter map[routing.Target]int64

func (f fakeCounter) OpenTickets(_ context.Context, t routing.Target) (int64, error) {
	if v, ok := f[t]; ok {
		return v, nil
	}
	return 0, errors.New("helpdesk unavailable")
}

func TestCorrectionReplacesGauge(t *testing.T) {
	m := New(true)
	a := m.Queue(routing.Target{Namespace: "n", Queue: "a"})
	b := m.Queue(routing.Target{Namespace: "n", Queue: "b"})
	for i := 0; i < 5; i++ {
		a.Created()
		b.Created()
	}
	m.Correct(context.Background(), fakeCounter{a.Target: 42}, quiet)
	if a.Backlog() != 42 {
		t.Fatalf("corrected queue at %d, want 42", a.Backlog())
	}
	if b.Backlog() != 5 {
		t.Fatalf("queue whose count failed changed to %d, want 5", b.Backlog())
	}
	if got, _ := m.Value("frontline_ingest_backlog_corrections_total", "result", "applied"); got != 1 {
		t.Fatalf("applied corrections %v", got)
	}
	if got, _ := m.Value("frontline_ingest_backlog_corrections_total", "result", "failed"); got != 1 {
		t.Fatalf("failed corrections %v", got)
	}
}

func TestRunCorrectionsStops(t *testing.T) {
	m := New(true)
	q := m.Queue(routing.Target{Namespace: "n", Queue: "a"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.RunCorrections(ctx, fakeCounter{q.Target: 7}, time.Hour, quiet); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for q.Backlog() != 7 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if q.Backlog() != 7 {
		t.Fatalf("first correction did not run at start: %d", q.Backlog())
	}
}

func TestUnknownSourceIsOneSeries(t *testing.T) {
	m := New(false)
	for i := 0; i < 3; i++ {
		m.UnknownSource()
	}
	if n := m.Count("frontline_ingest_requests_total"); n != 1 {
		t.Fatalf("%d series for unknown sources, want 1", n)
	}
	if got, _ := m.Value("frontline_ingest_requests_total", "outcome", "unknown_source"); got != 3 {
		t.Fatalf("count %v", got)
	}
}

func TestOutcomeNames(t *testing.T) {
	seen := map[string]bool{}
	for o := Outcome(0); o < numOutcomes; o++ {
		n := o.String()
		if n == "" || n == "unknown" || seen[n] {
			t.Fatalf("outcome %d has name %q", o, n)
		}
		seen[n] = true
	}
}

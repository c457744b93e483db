package ticketsim

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/frontline-dev/frontline/internal/metrics"
)

// handed records what a queue hands on: each ticket's time and when it
// was handed over.
type handed struct {
	mu      sync.Mutex
	created []time.Time
	at      []time.Time
	handle  time.Duration
}

func (h *handed) Ticket(_, _ string, created time.Time, handle time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.created, h.at, h.handle = append(h.created, created), append(h.at, time.Now()), handle
}

// TestViaHandsOnEachArrivalOnce: a queue with Via hands each Poisson
// arrival on once, in order, at most one tick ahead of its time, even
// when its traffic is set again and again (as a scenario does each
// second); the simulator exports no series for it.
func TestViaHandsOnEachArrivalOnce(t *testing.T) {
	const tick = 50 * time.Millisecond
	sim, err := Start(tick)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	h := &handed{}
	sim.Set("support", "counted", Queue{InflowPerHour: 3600})
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(30 * time.Millisecond) {
		sim.Set("support", "webhooks", Queue{InflowPerHour: 72_000, HandleTimeSeconds: 60, Via: h})
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// 20 a second for 1.5 s: 30 expected, a standard deviation of 5.5.
	if n := len(h.created); n < 10 || n > 55 {
		t.Errorf("%d tickets handed on in 1.5 s at 20/s", n)
	}
	for i := range h.created {
		if i > 0 && !h.created[i].After(h.created[i-1]) {
			t.Fatalf("ticket %d created %v, not after ticket %d (%v): drawn twice", i, h.created[i], i-1, h.created[i-1])
		}
		if ahead := h.created[i].Sub(h.at[i]); ahead > tick+10*time.Millisecond {
			t.Errorf("ticket %d handed on %v ahead of its time", i, ahead)
		}
	}
	if h.handle != time.Minute {
		t.Errorf("handle time %v, want 1m", h.handle)
	}
	resp, err := http.Get("http://" + sim.Address() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `queue="counted"`) || strings.Contains(string(body), `queue="webhooks"`) {
		t.Errorf("want series for the counted queue only:\n%s", body)
	}
}

// TestReplicaSeries: a queue exported by two replicas has a series per
// pod; a replica removed and started again under a new pod name is a new
// series from zero while the other's series goes on, and Remove ends
// them all.
func TestReplicaSeries(t *testing.T) {
	sim, err := Start(20 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	smooth := Queue{InflowPerHour: 360_000, Smooth: true} // 100 a second
	sim.SetPod("support", "desk", "a", smooth)
	sim.SetPod("support", "desk", "b", smooth)
	time.Sleep(300 * time.Millisecond)
	sim.RemovePod("support", "desk", "b")
	sim.SetPod("support", "desk", "b2", smooth)
	time.Sleep(100 * time.Millisecond)
	got := createdByPod(t, sim)
	if _, ok := got["b"]; ok || got["a"] < 30 || got["b2"] <= 0 || got["b2"] >= got["a"]/2 {
		t.Errorf("created by pod after b restarted as b2: %v; want a ≥ 30, b gone, b2 counting from zero", got)
	}
	sim.Remove("support", "desk")
	if got := createdByPod(t, sim); len(got) != 0 {
		t.Errorf("series left after Remove: %v", got)
	}
}

// createdByPod reads frontline_tickets_created_total's value per pod label
// from the exporter.
func createdByPod(t *testing.T, sim *Sim) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + sim.Address() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, m := range families[metrics.TicketsCreatedTotal].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "pod" {
				out[l.GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

package warmup

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/test/promtest"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

// TestFloodedNamespaceStarvesNoOther: a tenant exports 200 series of the
// ticket counter in its own namespace, more than one answer of the
// source's 64 KiB bodyLimit holds, beside a victim's one queue of the same
// name in another namespace, on one real Prometheus. Read without a
// namespace, as the grouped queries once were, the newest samples of every
// queue are over the limit: no queue on the source would have a reading.
// Polled as the poller polls (each namespace its own group), the victim's
// queue is read at once and on every poll after; the tenant's own reading
// is the one refused.
func TestFloodedNamespaceStarvesNoOther(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	sim, err := ticketsim.Start(100 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.Set("victim", "desk", ticketsim.Queue{InflowPerHour: 3600})
	for i := range 200 {
		sim.SetPod("tenant", "desk", fmt.Sprintf("flood-%03d", i), ticketsim.Queue{InflowPerHour: 3600})
	}
	prom, err := promtest.Start(promtest.BinaryFor(t), t.TempDir(), []string{sim.Address()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	api := sourceAPI(t, prom.URL(), "bodyLimit: 64Ki")
	time.Sleep(30 * time.Second)

	unscoped := fmt.Sprintf("%s[1m]", metrics.TicketsCreatedTotal)
	if _, _, _, err := api.Query(context.Background(), unscoped, time.Now()); !isTooLarge(err) {
		t.Fatalf("every namespace's newest samples in one answer: %v, want it over the body limit (the test's premise)", err)
	}

	groups := map[string]*metrics.Estimators{"victim": metrics.NewEstimators(), "tenant": metrics.NewEstimators()}
	request := func(ns string) metrics.Request {
		k := metrics.QueueKey{Namespace: ns, Name: "desk"}
		return metrics.Request{Key: k, Lookback: 15 * time.Second, Inflow: inflow.Params{}.WithDefaults(), MaxSampleAge: 30 * time.Second}
	}
	for poll := range 4 {
		for ns, est := range groups {
			r := request(ns)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			got, ok := metrics.Read(ctx, api, time.Now(), []metrics.Request{r}, est)[r.Key]
			cancel()
			switch {
			case ns == "victim" && (!ok || !got.Usable()):
				t.Errorf("poll %d: the victim's queue has no reading beside the flood: %s %s", poll, got.Reason, got.Message)
			case ns == "victim" && got.Estimate.Covered() < 20*time.Second:
				t.Errorf("poll %d: the victim's reading covers %v of its 30 s", poll, got.Estimate.Covered())
			case ns == "tenant" && ok && got.Usable():
				t.Errorf("poll %d: the flooding namespace read its own 200 series (the test's premise is that they are over the limit)", poll)
			}
		}
		time.Sleep(time.Second)
	}
}

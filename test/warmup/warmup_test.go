// Package warmup proves against a real Prometheus that an operator
// starting over more history than one answer may hold reads every queue's
// history all the same: the platform's source with a small bodyLimit, a
// simulator counting tickets for queues whose hours of 1 s samples are
// over it together, and the operator's Read polling them as the poller
// does (a queue left without a reading is read again a tick later); and
// that a tenant whose series are over that limit leaves another
// namespace's queues their readings.
package warmup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/test/promtest"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

const queues = 24

// TestStartOverHistoryLargerThanOneAnswer: 24 queues with 150 s of 1 s
// samples each (about 90 KiB of answer) against a 64 KiB body limit. One
// query for their history is refused by the limit, which is what left
// every queue without a reading, poll after poll; the operator's Read
// reads them all within a few polls, each over its whole history, and a
// queue that has its history keeps its reading while the others are read.
func TestStartOverHistoryLargerThanOneAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 150 s for history")
	}
	sim, err := ticketsim.Start(100 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	var names []string
	for i := range queues {
		names = append(names, fmt.Sprintf("q%02d", i))
		sim.Set("support", names[i], ticketsim.Queue{InflowPerHour: 3600})
	}
	bin := promtest.BinaryFor(t)
	prom, err := promtest.Start(bin, t.TempDir(), []string{sim.Address()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	api := sourceAPI(t, prom.URL(), "bodyLimit: 64Ki")
	time.Sleep(150 * time.Second)

	// The history of all of them in one answer is over the limit.
	if _, _, _, err := api.Query(context.Background(), metrics.WarmupQuery("support", names, inflow.DefaultHorizon), time.Now()); !isTooLarge(err) {
		t.Fatalf("one query for every queue's history: %v, want it over the body limit (the test's premise)", err)
	}

	est := metrics.NewEstimators()
	reqs := map[metrics.QueueKey]metrics.Request{}
	for _, n := range names {
		k := metrics.QueueKey{Namespace: "support", Name: n}
		reqs[k] = metrics.Request{Key: k, Lookback: 15 * time.Second, Inflow: inflow.Params{}.WithDefaults(), MaxSampleAge: 30 * time.Second}
	}
	read := map[metrics.QueueKey]metrics.Reading{}
	polls := 0
	for ; len(read) < queues && polls < 20; polls++ {
		// As the poller: every queue when due; here every poll, a tick
		// apart, so a queue read once must keep its reading.
		var batch []metrics.Request
		for _, r := range reqs {
			batch = append(batch, r)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got := metrics.Read(ctx, api, time.Now(), batch, est)
		cancel()
		for k := range read {
			if r, ok := got[k]; !ok || !r.Usable() {
				t.Fatalf("poll %d: %s had its history and lost its reading: %+v", polls, k, r)
			}
		}
		for k, r := range got {
			read[k] = r
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("%d queues read in %d polls", len(read), polls)
	if len(read) < queues {
		t.Fatalf("%d of %d queues read after %d polls", len(read), queues, polls)
	}
	for k, r := range read {
		if !r.Usable() || r.Estimate == nil {
			t.Errorf("%s: %s %s, want a reading", k, r.Reason, r.Message)
		} else if c := r.Estimate.Covered(); c < 140*time.Second {
			t.Errorf("%s: a reading over %v, want over its 150 s of history", k, c)
		}
	}
	if polls > 8 {
		t.Errorf("%d polls: the warm-up narrowed further than the limit asks", polls)
	}
}

// sourceAPI is the operator's client for a source the platform defines at
// address, with the extra fields given (YAML, one line).
func sourceAPI(t *testing.T, address, extra string) metrics.API {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sources.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf("sources:\n- name: p\n  address: %s\n  tenancy: Shared\n  %s\n", address, extra)), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := sources.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	api, _, err := reg.API(&supportv1alpha1.PrometheusSource{Source: "p"})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func isTooLarge(err error) bool {
	var se *metrics.SourceError
	return errors.As(err, &se) && se.TooLarge
}

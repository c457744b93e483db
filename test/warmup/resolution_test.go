package warmup

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/test/promtest"
)

// history is one queue's counter for the backfill: Poisson arrivals at
// rate (per hour, changing at the steps), sampled every scrape, with a
// gap (no samples) and a reset (the counter restarts from zero).
type history struct {
	queue    string
	scrape   time.Duration
	rate     func(ago time.Duration) float64
	gapAgo   time.Duration // a gap ending this long ago (0: none)
	gap      time.Duration // its length (2 minutes unless set)
	resetAgo time.Duration // a counter reset this long ago (0: none)
	seed     uint64
	stepAgo  time.Duration // when the rate stepped, ago (0: never)
	// onGrid: samples on whole multiples of the scrape, as backfilled data
	// and exporters that stamp their own samples have; else at the
	// scrape's offset from now.
	onGrid bool
}

// TestHistoryReadAtTheEstimatorsResolution: a real Prometheus holding 70
// minutes of ticket counters backfilled into its TSDB by promtool: at a
// 1 s scrape, a steady queue, one that stepped ×5 20 minutes ago, one with
// a 2-minute gap and a counter reset, one with a 10 s gap; one scraped
// every 15 s, and one every 60 s on the minute. Once a queue at a 1 s
// scrape is read, the operator's warm-up of the others (the newest 5
// minutes raw, the older history one sample a 15 s window) gives each the
// estimate its raw hour gives, in a fraction of the answer.
func TestHistoryReadAtTheEstimatorsResolution(t *testing.T) {
	// Off the 15 s grid by a fixed 437 ms, so the run does not depend on
	// when it starts; the on-grid queue is placed on it on purpose.
	now := time.Now().Truncate(15 * time.Second).Add(-15*time.Second + 437*time.Millisecond)
	step := func(ago time.Duration) float64 {
		if ago < 20*time.Minute {
			return 3000
		}
		return 600
	}
	flat := func(perHour float64) func(time.Duration) float64 {
		return func(time.Duration) float64 { return perHour }
	}
	queues := []history{
		{queue: "first", scrape: time.Second, rate: flat(600), seed: 5},
		{queue: "steady", scrape: time.Second, rate: flat(600), seed: 1},
		{queue: "stepped", scrape: time.Second, rate: step, seed: 2, stepAgo: 20 * time.Minute},
		{queue: "broken", scrape: time.Second, rate: flat(1200), gapAgo: 30 * time.Minute, resetAgo: 45 * time.Minute, seed: 3},
		{queue: "blip", scrape: time.Second, rate: flat(1200), gapAgo: 40 * time.Minute, gap: 10 * time.Second, seed: 6},
		{queue: "slow", scrape: 15 * time.Second, rate: flat(600), seed: 4},
		{queue: "minutely", scrape: time.Minute, rate: flat(600), seed: 7, onGrid: true},
	}
	bin := promtest.BinaryFor(t)
	dir := t.TempDir()
	backfill(t, filepath.Join(filepath.Dir(bin), "promtool"), dir, queues, now)
	prom, err := promtest.Start(bin, dir, []string{"127.0.0.1:1"}) // no target: the backfill only
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	api := sourceAPI(t, prom.URL(), "")
	ctx := context.Background()
	params := inflow.Params{}.WithDefaults()

	var names []string
	var reqs []metrics.Request
	for _, h := range queues {
		names = append(names, h.queue)
		k := metrics.QueueKey{Namespace: "support", Name: h.queue}
		reqs = append(reqs, metrics.Request{Key: k, Lookback: time.Minute, Inflow: params, MaxSampleAge: 10 * time.Minute})
	}
	// The operator's first reading of each queue, as a leader reads the
	// queues after its first: the first queue read raw, and its 1 s scrape
	// makes the others' older history read one sample a bin.
	est := metrics.NewEstimators()
	if r := metrics.Read(ctx, api, now, reqs[:1], est)[reqs[0].Key]; !r.Usable() {
		t.Fatalf("%s: %s %s", reqs[0].Key.Name, r.Reason, r.Message)
	}
	if q := metrics.NewEstimators().CounterQueries(reqs[1:2]); len(q) != 1 || strings.Contains(q[0], "last_over_time") {
		t.Fatalf("a first queue's history is read raw, got %q", q)
	}
	if q := est.CounterQueries(reqs); len(q) != 3 {
		t.Fatalf("after a queue at a 1 s scrape, want the lookback and two warm-up queries, got %q", q)
	}
	got := metrics.Read(ctx, api, now, reqs, est)

	// The same estimator fed the raw hour.
	raw, err := metrics.ReadSeries(ctx, api, metrics.WarmupQuery("support", names, params.Horizon), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range queues {
		want := inflow.NewQueue(params)
		for id, ss := range raw {
			if id == fmt.Sprintf(`{namespace="support", queue=%q}`, h.queue) {
				want.Observe(id, ss)
			}
		}
		want.Prune(now)
		w := want.Estimate()
		r := got[metrics.QueueKey{Namespace: "support", Name: h.queue}]
		if r.Estimate == nil || !w.Known {
			t.Fatalf("%s: no estimate (warm-up %s %s; raw known %v)", h.queue, r.Reason, r.Message, w.Known)
		}
		g := *r.Estimate
		t.Logf("%s: level %.0f/h against %.0f/h raw, sizing %.0f/h against %.0f/h, level since %s against %s ago, covered %s against %s, gaps %d against %d",
			h.queue, g.Rate*3600, w.Rate*3600, g.Upper*3600, w.Upper*3600, now.Sub(g.LevelSince).Round(time.Second), now.Sub(w.LevelSince).Round(time.Second),
			g.Covered().Round(time.Second), w.Covered().Round(time.Second), g.Gaps, w.Gaps)
		if math.Abs(g.Rate-w.Rate) > 0.03*w.Rate || math.Abs(g.Upper-w.Upper) > 0.03*w.Upper {
			t.Errorf("%s: level %.0f/h sizing %.0f/h, want within 3 %% of the raw hour's %.0f/h and %.0f/h", h.queue, g.Rate*3600, g.Upper*3600, w.Rate*3600, w.Upper*3600)
		}
		if d := g.LevelSince.Sub(w.LevelSince); d.Abs() > 30*time.Second {
			t.Errorf("%s: level since %s, raw %s", h.queue, g.LevelSince, w.LevelSince)
		}
		if h.stepAgo > 0 && (now.Sub(g.LevelSince)-h.stepAgo).Abs() > 2*time.Minute {
			t.Errorf("%s: level since %s ago, want about %s (its step)", h.queue, now.Sub(g.LevelSince), h.stepAgo)
		}
		if g.Complete != w.Complete || g.Newest != w.Newest || g.Scrape != w.Scrape {
			t.Errorf("%s: complete %v, newest %s, scrape %s; raw %v, %s, %s", h.queue, g.Complete, g.Newest, g.Scrape, w.Complete, w.Newest, w.Scrape)
		}
		switch d := g.CoveredSince.Sub(w.CoveredSince); {
		case h.gap > 0 && h.gap < 30*time.Second:
			// Shorter than two windows, older than the raw part: not seen
			// (WarmupQueries says so); its tickets are carried.
			if g.Gaps != w.Gaps-1 || d > 0 {
				t.Errorf("%s: %d gaps covered since %s; raw %d since %s: want the short old gap alone unseen", h.queue, g.Gaps, g.CoveredSince, w.Gaps, w.CoveredSince)
			}
		case d.Abs() > 15*time.Second || g.Gaps != w.Gaps:
			t.Errorf("%s: covered since %s, %d gaps; raw %s, %d", h.queue, g.CoveredSince, g.Gaps, w.CoveredSince, w.Gaps)
		}
		if h.resetAgo > 0 && g.Gaps < 2 {
			t.Errorf("%s: %d gaps, want the gap and the reset skipped", h.queue, g.Gaps)
		}
	}

	// What each read costs: the answers' bytes for the 1 s queues.
	fast := names[1:5]
	rawBytes := answerBytes(t, prom.URL(), metrics.WarmupQuery("support", fast, params.Horizon), now)
	warmBytes := 0
	for _, q := range metrics.WarmupQueries("support", fast, params.Horizon, time.Second) {
		warmBytes += answerBytes(t, prom.URL(), q, now)
	}
	t.Logf("an hour at a 1 s scrape: %.1f KiB a series raw, %.1f KiB read as the warm-up reads it (%.1f×)",
		float64(rawBytes)/float64(len(fast))/1024, float64(warmBytes)/float64(len(fast))/1024, float64(rawBytes)/float64(warmBytes))
	if warmBytes*4 > rawBytes {
		t.Errorf("the warm-up read %d bytes against %d raw: want under a quarter", warmBytes, rawBytes)
	}
}

// backfill writes the queues' counters as OpenMetrics and turns them into
// TSDB blocks in dir/data with promtool, as an operator backfills history.
func backfill(t *testing.T, promtool, dir string, queues []history, now time.Time) {
	t.Helper()
	src := filepath.Join(dir, "history.om")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	// Write errors surface at Flush.
	_, _ = fmt.Fprintf(w, "# TYPE %s counter\n", strings.TrimSuffix(metrics.TicketsCreatedTotal, "_total"))
	const span = 70 * time.Minute
	for _, h := range queues {
		rng := rand.New(rand.NewPCG(h.seed, 7))
		count := 0
		reset := false
		gap := h.gap
		if gap == 0 {
			gap = 2 * time.Minute
		}
		from := now.Add(-span)
		if h.onGrid {
			from = from.Truncate(h.scrape)
		}
		for at := from; !at.After(now.Add(-time.Second)); at = at.Add(h.scrape) {
			ago := now.Sub(at)
			// Poisson arrivals over the scrape at the rate then.
			lambda := h.rate(ago) / 3600 * h.scrape.Seconds()
			count += poisson(rng, lambda)
			if h.resetAgo > 0 && !reset && ago <= h.resetAgo {
				reset, count = true, 0
			}
			if h.gapAgo > 0 && ago <= h.gapAgo+gap && ago > h.gapAgo {
				continue
			}
			_, _ = fmt.Fprintf(w, "%s{namespace=\"support\",queue=%q} %d %s\n", metrics.TicketsCreatedTotal, h.queue, count,
				strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64))
		}
	}
	_, _ = fmt.Fprintln(w, "# EOF")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", src, filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
}

func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func answerBytes(t *testing.T, base, q string, at time.Time) int {
	t.Helper()
	resp, err := http.PostForm(base+"/api/v1/query", url.Values{"query": {q}, "time": {strconv.FormatInt(at.Unix(), 10)}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %v %s", q, err, b)
	}
	return len(b)
}

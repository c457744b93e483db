package inflow

import (
	"math"
	"runtime"
	"testing"
	"time"
)

// An hour and ten minutes of a 1 s scrape with a gap, a counter reset and
// a step: the increments older than FineSpan are merged into bins, each
// bin exactly the sum of consecutive increments an estimator that never
// merges keeps, none across the gap or the reset; the newer ones and the
// estimate are the same as without merging.
func TestOldIncrementsMergedIntoBins(t *testing.T) {
	const scrape = time.Second
	c := newCounter(3, scrape, stepAt(62*time.Minute, 600, 1800))
	merged, whole := New(Params{}), New(Params{})
	whole.fine = 2 * DefaultHorizon
	var offset float64
	for now := time.Duration(0); now < 70*time.Minute; now += 15 * time.Second {
		batch := c.samples(now, now+15*time.Second)
		if now >= 30*time.Minute && now < 32*time.Minute {
			continue // a gap
		}
		if now == 40*time.Minute {
			offset = -batch[0].V // the exporter restarts: the counter starts over
		}
		for i := range batch {
			batch[i].V += offset
		}
		merged.Observe(batch)
		whole.Observe(batch)
	}

	if limit := int(FineSpan/scrape)*5/4 + 64 + int(DefaultHorizon.Seconds()/BinSeconds) + 1; len(merged.recent) > limit {
		t.Errorf("%d increments kept, want at most %d (%d without merging)", len(merged.recent), limit, len(whole.recent))
	}
	t.Logf("increments kept over the hour: %d merged, %d without", len(merged.recent), len(whole.recent))

	j := 0
	for _, bin := range merged.recent {
		if bin.Start().Before(whole.recent[0].Start()) {
			continue // cut at the horizon by the bin, not by the increment
		}
		for j < len(whole.recent) && !whole.recent[j].End.After(bin.Start().Add(time.Millisecond)) {
			j++
		}
		var c, d float64
		k := j
		for ; k < len(whole.recent) && !whole.recent[k].End.After(bin.End); k++ {
			c, d = c+whole.recent[k].Count, d+whole.recent[k].Seconds
		}
		if c != bin.Count || math.Abs(d-bin.Seconds) > 1e-6 || k == j {
			t.Fatalf("bin ending %s (%g tickets over %gs) is not the sum of the increments it covers (%g over %gs, %d of them)",
				bin.End.Sub(t0), bin.Count, bin.Seconds, c, d, k-j)
		}
		if bin.End.Before(merged.est.Newest.Add(-FineSpan)) {
			continue
		}
		if k-j != 1 {
			t.Fatalf("increment ending %s is newer than %s but merged from %d", bin.End.Sub(t0), FineSpan, k-j)
		}
	}
	if m, w := merged.Estimate(), whole.Estimate(); math.Abs(m.Rate-w.Rate) > 1e-9*w.Rate || m.LevelSince != w.LevelSince {
		t.Errorf("estimate with merging %+v, without %+v", m, w)
	}
}

// BenchmarkEstimatorHourMemory is the heap an estimator keeps for an
// hour of one series at each scrape interval (the operator keeps one per
// counter series).
func BenchmarkEstimatorHourMemory(b *testing.B) {
	for _, scrape := range []time.Duration{time.Second, 5 * time.Second, 15 * time.Second} {
		b.Run("scrape="+scrape.String(), func(b *testing.B) {
			const series = 50
			var kept float64
			for range b.N {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				ests := make([]*Estimator, series)
				for i := range ests {
					c := newCounter(uint64(i), scrape, steady(600))
					ests[i] = New(Params{})
					for now := time.Duration(0); now < 70*time.Minute; now += 15 * time.Second {
						ests[i].Observe(c.samples(now, now+15*time.Second))
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				kept = float64(after.HeapAlloc-before.HeapAlloc) / series / 1024
				runtime.KeepAlive(ests)
			}
			b.ReportMetric(kept, "KiB/series")
		})
	}
}

// A young series keeps every increment: the two-sample test splits its
// data at each one.
func TestYoungSeriesNotMerged(t *testing.T) {
	c := newCounter(5, time.Second, steady(60))
	e := New(Params{})
	for now := time.Duration(0); now < 9*time.Minute; now += 15 * time.Second {
		e.Observe(c.samples(now, now+15*time.Second))
	}
	if !e.young() {
		t.Fatalf("a series 9 minutes old at 60/h should be young: %+v", e.Estimate())
	}
	for _, inc := range e.recent {
		if inc.Seconds > 1.5 {
			t.Fatalf("increment ending %s covers %gs: merged while young", inc.End.Sub(t0), inc.Seconds)
		}
	}
}

// BenchmarkYoungSeriesTenMinutes is a new series' first ten minutes at
// 600/h and a 1 s scrape, polled every 15 s: the young period, when the
// two-sample test scans the series' data at every increment (the work and
// allocation of a new queue, or of many).
func BenchmarkYoungSeriesTenMinutes(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		c := newCounter(uint64(i), time.Second, steady(600))
		e := New(Params{})
		for now := time.Duration(0); now < 10*time.Minute; now += 15 * time.Second {
			e.Observe(c.samples(now, now+15*time.Second))
		}
	}
}

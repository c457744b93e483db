package sim

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchmarkRunMemoryByInflow: a run replays its arrivals rather than
// holding them, so its memory does not grow with the tickets. One hour of
// the reference chat queue under Frontline's policy at 10,000/h and at
// 1,000,000/h (the most the simulator takes), sized for it; reported: the
// heap's peak above its level before the run, sampled every millisecond.
// Target: at 100 times the tickets the peak grows by less than 16 MiB. The
// benchmark fails when it does not; a run that held its tickets grew by
// 254 MiB.
func BenchmarkRunMemoryByInflow(b *testing.B) {
	peaks := map[float64]float64{}
	for _, perHour := range []float64{10_000, MaxInflowPerHour} {
		b.Run(fmt.Sprintf("inflow=%.0f/h", perHour), func(b *testing.B) {
			cfg := referenceChatQueue(b)
			cfg.Queue.Spec.Agents.MaxReplicas = 100_000
			cfg.Trace = Trace{{At: 0, InflowPerHour: perHour, AHTSeconds: 60}, {At: time.Hour, InflowPerHour: perHour, AHTSeconds: 60}}
			for b.Loop() {
				peak := peakHeapGrowth(func() {
					if _, err := Run(cfg, []Policy{&Frontline{}}); err != nil {
						b.Fatal(err)
					}
				})
				peaks[perHour] = max(peaks[perHour], peak)
			}
			b.ReportMetric(peaks[perHour]/(1<<20), "peak-heap-growth-MiB")
			b.ReportMetric(perHour, "tickets")
		})
	}
	if grew := (peaks[MaxInflowPerHour] - peaks[10_000]) / (1 << 20); grew >= 16 {
		b.Errorf("peak heap grew %.1f MiB from 10,000 to %d tickets: the run holds its tickets (target < 16 MiB)", grew, MaxInflowPerHour)
	}
}

// peakHeapGrowth runs f and returns the most the heap's objects (garbage
// not yet collected included) rose above their level before f, sampled
// every millisecond.
func peakHeapGrowth(f func()) float64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() float64 {
		metrics.Read(sample)
		return float64(sample[0].Value.Uint64())
	}
	before := read()
	peak := before
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				peak = max(peak, read())
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return max(peak, read()) - before
}

package capacity

import (
	"errors"
	"math"
	"testing"
)

// FuzzAgents: for any finite input, Agents returns either an InputError or a
// result with real numbers that meets its own target; never a panic, NaN or
// endless loop.
func FuzzAgents(f *testing.F) {
	f.Add(100.0/1800, 180.0, 0.8, 20.0, 0.85, 0.3, 1, 0.0)
	f.Add(5000.0/180, 180.0, 0.95, 10.0, 1.0, 0.0, 3, 0.2)
	f.Add(0.0, 1.0, 0.5, 0.0, 0.5, 0.5, 1, 0.0)
	f.Add(1e-300, 1e-300, 1e-9, 1e300, 1e-300, 0.999999, 20, 1.0)
	f.Fuzz(func(t *testing.T, lambda, aht, sl, target, occ, shrink float64, k int, slow float64) {
		if k > 1000 || k < -1000 {
			k %= 1000
		}
		r := Request{ArrivalsPerSecond: lambda, HandleTimeSeconds: aht, TargetServiceLevel: sl, TargetSeconds: target,
			MaxOccupancy: occ, Shrinkage: shrink, Concurrency: k, ConcurrencySlowdown: slow}
		// Keep each case bounded in time: loads beyond a million Erlangs
		// are exercised by the error path of the large-load test.
		if finite(lambda) && finite(aht) && lambda*aht*(1+math.Abs(slow)*float64(k)) > 1e6 {
			return
		}
		res, err := Agents(r)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for name, v := range map[string]float64{"SL": res.ServiceLevel, "ASA": res.ASASeconds, "occupancy": res.Occupancy, "load": res.OfferedLoad} {
			if !finite(v) {
				t.Fatalf("%s = %v for %+v", name, v, r)
			}
		}
		if res.Agents > 0 && (res.ServiceLevel < sl || res.Occupancy > occ+1e-12) {
			t.Fatalf("result misses its own target: %+v for %+v", res, r)
		}
		if res.ScheduledAgents < res.Agents {
			t.Fatalf("scheduled %d < working %d", res.ScheduledAgents, res.Agents)
		}
	})
}

// FuzzBacklogAndBots covers the other sizing functions.
func FuzzBacklogAndBots(f *testing.F) {
	f.Add(0.03, 360.0, 300.0, 14400.0, 0.85, 0.3, 50, 0.6)
	f.Add(0.0, 1e-9, 0.0, 1e-9, 1.0, 0.0, 1, 0.0)
	f.Fuzz(func(t *testing.T, lambda, aht, backlog, fr, occ, shrink float64, per int, containment float64) {
		b, err := BacklogAgents(BacklogRequest{ArrivalsPerSecond: lambda, HandleTimeSeconds: aht, Backlog: backlog,
			FirstResponseSeconds: fr, MaxOccupancy: occ, Shrinkage: shrink})
		if err == nil && (math.IsNaN(b.ServiceLevel) || math.IsNaN(b.Occupancy) || b.Agents < 0) {
			t.Fatalf("backlog result %+v", b)
		}
		bots, err := Bots(BotRequest{ArrivalsPerSecond: lambda, HandleTimeSeconds: aht, ConversationsPerReplica: per, Containment: containment})
		if err == nil && (bots.Replicas < 0 || math.IsNaN(bots.HumanArrivalsPerSecond) || bots.HumanArrivalsPerSecond > lambda) {
			t.Fatalf("bot result %+v", bots)
		}
	})
}

// FuzzErlangA checks the abandonment model stays a probability.
func FuzzErlangA(f *testing.F) {
	f.Add(14, 100.0/1800, 180.0, 60.0)
	f.Add(1, 1000.0, 180.0, 1.0)
	f.Fuzz(func(t *testing.T, n int, lambda, aht, patience float64) {
		if n > 100000 || (finite(lambda) && finite(aht) && lambda*aht > 1e6) || (finite(lambda) && finite(patience) && lambda*patience > 1e7) {
			return
		}
		r, err := ErlangA(n, lambda, aht, patience)
		if err != nil {
			return
		}
		for name, p := range map[string]float64{"wait": r.WaitProbability, "abandon": r.AbandonProbability, "occupancy": r.Occupancy} {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("%s probability %v for n=%d λ=%v aht=%v patience=%v", name, p, n, lambda, aht, patience)
			}
		}
		if !finite(r.ASASeconds) || r.ASASeconds < 0 {
			t.Fatalf("ASA %v", r.ASASeconds)
		}
	})
}

// Package scenario shapes market traffic over time (calm, btc-crash,
// slow-rise, noisy): the ticket simulator exports it for the demo and the
// end-to-end tests, and `kubectl frontline simulate` replays it.
package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Scenario shapes traffic over time: a multiplier on each queue's base
// inflow, a BTC price, and extra backlog.
type Scenario interface {
	// At returns the inflow multiplier, the BTC price and the backlog
	// multiplier at scenario time t.
	At(t time.Duration) (inflow, price, backlog float64)
	// Length is when the scenario is over (0: endless).
	Length() time.Duration
	// Peak is the highest inflow multiplier At returns: a queue that
	// carries Peak times its base carries the whole scenario.
	Peak() float64
}

// Scenarios are the built-in traffic shapes.
var Scenarios = map[string]func(seed uint64) Scenario{
	"calm":      func(uint64) Scenario { return calm{} },
	"btc-crash": func(uint64) Scenario { return crash{} },
	"slow-rise": func(uint64) Scenario { return slowRise{} },
	"noisy":     func(seed uint64) Scenario { return noisy{seed: seed} },
	"listing":   func(uint64) Scenario { return listing{} },
}

// NewScenario looks a scenario up by name.
func NewScenario(name string, seed uint64) (Scenario, error) {
	f, ok := Scenarios[name]
	if !ok {
		return nil, fmt.Errorf("unknown scenario %q (calm, btc-crash, slow-rise, noisy, listing)", name)
	}
	return f(seed), nil
}

const basePrice = 64000.0

type calm struct{}

func (calm) At(time.Duration) (float64, float64, float64) { return 1, basePrice, 1 }
func (calm) Length() time.Duration                        { return 0 }
func (calm) Peak() float64                                { return 1 }

// crash: a minute of calm; BTC falls 20% over ninety seconds while inflow
// climbs to five times its base; ninety seconds of panic; ninety seconds of
// decay back to calm at the lower price.
type crash struct{}

// crashPeak is the panic's inflow multiplier.
const crashPeak = 5

func (crash) Length() time.Duration { return 7 * time.Minute }
func (crash) Peak() float64         { return crashPeak }

func (crash) At(t time.Duration) (float64, float64, float64) {
	m := t.Minutes()
	switch {
	case m < 1:
		return 1, basePrice, 1
	case m < 2.5: // the fall
		x := smooth((m - 1) / 1.5)
		return 1 + (crashPeak-1)*x, basePrice * (1 - 0.2*x), 1 + 9*x
	case m < 4: // panic at the bottom
		return crashPeak, basePrice * 0.8, 10
	case m < 5.5: // decay, partial recovery
		x := smooth((m - 4) / 1.5)
		return crashPeak - (crashPeak-1)*x, basePrice * (0.8 + 0.05*x), 10 - 9*x
	default:
		return 1, basePrice * 0.85, 1
	}
}

// slowRise: inflow climbs linearly to three times its base over ten
// minutes: a trigger on a spike ratio may never fire; backlog does.
type slowRise struct{}

// slowRisePeak is where the climb ends.
const slowRisePeak = 3

func (slowRise) Length() time.Duration { return 12 * time.Minute }
func (slowRise) Peak() float64         { return slowRisePeak }

func (slowRise) At(t time.Duration) (float64, float64, float64) {
	x := math.Min(t.Minutes()/10, 1)
	return 1 + (slowRisePeak-1)*x, basePrice * (1 - 0.03*x), 1 + 4*x
}

// noisy: ±30% jitter every 5 s around the base, a test of no flapping.
type noisy struct{ seed uint64 }

// noisyJitter is the largest relative move from the base.
const noisyJitter = 0.3

func (noisy) Length() time.Duration { return 0 }
func (noisy) Peak() float64         { return 1 + noisyJitter }

func (n noisy) At(t time.Duration) (float64, float64, float64) {
	r := rand.New(rand.NewPCG(n.seed, uint64(t/(5*time.Second))))
	j := 1 - noisyJitter + 2*noisyJitter*r.Float64()
	return j, basePrice * (0.99 + 0.02*r.Float64()), j
}

// KnownEvent is an event a scenario announces ahead: from Start into the
// scenario, for Duration, Factor times the base inflow.
type KnownEvent struct {
	Name            string
	Start, Duration time.Duration
	Factor          float64
}

// Announced is a scenario whose events are known before they happen.
type Announced interface {
	Known() []KnownEvent
}

// listing: a token listing announced for minute 40: calm before, six
// times the inflow for its first hour, calm after. Its time is known, so a
// plan can prepare for it (Known).
type listing struct{}

const (
	listingAt     = 40 * time.Minute
	listingFor    = time.Hour
	listingFactor = 6
)

func (listing) Length() time.Duration { return listingAt + listingFor + 10*time.Minute }
func (listing) Peak() float64         { return listingFactor }

func (listing) At(t time.Duration) (float64, float64, float64) {
	if t >= listingAt && t < listingAt+listingFor {
		return listingFactor, basePrice, listingFactor
	}
	return 1, basePrice, 1
}

func (listing) Known() []KnownEvent {
	return []KnownEvent{{Name: "listing", Start: listingAt, Duration: listingFor, Factor: listingFactor}}
}

// smooth is an ease-in-out curve from 0 to 1.
func smooth(x float64) float64 {
	x = math.Max(0, math.Min(1, x))
	return x * x * (3 - 2*x)
}

package scenario

import (
	"testing"
	"time"
)

func TestCrashShape(t *testing.T) {
	s, err := NewScenario("btc-crash", 1)
	if err != nil {
		t.Fatal(err)
	}
	in0, p0, _ := s.At(0)
	peak, pPeak, _ := s.At(3 * time.Minute)
	end, _, _ := s.At(7 * time.Minute)
	if in0 != 1 || peak != 5 || end != 1 {
		t.Errorf("inflow multipliers %v %v %v", in0, peak, end)
	}
	if drop := (p0 - pPeak) / p0; drop < 0.19 || drop > 0.21 {
		t.Errorf("price drop %v, want 20%%", drop)
	}
	// Rising within minutes: 5x reached 90 s after the calm minute.
	if v, _, _ := s.At(150 * time.Second); v < 4.99 {
		t.Errorf("inflow at 2.5 min %v", v)
	}
}

func TestNoisyIsDeterministic(t *testing.T) {
	a, _ := NewScenario("noisy", 7)
	b, _ := NewScenario("noisy", 7)
	for i := range 20 {
		at := time.Duration(i) * 5 * time.Second
		x, _, _ := a.At(at)
		y, _, _ := b.At(at)
		if x != y || x < 0.7 || x > 1.3 {
			t.Fatalf("noisy at %v: %v vs %v", at, x, y)
		}
	}
	if _, err := NewScenario("meteor", 1); err == nil {
		t.Error("unknown scenario accepted")
	}
}

// TestPeak: no scenario goes above its Peak, and each comes within 1 % of
// it (noisy's is the edge of its jitter, met only by a lucky draw).
func TestPeak(t *testing.T) {
	want := map[string]float64{"calm": 1, "btc-crash": 5, "slow-rise": 3, "noisy": 1.3, "listing": 6}
	for name := range Scenarios {
		s, err := NewScenario(name, 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Peak() != want[name] {
			t.Errorf("%s: peak %v, want %v", name, s.Peak(), want[name])
		}
		length := s.Length()
		if length == 0 {
			length = time.Hour
		}
		highest := 0.0
		for at := time.Duration(0); at <= length; at += time.Second {
			v, _, _ := s.At(at)
			highest = max(highest, v)
		}
		if highest > s.Peak() || highest < 0.99*s.Peak() {
			t.Errorf("%s: reaches %v, peak %v", name, highest, s.Peak())
		}
	}
}

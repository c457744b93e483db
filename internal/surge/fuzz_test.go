package surge

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzNoFlapping drives the state machine in mode Auto with any series of
// trigger readings at any step sizes, and checks the anti-flapping
// property: in any window as long as minActive, at most three transitions
// (Active→CoolingDown→Armed→Active); an Active period never ends before
// minActive.
func FuzzNoFlapping(f *testing.F) {
	f.Add([]byte{0, 5, 200, 5, 10, 5, 0, 5, 250, 5, 0, 60, 255, 1})
	f.Add([]byte{255, 1, 0, 1, 255, 1, 0, 1, 255, 1, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		const minActive = 10 * time.Minute
		in := Input{Mode: ModeAuto, MinActive: minActive, QuietFor: time.Minute, CoolingDownFor: 0}
		var s State
		now := t0
		var times []time.Time
		var activeSince time.Time
		for len(data) >= 2 {
			v := float64(data[0]) / 32 // 0 .. 8
			step := time.Duration(data[1]) * time.Second
			data = data[2:]
			known := true
			if len(data) >= 2 && data[0] == 0xfe {
				known = false
			}
			now = now.Add(step)
			in.Now = now
			in.Triggers = []Trigger{
				{Name: "spike", Known: known, Eligible: true, Value: v, Enter: 3, Exit: 1.5, For: 0},
				{Name: "ext", Known: true, Eligible: true, Value: float64(binary.LittleEndian.Uint16([]byte{byte(v * 7), 0})) / 100, Enter: 0.05, Exit: 0.02},
			}
			prev := s.Phase
			var tr *Transition
			s, tr = Step(s, in)
			if tr == nil {
				continue
			}
			if tr.From == Active && now.Sub(activeSince) < minActive {
				t.Fatalf("Active ended after %v, before minActive", now.Sub(activeSince))
			}
			if tr.To == Active {
				activeSince = now
			}
			_ = prev
			times = append(times, now)
			var inWindow int
			for _, tt := range times {
				if now.Sub(tt) < minActive {
					inWindow++
				}
			}
			if inWindow > 3 {
				t.Fatalf("%d transitions within %v", inWindow, minActive)
			}
		}
	})
}

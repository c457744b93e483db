package scaling

import (
	"math"
	"time"
)

// Recommendation is one past need, kept to decide scale-downs.
type Recommendation struct {
	Time     time.Time
	Replicas int32
}

// ScaleDownPolicy limits how fast replicas fall.
type ScaleDownPolicy struct {
	// Window is how long the need must stay below the current replicas
	// before any are removed; then the highest need seen in the last Window
	// is the floor.
	Window time.Duration
	// MaxStepPercent of current replicas removed per step, at least 1.
	MaxStepPercent int32
	// StepPeriod is the least time between two changes (the poll interval),
	// so a reconcile triggered by a Deployment's status does not take a
	// second step at once.
	StepPeriod time.Duration
}

// ScaleDownState is what a scale-down remembers between decisions. It is
// empty whenever the need is at or above the current replicas, so a steady
// queue stores nothing that changes.
type ScaleDownState struct {
	// BelowSince is when the need first fell below the current replicas.
	BelowSince *time.Time
	// Recent is a sliding-window maximum of the needs since then: each entry
	// lower than the one before, oldest first.
	Recent []Recommendation
}

// MaxRecommendations bounds the history kept in status.
const MaxRecommendations = 32

// Decide moves current replicas towards need: straight up to a higher need
// in one step; down only after the need stayed lower for the window, never
// below the window's highest need, by at most one step per StepPeriod.
// lastChange is when the replicas last changed.
func Decide(now time.Time, current, need int32, lastChange time.Time, st ScaleDownState, p ScaleDownPolicy) (int32, ScaleDownState) {
	if need >= current {
		return need, ScaleDownState{}
	}
	if st.BelowSince == nil || st.BelowSince.After(now) {
		t := now
		st.BelowSince = &t
	}
	st.Recent = remember(now, need, st.Recent, p.Window)
	if now.Sub(*st.BelowSince) < p.Window || now.Sub(lastChange) < p.StepPeriod {
		return current, st
	}
	floor := st.Recent[0].Replicas // the window's highest need, below current
	step := max(int32(math.Ceil(float64(current)*float64(max(p.MaxStepPercent, 1))/100)), 1)
	return max(floor, current-step), st
}

// remember adds need to a sliding-window-maximum queue: entries older than
// the window drop off the front, entries not above need drop off the back.
func remember(now time.Time, need int32, recent []Recommendation, window time.Duration) []Recommendation {
	out := make([]Recommendation, 0, len(recent)+1)
	for _, r := range recent {
		if now.Sub(r.Time) < window && !r.Time.After(now) {
			out = append(out, r)
		}
	}
	for len(out) > 0 && out[len(out)-1].Replicas <= need {
		out = out[:len(out)-1]
	}
	out = append(out, Recommendation{Time: now, Replicas: need})
	if len(out) > MaxRecommendations {
		// Keep the window's maximum at the front; drop the oldest of the
		// lower entries, which can only make the next scale-down later.
		out = append(out[:1], out[2:]...)
	}
	return out
}

// MetricsFailure says what to run while metrics are unusable.
type MetricsFailure struct {
	// Failures counts consecutive failed polls, this one included.
	Failures int32
	// FallbackAfter and Fallback are set when the queue asks for a fallback.
	FallbackAfter int32
	Fallback      *int32
}

// Hold returns the replicas to run while metrics are missing: the last
// decision, raised to the fallback once enough polls failed. Never lower.
func Hold(current int32, f MetricsFailure) (replicas int32, usingFallback bool) {
	if f.Fallback != nil && f.Failures >= f.FallbackAfter && *f.Fallback > current {
		return *f.Fallback, true
	}
	return current, false
}

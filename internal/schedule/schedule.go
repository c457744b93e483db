// Package schedule turns a SurgePlan's known events (one-off or repeating
// in an IANA time zone) into windows: when preparation opens, when
// capacity must be ready, when the event starts and ends; and says what a
// queue is sized for at a given time inside one. Pure: the SurgePlan
// controller records the windows in status, the SupportQueue controller
// and the simulator size from them.
package schedule

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// lookahead bounds the search for a repeating event's next start: every
// weekday comes within a week, and excluded dates may skip a few.
const lookahead = 70 * 24 * time.Hour

// ScaleAhead is how long before ReadyBy the replicas reach the event's
// size: the operator's own reconcile and the pods' start, so capacity is
// Ready by then rather than only asked for.
const ScaleAhead = 30 * time.Second

// Window is one occurrence of an event.
type Window struct {
	Event string
	// Opens is when preparation begins: ScaleAhead and the ramp before
	// ReadyBy.
	Opens time.Time
	// ReadyBy is when capacity must be in place: Start minus the lead time.
	ReadyBy    time.Time
	Start, End time.Time
}

// Sized is when the replicas reach the event's size.
func (w Window) Sized() time.Time { return w.ReadyBy.Add(-ScaleAhead) }

// OpenAt reports whether the window is open (preparing or running) at t.
func (w Window) OpenAt(t time.Time) bool { return !t.Before(w.Opens) && t.Before(w.End) }

// RunningAt reports whether the event itself is under way at t.
func (w Window) RunningAt(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// window is the occurrence of ev starting at start.
func window(ev supportv1alpha1.ScheduledEvent, start time.Time) Window {
	// The API defaults an unset leadTime to 15m; "0s" is a
	// choice (capacity at the start).
	lead := ev.LeadTime.Duration
	var ramp time.Duration
	if ev.Ramp != nil {
		ramp = ev.Ramp.Duration
	}
	ready := start.Add(-lead)
	return Window{Event: ev.Name, Opens: ready.Add(-ScaleAhead - ramp), ReadyBy: ready, Start: start, End: start.Add(ev.Duration.Duration)}
}

// Location is a repeating event's time zone (UTC when unset).
func Location(r *supportv1alpha1.EventRepeat) (*time.Location, error) {
	if r == nil || r.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not a known IANA zone", r.TimeZone)
	}
	return loc, nil
}

// Windows are ev's occurrences whose window overlaps [from, to], by start.
func Windows(ev supportv1alpha1.ScheduledEvent, from, to time.Time) ([]Window, error) {
	if ev.At != nil {
		w := window(ev, ev.At.Time)
		if w.Opens.After(to) || !w.End.After(from) {
			return nil, nil
		}
		return []Window{w}, nil
	}
	r := ev.Repeat
	if r == nil {
		return nil, fmt.Errorf("event %q sets neither at nor repeat", ev.Name)
	}
	loc, err := Location(r)
	if err != nil {
		return nil, fmt.Errorf("event %q: %w", ev.Name, err)
	}
	hour, minute, err := clock(r.Time)
	if err != nil {
		return nil, fmt.Errorf("event %q: %w", ev.Name, err)
	}
	probe := window(ev, from)
	// The first start whose window may reach from lies at most the
	// event's length before it; the last, lead and ramp after to.
	first := from.Add(-ev.Duration.Duration).In(loc)
	last := to.Add(from.Sub(probe.Opens)).In(loc)
	var out []Window
	for d := time.Date(first.Year(), first.Month(), first.Day()-1, 12, 0, 0, 0, loc); !d.After(last.AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		if !slices.Contains(r.Days, supportv1alpha1.Weekday(d.Weekday().String())) || slices.Contains(ev.ExcludeDates, d.Format(time.DateOnly)) {
			continue
		}
		w := window(ev, localStart(d, hour, minute, loc))
		if !w.Opens.After(to) && w.End.After(from) {
			out = append(out, w)
		}
	}
	return out, nil
}

// localStart is hour:minute on d's date in loc. A local time daylight
// saving skips (02:30 on a spring-forward night) starts an hour later on
// the wall clock, the instant the clock would have shown it; a repeated
// one (01:30 on a fall-back night) at its first occurrence.
func localStart(d time.Time, hour, minute int, loc *time.Location) time.Time {
	t := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
	if t.Hour() != hour || t.Minute() != minute {
		t = time.Date(d.Year(), d.Month(), d.Day(), hour+1, minute, 0, 0, loc)
	}
	return t
}

// clock parses "HH:MM".
func clock(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	return hour, minute, nil
}

// Open are the windows of every event open at now, by start; events whose
// spec cannot be read are returned as errors, the others still counted.
func Open(events []supportv1alpha1.ScheduledEvent, now time.Time) ([]Window, []error) {
	var out []Window
	var errs []error
	for _, ev := range events {
		ws, err := Windows(ev, now, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, w := range ws {
			if w.OpenAt(now) {
				out = append(out, w)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, errs
}

// Next is the window that opens next after now (false if none within the
// lookahead); events whose spec cannot be read are skipped.
func Next(events []supportv1alpha1.ScheduledEvent, now time.Time) (Window, bool) {
	var best Window
	found := false
	for _, ev := range events {
		ws, err := Windows(ev, now, now.Add(lookahead))
		if err != nil {
			continue
		}
		for _, w := range ws {
			if w.Opens.After(now) && (!found || w.Opens.Before(best.Opens)) {
				best, found = w, true
			}
		}
	}
	return best, found
}

// ExpectedPerHour is the inflow an event expects for a queue: its own
// entry in expect.queues, else the event's factor or absolute rate. A
// factor needs the queue's usual inflow; ok is false without it.
func ExpectedPerHour(exp supportv1alpha1.ExpectedInflow, queue string, usualPerHour *float64) (perHour float64, ok bool) {
	factor, absolute := exp.Factor, exp.InflowPerHour
	for _, q := range exp.Queues {
		if q.Queue == queue {
			factor, absolute = q.Factor, q.InflowPerHour
		}
	}
	switch {
	case absolute != nil:
		return float64(*absolute), true
	case factor != nil && usualPerHour != nil:
		f, err := factor.Float64()
		if err != nil {
			return 0, false
		}
		return f * *usualPerHour, true
	}
	return 0, false
}

// SizedForPerHour is the inflow a queue is sized for at now inside an open
// window: over the ramp, a straight line from its usual inflow (zero when
// not known) to the expected; from Sized to the end, the expected. Zero
// outside the window.
func SizedForPerHour(w Window, now time.Time, usualPerHour *float64, expectedPerHour float64) float64 {
	if !w.OpenAt(now) {
		return 0
	}
	sized := w.Sized()
	if !now.Before(sized) || !sized.After(w.Opens) {
		return expectedPerHour
	}
	from := 0.0
	if usualPerHour != nil {
		from = min(*usualPerHour, expectedPerHour)
	}
	x := now.Sub(w.Opens).Seconds() / sized.Sub(w.Opens).Seconds()
	return from + x*(expectedPerHour-from)
}

// QueueInflowPerHour is the inflow a plan's open events, as its status
// records them, ask a queue to be sized for at now (0: none): the largest
// of what each event's window sizes for.
func QueueInflowPerHour(events []supportv1alpha1.ScheduledEventStatus, queue string, now time.Time) float64 {
	best := 0.0
	for _, e := range events {
		w := Window{Event: e.Name, Opens: e.Opens.Time, ReadyBy: e.ReadyBy.Time, Start: e.Start.Time, End: e.End.Time}
		for _, q := range e.Queues {
			if q.Queue != queue || q.InflowPerHour == nil {
				continue
			}
			var usual *float64
			if q.UsualInflowPerHour != nil {
				v := float64(*q.UsualInflowPerHour)
				usual = &v
			}
			best = max(best, SizedForPerHour(w, now, usual, float64(*q.InflowPerHour)))
		}
	}
	return best
}

// Running names the open windows' events under way at now, with their
// ends ("" when none): what makes a plan Active (surge.Input.Event).
func Running(open []Window, now time.Time) string {
	var names []string
	for _, w := range open {
		if w.RunningAt(now) {
			names = append(names, fmt.Sprintf("%s (until %s)", w.Event, w.End.UTC().Format(time.RFC3339)))
		}
	}
	return strings.Join(names, ", ")
}

// QueueLevel is a selected queue's name and usual inflow per hour (nil:
// not known).
type QueueLevel struct {
	Queue   string
	PerHour *int64
}

// Status is what a plan's status says of its open events: each window's
// times and every selected queue's expected inflow. A queue's usual
// inflow is its level when the window opened, kept from the previous
// status so the expectation does not grow with the event's own tickets.
func Status(spec []supportv1alpha1.ScheduledEvent, prev []supportv1alpha1.ScheduledEventStatus, open []Window, queues []QueueLevel, now time.Time) []supportv1alpha1.ScheduledEventStatus {
	var out []supportv1alpha1.ScheduledEventStatus
	for _, w := range open {
		var ev supportv1alpha1.ScheduledEvent
		for _, e := range spec {
			if e.Name == w.Event {
				ev = e
			}
		}
		st := supportv1alpha1.ScheduledEventStatus{Name: w.Event, Stage: supportv1alpha1.EventPreparing,
			Opens: metav1.NewTime(w.Opens), ReadyBy: metav1.NewTime(w.ReadyBy), Start: metav1.NewTime(w.Start), End: metav1.NewTime(w.End)}
		if w.RunningAt(now) {
			st.Stage = supportv1alpha1.EventRunning
		}
		earlier := map[string]supportv1alpha1.EventQueueInflow{}
		for _, p := range prev {
			if p.Name == w.Event && p.Start.Equal(&st.Start) {
				for _, q := range p.Queues {
					earlier[q.Queue] = q
				}
			}
		}
		for _, q := range queues {
			e := supportv1alpha1.EventQueueInflow{Queue: q.Queue, UsualInflowPerHour: q.PerHour}
			if old, ok := earlier[q.Queue]; ok && old.UsualInflowPerHour != nil {
				e.UsualInflowPerHour = old.UsualInflowPerHour
			}
			var usual *float64
			if e.UsualInflowPerHour != nil {
				v := float64(*e.UsualInflowPerHour)
				usual = &v
			}
			if v, ok := ExpectedPerHour(ev.Expect, q.Queue, usual); ok {
				r := int64(math.Ceil(v))
				e.InflowPerHour = &r
			}
			st.Queues = append(st.Queues, e)
		}
		out = append(out, st)
	}
	return out
}

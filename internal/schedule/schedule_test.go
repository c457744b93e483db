package schedule

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func repeating(days []supportv1alpha1.Weekday, at, zone string, exclude ...string) supportv1alpha1.ScheduledEvent {
	return supportv1alpha1.ScheduledEvent{
		Name: "cpi", Repeat: &supportv1alpha1.EventRepeat{Days: days, Time: at, TimeZone: zone},
		Duration: metav1.Duration{Duration: time.Hour}, LeadTime: metav1.Duration{Duration: 15 * time.Minute}, ExcludeDates: exclude,
		Expect: supportv1alpha1.ExpectedInflow{InflowPerHour: ptr(int64(3000))},
	}
}

func ptr[T any](v T) *T { return &v }

// A repeating event fires at its local time on both sides of a daylight
// saving change: 08:30 in New York is 13:30 UTC in winter, 12:30 in
// summer, and the week of the change follows the local clock.
func TestRepeatingFollowsTheLocalClockAcrossDaylightSaving(t *testing.T) {
	days := []supportv1alpha1.Weekday{"Thursday", "Sunday"}
	for _, tc := range []struct {
		name, zone, from, to string
		starts               []string
		at                   string // "08:30" when empty
	}{
		{"spring forward in New York (8 March 2026)", "America/New_York", "2026-03-05T00:00:00Z", "2026-03-13T00:00:00Z",
			[]string{"2026-03-05T13:30:00Z", "2026-03-08T12:30:00Z", "2026-03-12T12:30:00Z"}, ""},
		{"fall back in New York (1 November 2026)", "America/New_York", "2026-10-29T00:00:00Z", "2026-11-06T00:00:00Z",
			[]string{"2026-10-29T12:30:00Z", "2026-11-01T13:30:00Z", "2026-11-05T13:30:00Z"}, ""},
		{"Berlin (29 March 2026)", "Europe/Berlin", "2026-03-26T00:00:00Z", "2026-04-03T00:00:00Z",
			[]string{"2026-03-26T07:30:00Z", "2026-03-29T06:30:00Z", "2026-04-02T06:30:00Z"}, ""},
		{"a skipped local time starts an hour later on the wall clock", "America/New_York", "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z",
			[]string{"2026-03-08T07:30:00Z"}, "02:30"},
		{"a repeated local time starts at its first occurrence", "America/New_York", "2026-11-01T00:00:00Z", "2026-11-01T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z"}, "01:30"},
		{"Seoul has no daylight saving", "Asia/Seoul", "2026-03-05T00:00:00Z", "2026-03-09T00:00:00Z",
			[]string{"2026-03-04T23:30:00Z", "2026-03-07T23:30:00Z"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			if at == "" {
				at = "08:30"
			}
			ws, err := Windows(repeating(days, at, tc.zone), mustTime(t, tc.from), mustTime(t, tc.to))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range ws {
				got = append(got, w.Start.UTC().Format(time.RFC3339))
				if !w.ReadyBy.Equal(w.Start.Add(-15*time.Minute)) || !w.End.Equal(w.Start.Add(time.Hour)) {
					t.Errorf("window %+v: want ready 15m before, end an hour after", w)
				}
			}
			if len(got) != len(tc.starts) {
				t.Fatalf("starts %v, want %v", got, tc.starts)
			}
			for i := range got {
				if got[i] != tc.starts[i] {
					t.Errorf("start %d: %s, want %s", i, got[i], tc.starts[i])
				}
			}
		})
	}
}

// A window already running at from is one of the windows from on.
func TestWindowsIncludeOnesOpenAtFrom(t *testing.T) {
	ev := repeating([]supportv1alpha1.Weekday{"Monday"}, "09:00", "UTC")
	ws, err := Windows(ev, mustTime(t, "2026-12-07T09:30:00Z"), mustTime(t, "2026-12-07T09:30:00Z"))
	if err != nil || len(ws) != 1 || !ws[0].Start.Equal(mustTime(t, "2026-12-07T09:00:00Z")) {
		t.Fatalf("windows %v (%v): want the running Monday event", ws, err)
	}
}

func TestExcludedDatesAndUnknownZones(t *testing.T) {
	ev := repeating([]supportv1alpha1.Weekday{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}, "12:00", "Asia/Tokyo", "2026-12-31")
	ws, err := Windows(ev, mustTime(t, "2026-12-29T00:00:00Z"), mustTime(t, "2027-01-02T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Start.In(must(Location(ev.Repeat))).Format(time.DateOnly) == "2026-12-31" {
			t.Errorf("an excluded date fired: %v", w.Start)
		}
	}
	if len(ws) != 3 { // 29, 30 December and 1 January (Tokyo); the 31st excluded
		t.Errorf("%d windows, want 3: %v", len(ws), ws)
	}
	ev.Repeat.TimeZone = "Mars/Olympus_Mons"
	if _, err := Windows(ev, time.Now(), time.Now()); err == nil {
		t.Error("an unknown zone was accepted")
	}
	if _, errs := Open([]supportv1alpha1.ScheduledEvent{ev}, time.Now()); len(errs) != 1 {
		t.Errorf("Open: %d errors, want the unknown zone's", len(errs))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestOneOffOpenAndNext(t *testing.T) {
	start := mustTime(t, "2026-12-10T12:00:00Z")
	listing := supportv1alpha1.ScheduledEvent{Name: "listing", At: &metav1.Time{Time: start}, Duration: metav1.Duration{Duration: time.Hour},
		LeadTime: metav1.Duration{Duration: 15 * time.Minute}, Ramp: &metav1.Duration{Duration: 10 * time.Minute}}
	weekly := repeating([]supportv1alpha1.Weekday{"Friday"}, "12:00", "UTC")
	events := []supportv1alpha1.ScheduledEvent{listing, weekly}
	for _, tc := range []struct {
		now      string
		open     []string
		next     string
		nextOpen bool
	}{
		{"2026-12-10T11:00:00Z", nil, "listing", true},
		{"2026-12-10T11:34:29Z", nil, "listing", true},
		{"2026-12-10T11:34:30Z", []string{"listing"}, "cpi", true}, // ready 11:45, sized 11:44:30, ramp from 11:34:30
		{"2026-12-10T12:59:59Z", []string{"listing"}, "cpi", true},
		{"2026-12-10T13:00:00Z", nil, "cpi", true},
		{"2026-12-11T11:50:00Z", []string{"cpi"}, "cpi", true},
	} {
		now := mustTime(t, tc.now)
		open, errs := Open(events, now)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		var names []string
		for _, w := range open {
			names = append(names, w.Event)
		}
		if len(names) != len(tc.open) || (len(names) > 0 && names[0] != tc.open[0]) {
			t.Errorf("%s: open %v, want %v", tc.now, names, tc.open)
		}
		if n, ok := Next(events, now); ok != tc.nextOpen || n.Event != tc.next || !n.Opens.After(now) {
			t.Errorf("%s: next %+v (%v), want %s", tc.now, n, ok, tc.next)
		}
	}
}

// Over the ramp capacity rises in a straight line from the usual inflow;
// from readyBy to the end it is sized for the expected inflow.
func TestSizedForRampsThenHolds(t *testing.T) {
	start := mustTime(t, "2026-12-10T12:00:00Z")
	ready := start.Add(-15 * time.Minute)
	w := Window{Opens: ready.Add(-10*time.Minute - ScaleAhead), ReadyBy: ready, Start: start, End: start.Add(time.Hour)}
	usual := 500.0
	at := func(d time.Duration) time.Duration { return -15*time.Minute - ScaleAhead + d }
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{{at(-11 * time.Minute), 0}, {at(-10 * time.Minute), 500}, {at(-5 * time.Minute), 1750}, {at(0), 3000}, {-15 * time.Minute, 3000}, {30 * time.Minute, 3000}, {time.Hour, 0}} {
		if got := SizedForPerHour(w, start.Add(tc.at), &usual, 3000); got != tc.want {
			t.Errorf("at %v: %v, want %v", tc.at, got, tc.want)
		}
	}
	if got := SizedForPerHour(w, start.Add(at(-5*time.Minute)), nil, 3000); got != 1500 {
		t.Errorf("ramp without a usual level: %v, want 1500 (from zero)", got)
	}
}

func TestExpectedPerHour(t *testing.T) {
	six := supportv1alpha1.Decimal("6")
	exp := supportv1alpha1.ExpectedInflow{Factor: &six, Queues: []supportv1alpha1.QueueExpectedInflow{{Queue: "vip", InflowPerHour: ptr(int64(90))}}}
	usual := 400.0
	for _, tc := range []struct {
		queue string
		usual *float64
		want  float64
		ok    bool
	}{{"chat", &usual, 2400, true}, {"chat", nil, 0, false}, {"vip", nil, 90, true}} {
		if got, ok := ExpectedPerHour(exp, tc.queue, tc.usual); got != tc.want || ok != tc.ok {
			t.Errorf("%s: %v %v, want %v %v", tc.queue, got, ok, tc.want, tc.ok)
		}
	}
}

// A queue is sized for the largest of what its plan's open events ask, as
// the plan's status records them; other queues and unknown expectations
// count for nothing.
func TestQueueInflowPerHour(t *testing.T) {
	start := mustTime(t, "2026-12-10T12:00:00Z")
	event := func(name string, opens time.Duration, queues ...supportv1alpha1.EventQueueInflow) supportv1alpha1.ScheduledEventStatus {
		return supportv1alpha1.ScheduledEventStatus{Name: name, Opens: metav1.NewTime(start.Add(opens)), ReadyBy: metav1.NewTime(start.Add(-15 * time.Minute)),
			Start: metav1.NewTime(start), End: metav1.NewTime(start.Add(time.Hour)), Queues: queues}
	}
	events := []supportv1alpha1.ScheduledEventStatus{
		event("listing", -15*time.Minute-ScaleAhead, supportv1alpha1.EventQueueInflow{Queue: "chat", InflowPerHour: ptr(int64(3000))},
			supportv1alpha1.EventQueueInflow{Queue: "email"}),
		event("cpi", -15*time.Minute-ScaleAhead, supportv1alpha1.EventQueueInflow{Queue: "chat", InflowPerHour: ptr(int64(1800))}),
	}
	for _, tc := range []struct {
		queue string
		at    time.Duration
		want  float64
	}{{"chat", -10 * time.Minute, 3000}, {"email", -10 * time.Minute, 0}, {"vip", -10 * time.Minute, 0}, {"chat", -20 * time.Minute, 0}, {"chat", 2 * time.Hour, 0}} {
		if got := QueueInflowPerHour(events, tc.queue, start.Add(tc.at)); got != tc.want {
			t.Errorf("%s at %v: %v, want %v", tc.queue, tc.at, got, tc.want)
		}
	}
}

// Status keeps each queue's usual inflow from when the window opened, so
// the event's own tickets do not raise a factor's expectation; a factor
// on a queue with no level waits for one; Running says what is under way.
func TestStatusKeepsTheUsualLevel(t *testing.T) {
	start := mustTime(t, "2026-12-10T12:00:00Z")
	six := supportv1alpha1.Decimal("6")
	spec := []supportv1alpha1.ScheduledEvent{{Name: "listing", At: &metav1.Time{Time: start}, Duration: metav1.Duration{Duration: time.Hour},
		LeadTime: metav1.Duration{Duration: 15 * time.Minute}, Expect: supportv1alpha1.ExpectedInflow{Factor: &six}}}
	opened := start.Add(-10 * time.Minute)
	open, _ := Open(spec, opened)
	first := Status(spec, nil, open, []QueueLevel{{Queue: "chat", PerHour: ptr(int64(500))}, {Queue: "new"}}, opened)
	if len(first) != 1 || first[0].Stage != supportv1alpha1.EventPreparing || len(first[0].Queues) != 2 {
		t.Fatalf("status %+v: want one preparing event over two queues", first)
	}
	if q := first[0].Queues[0]; q.InflowPerHour == nil || *q.InflowPerHour != 3000 {
		t.Errorf("chat %+v: want 6 × 500", q)
	}
	if q := first[0].Queues[1]; q.InflowPerHour != nil {
		t.Errorf("new %+v: a factor without a level must wait", q)
	}
	during := start.Add(10 * time.Minute)
	open, _ = Open(spec, during)
	later := Status(spec, first, open, []QueueLevel{{Queue: "chat", PerHour: ptr(int64(2900))}, {Queue: "new", PerHour: ptr(int64(100))}}, during)
	if q := later[0].Queues[0]; later[0].Stage != supportv1alpha1.EventRunning || q.InflowPerHour == nil || *q.InflowPerHour != 3000 {
		t.Errorf("chat during the event %+v (%s): want 3000 still", q, later[0].Stage)
	}
	if q := later[0].Queues[1]; q.InflowPerHour == nil || *q.InflowPerHour != 600 {
		t.Errorf("new once measured %+v: want 6 × 100", q)
	}
	if got := Running(open, during); got != "listing (until 2026-12-10T13:00:00Z)" {
		t.Errorf("running %q", got)
	}
}

// Package sim replays ticket traffic against a queue, its SLA policy and its
// surge plans with the operator's own decision code (internal/scaling,
// internal/surge, internal/capacity) on a discrete-event queue, and against
// baseline policies, to answer "would we have held the SLA, at what cost?".
package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/scenario"
)

// Point is one row of a trace: from At on, these values hold.
type Point struct {
	At            time.Duration
	InflowPerHour float64
	AHTSeconds    float64
	Volatility    *float64
	Backlog       *float64
}

// Trace is traffic over time, sorted by At.
type Trace []Point

// At returns the point in force at t.
func (tr Trace) At(t time.Duration) Point {
	// The last row at or before t (the first when t precedes them all).
	i := sort.Search(len(tr), func(i int) bool { return tr[i].At > t })
	return tr[max(i-1, 0)]
}

// Length is the time of the last point plus one step.
func (tr Trace) Length() time.Duration {
	if len(tr) < 2 {
		return time.Hour
	}
	return tr[len(tr)-1].At + (tr[1].At - tr[0].At)
}

// ParseTrace reads the trace CSV (a stable format): a header naming time, inflow_per_hour,
// aht_seconds, and optionally volatility and backlog. time is RFC 3339 or
// seconds from the start. Errors name the line.
func ParseTrace(r io.Reader) (Trace, error) {
	rd := csv.NewReader(r)
	rd.TrimLeadingSpace = true
	header, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: reading header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, need := range []string{"time", "inflow_per_hour", "aht_seconds"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("line 1: missing column %q (want time, inflow_per_hour, aht_seconds[, volatility, backlog])", need)
		}
	}
	rd.FieldsPerRecord = len(header)
	var tr Trace
	var start time.Time
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		p, err := parsePoint(rec, col, &start)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if n := len(tr); n > 0 && p.At <= tr[n-1].At {
			return nil, fmt.Errorf("line %d: time %s is not after the previous row's %s (rows must be sorted)", line, p.At, tr[n-1].At)
		}
		tr = append(tr, p)
	}
	if len(tr) == 0 {
		return nil, errors.New("line 2: the trace has no rows")
	}
	return tr, nil
}

func parsePoint(rec []string, col map[string]int, start *time.Time) (Point, error) {
	var p Point
	ts := strings.TrimSpace(rec[col["time"]])
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		if start.IsZero() {
			*start = t
		}
		p.At = t.Sub(*start)
	} else if s, err := strconv.ParseFloat(ts, 64); err == nil && s >= 0 {
		p.At = time.Duration(s * float64(time.Second))
	} else {
		return p, fmt.Errorf("time %q is neither RFC 3339 nor seconds from the start", ts)
	}
	num := func(name string, positive bool) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[col[name]]), 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			return 0, fmt.Errorf("%s %q is not a number", name, rec[col[name]])
		case v < 0 || positive && v == 0:
			return 0, fmt.Errorf("%s %v must be %s", name, v, map[bool]string{true: "positive", false: "zero or more"}[positive])
		}
		return v, nil
	}
	var err error
	if p.InflowPerHour, err = num("inflow_per_hour", false); err != nil {
		return p, err
	}
	if p.AHTSeconds, err = num("aht_seconds", true); err != nil {
		return p, err
	}
	for name, dst := range map[string]**float64{"volatility": &p.Volatility, "backlog": &p.Backlog} {
		if i, ok := col[name]; ok && strings.TrimSpace(rec[i]) != "" {
			v, err := num(name, false)
			if err != nil {
				return p, err
			}
			*dst = &v
		}
	}
	return p, nil
}

// builtinStep is the scenarios' own resolution: noisy jitters every 5 s,
// and a coarser sampling would hand foresight a rate it can follow.
const builtinStep = 5 * time.Second

// BuiltinTrace samples a named scenario every 5 s around a base inflow and
// handle time. The volatility column is the BTC price move over the last
// ten minutes, as the sample plan's external trigger reads it.
func BuiltinTrace(name string, baseInflowPerHour, ahtSeconds float64, seed uint64) (Trace, error) {
	sc, err := scenario.NewScenario(name, seed)
	if err != nil {
		return nil, err
	}
	length := sc.Length()
	if length == 0 {
		length = time.Hour
	}
	length += 45 * time.Minute // the tail: calm again, long enough for plans to cool down
	var tr Trace
	for t := time.Duration(0); t < length; t += builtinStep {
		m, price, _ := sc.At(t)
		_, before, _ := sc.At(max(t-10*time.Minute, 0))
		vol := math.Abs(price-before) / price
		tr = append(tr, Point{At: t, InflowPerHour: baseInflowPerHour * m, AHTSeconds: ahtSeconds, Volatility: &vol})
	}
	return tr, nil
}

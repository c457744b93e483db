package metrics

import (
	dto "github.com/prometheus/client_model/go"
)

// Value reads one sample back from the registry, the way a scrape would
// see it: the series of family name whose labels include every given
// pair. For a summary, name its _sum or _count. ok is false when no
// series matches.
func (m *Metrics) Value(name string, labels ...string) (v float64, ok bool) {
	families, err := m.Registry.Gather()
	if err != nil {
		return 0, false
	}
	for _, f := range families {
		part, ok := familyPart(f.GetName(), name)
		if !ok {
			continue
		}
		for _, s := range f.GetMetric() {
			if hasLabels(s, labels) {
				return sampleValue(s, part), true
			}
		}
	}
	return 0, false
}

// Count is the number of series in a family.
func (m *Metrics) Count(name string) int {
	families, err := m.Registry.Gather()
	if err != nil {
		return 0
	}
	for _, f := range families {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}

// familyPart matches a sample name to a family: itself, or its summary's
// _sum or _count.
func familyPart(family, name string) (string, bool) {
	switch name {
	case family:
		return "", true
	case family + "_sum":
		return "_sum", true
	case family + "_count":
		return "_count", true
	}
	return "", false
}

func hasLabels(s *dto.Metric, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range s.GetLabel() {
			if l.GetName() == pairs[i] && l.GetValue() == pairs[i+1] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func sampleValue(s *dto.Metric, part string) float64 {
	switch {
	case s.Counter != nil:
		return s.Counter.GetValue()
	case s.Gauge != nil:
		return s.Gauge.GetValue()
	case s.Summary != nil && part == "_sum":
		return s.Summary.GetSampleSum()
	case s.Summary != nil:
		return float64(s.Summary.GetSampleCount())
	case s.Histogram != nil:
		return float64(s.Histogram.GetSampleCount())
	case s.Untyped != nil:
		return s.Untyped.GetValue()
	}
	return 0
}

package capacity

import "math"

// ErlangB is the blocking probability of N servers offered A Erlangs,
// computed by the recursion that stays finite for any load.
func ErlangB(servers int, load float64) (float64, error) {
	if servers < 0 {
		return 0, invalid("servers", float64(servers), "must be zero or more")
	}
	if !finite(load) || load < 0 {
		return 0, invalid("offered load", load, "must be a finite number of Erlangs, zero or more")
	}
	b := 1.0
	for k := 1; k <= servers; k++ {
		b = nextErlangB(b, k, load)
	}
	return b, nil
}

// nextErlangB extends the recursion from k−1 to k servers.
func nextErlangB(prev float64, k int, load float64) float64 {
	ab := load * prev
	return ab / (float64(k) + ab)
}

// erlangCFromB converts Erlang B to Erlang C (probability of waiting).
// Callers guarantee servers > load.
func erlangCFromB(b float64, servers int, load float64) float64 {
	n := float64(servers)
	return n * b / (n - load*(1-b))
}

// ErlangC is the probability that a contact waits, for N > A servers.
func ErlangC(servers int, load float64) (float64, error) {
	b, err := ErlangB(servers, load)
	if err != nil {
		return 0, err
	}
	if float64(servers) <= load {
		return 0, invalid("servers", float64(servers), "must exceed the offered load, or the queue grows without bound")
	}
	return erlangCFromB(b, servers, load), nil
}

// Metrics are the predicted figures of a queue at a given staffing.
type Metrics struct {
	// ServiceLevel is the share of contacts answered within the target time.
	ServiceLevel float64
	// ASASeconds is the average speed of answer.
	ASASeconds float64
	// Occupancy is the share of server time busy with contacts.
	Occupancy float64
	// WaitProbability is Erlang C: the share of contacts that wait at all.
	WaitProbability float64
}

// metricsFromC computes service level, ASA and occupancy from Erlang C.
func metricsFromC(c float64, servers int, load, ahtSeconds, targetSeconds float64) Metrics {
	n := float64(servers)
	return Metrics{
		ServiceLevel:    1 - c*math.Exp(-(n-load)*targetSeconds/ahtSeconds),
		ASASeconds:      c * ahtSeconds / (n - load),
		Occupancy:       load / n,
		WaitProbability: c,
	}
}

// Evaluate predicts service level, ASA and occupancy for N servers offered
// A Erlangs with the given handle time and answer-time target. With N ≤ A
// the queue is unstable: service level 0, infinite ASA, occupancy 1.
func Evaluate(servers int, load, ahtSeconds, targetSeconds float64) (Metrics, error) {
	switch {
	case !finite(ahtSeconds) || ahtSeconds <= 0:
		return Metrics{}, invalid("handle time", ahtSeconds, "must be a positive number of seconds")
	case !finite(targetSeconds) || targetSeconds < 0:
		return Metrics{}, invalid("target time", targetSeconds, "must be zero or more seconds")
	}
	b, err := ErlangB(servers, load)
	if err != nil {
		return Metrics{}, err
	}
	if load == 0 {
		return Metrics{ServiceLevel: 1}, nil
	}
	if float64(servers) <= load {
		return Metrics{ServiceLevel: 0, ASASeconds: math.Inf(1), Occupancy: 1, WaitProbability: 1}, nil
	}
	return metricsFromC(erlangCFromB(b, servers, load), servers, load, ahtSeconds, targetSeconds), nil
}

package capacity

import "math"

// ErlangAResult are the M/M/N+M (Erlang A) figures of a queue whose
// customers give up after an exponential patience.
type ErlangAResult struct {
	// WaitProbability is the share of arrivals that find every server busy.
	WaitProbability float64
	// AbandonProbability is the share of arrivals that hang up before an
	// answer.
	AbandonProbability float64
	// ASASeconds is the mean time in queue over all arrivals.
	ASASeconds float64
	// Occupancy is the share of server time busy with answered contacts.
	Occupancy float64
}

// ErlangA solves the birth-death chain of N servers with arrivals λ, handle
// time AHT and mean patience P. States up to N use Erlang B (so no overflow
// at any load); states above N are summed until their terms vanish. Unlike
// Erlang C it is stable for any N ≥ 1, even N ≤ A, because abandonment
// bounds the queue.
func ErlangA(servers int, arrivalsPerSecond, ahtSeconds, patienceSeconds float64) (ErlangAResult, error) {
	switch {
	case servers < 1:
		return ErlangAResult{}, invalid("servers", float64(servers), "must be at least 1")
	case servers > maxServers:
		return ErlangAResult{}, invalid("servers", float64(servers), "is beyond what this model sizes (10 million)")
	case !finite(arrivalsPerSecond) || arrivalsPerSecond < 0:
		return ErlangAResult{}, invalid("inflow", arrivalsPerSecond, "must be a finite rate, zero or more")
	case !finite(ahtSeconds) || ahtSeconds <= 0:
		return ErlangAResult{}, invalid("handle time", ahtSeconds, "must be a positive number of seconds")
	case !finite(patienceSeconds) || patienceSeconds <= 0:
		return ErlangAResult{}, invalid("patience", patienceSeconds, "must be a positive number of seconds")
	}
	if arrivalsPerSecond == 0 {
		return ErlangAResult{}, nil
	}
	load := arrivalsPerSecond * ahtSeconds
	if !finite(load) || load >= maxServers {
		return ErlangAResult{}, invalid("offered load", load, "is beyond what this model sizes (10 million Erlangs)")
	}
	b, err := ErlangB(servers, load)
	if err != nil {
		return ErlangAResult{}, err
	}
	// Terms above N relative to π_N: q_j = Π_{i=1..j} λ / (Nμ + iθ).
	mu, theta := 1/ahtSeconds, 1/patienceSeconds
	nmu := float64(servers) * mu
	// q grows past float64's range when λ ≫ Nμ, so sums are kept scaled
	// by e^logScale.
	var sumQ, sumJQ, logScale float64
	q := 1.0
	// The terms grow while λ > Nμ + jθ and then fall geometrically; stop
	// once past the peak and negligible. The cap is a safety net.
	peak := math.Max(0, (arrivalsPerSecond-nmu)/theta)
	for j := 1; j <= maxServers; j++ {
		q *= arrivalsPerSecond / (nmu + float64(j)*theta)
		sumQ += q
		sumJQ += float64(j) * q
		if q > 1e200 {
			q, sumQ, sumJQ = q*1e-200, sumQ*1e-200, sumJQ*1e-200
			logScale += 200 * math.Ln10
		}
		if float64(j) > peak && q < 1e-17*sumQ {
			break
		}
	}
	// π_N = 1 / (1/B + Σq); with the scale S: divide through by S.
	invBS := math.Exp(-math.Log(b) - logScale)
	denom := invBS + sumQ
	lq := sumJQ / denom
	abandon := math.Min(1, theta*lq/arrivalsPerSecond)
	return ErlangAResult{
		WaitProbability:    math.Min(1, (math.Exp(-logScale)+sumQ)/denom),
		AbandonProbability: abandon,
		ASASeconds:         lq / arrivalsPerSecond,
		Occupancy:          math.Min(1, arrivalsPerSecond*(1-abandon)*ahtSeconds/float64(servers)),
	}, nil
}

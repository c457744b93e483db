package metrics

// Outcome is how one webhook request ended.
type Outcome uint8

// Outcomes; each is a value of frontline_ingest_requests_total{outcome}.
const (
	OutcomeAccepted      Outcome = iota // counted
	OutcomeDuplicate                    // a retry of a counted delivery
	OutcomeIgnored                      // authentic, but not an event Frontline counts
	OutcomeUnrouted                     // authentic event, no rule matched
	OutcomeBadSignature                 // missing or wrong signature/credentials
	OutcomeStale                        // signed timestamp outside the tolerance
	OutcomeMalformed                    // body is not what the vendor sends
	OutcomeTooLarge                     // body over the limit
	OutcomeUnknownSource                // no source of that name
	OutcomeBadMethod                    // not a POST
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	"accepted", "duplicate", "ignored", "unrouted", "bad_signature", "stale",
	"malformed", "too_large", "unknown_source", "method_not_allowed",
}

func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return "unknown"
}

package sources

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
)

// Source is what a queue or plan reads: a named source, or an address the
// allow-list admits (no name, no credentials).
type Source struct {
	// Name is the source's name; empty for an allow-listed address.
	Name    string
	Address string
	Tenancy Tenancy
	// Client is how it is reached: headers, credentials, TLS, limits.
	Client metrics.ClientOptions
}

// Label names the source in the operator's metrics and logs: its name, or
// the scheme and host of an allow-listed address, never a credential.
func (s Source) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return metrics.SourceLabel(s.Address)
}

// Set is one loaded configuration: the named sources and the allow-list.
type Set struct {
	named   map[string]Source
	allowed []addressRule
}

// Names lists the named sources, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.named))
	for n := range s.named {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Refusal is why a queue's or plan's source is not read, for its
// conditions and Events: a reason and a message a tenant can act on,
// holding no credential, file path or address.
type Refusal struct {
	Reason  string
	Message string
}

func (r *Refusal) Error() string { return r.Message }

// Ref is the source a queue or plan names, normalised so that equal
// choices are equal values (they share a poll group and a client): no
// prometheus at all is the source named "default".
func Ref(p *supportv1alpha1.PrometheusSource) supportv1alpha1.PrometheusSource {
	if p == nil || p.Source == "" && p.Address == "" {
		return supportv1alpha1.PrometheusSource{Source: DefaultName}
	}
	return *p
}

// Resolve finds what a reference reads, or a Refusal: a name the platform
// did not define (SourceNotFound), an address its allow-list does not
// admit (SourceNotAllowed).
func (s *Set) Resolve(ref supportv1alpha1.PrometheusSource) (Source, error) {
	ref = Ref(&ref)
	if ref.Source != "" {
		if src, ok := s.named[ref.Source]; ok {
			return src, nil
		}
		return Source{}, &Refusal{Reason: supportv1alpha1.ReasonSourceNotFound,
			Message: fmt.Sprintf("metrics source %q is not defined by the platform team (defined: %s)", ref.Source, s.defined())}
	}
	for _, rule := range s.allowed {
		if rule.admits(ref.Address) {
			return Source{Address: ref.Address, Tenancy: TenancyTenant}, nil
		}
	}
	msg := "prometheus.address is not among the addresses the platform team allows: name a source in prometheus.source instead"
	if name := s.nameOf(ref.Address); name != "" {
		msg += fmt.Sprintf(` (source %q reads this address)`, name)
	} else {
		msg += fmt.Sprintf(" (defined: %s)", s.defined())
	}
	return Source{}, &Refusal{Reason: supportv1alpha1.ReasonSourceNotAllowed, Message: msg}
}

// defined lists the named sources for a message, at most ten.
func (s *Set) defined() string {
	names := s.Names()
	switch {
	case len(names) == 0:
		return "none"
	case len(names) > 10:
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// nameOf is the named source at exactly this address, to point a queue
// that still writes the address at the name to use instead.
func (s *Set) nameOf(address string) string {
	for _, n := range s.Names() {
		if s.named[n].Address == address {
			return n
		}
	}
	return ""
}

// climbs: a ".." path segment would leave the admitted path on the
// server's side.
func climbs(address string) bool {
	u, err := url.Parse(address)
	return err != nil || slices.Contains(strings.Split(u.Path, "/"), "..")
}

// addressRule is a compiled AddressRule.
type addressRule struct {
	prefix string
	re     *regexp.Regexp
}

func ruleOf(r AddressRule) (addressRule, error) {
	switch {
	case (r.Prefix == "") == (r.Regex == ""):
		return addressRule{}, fmt.Errorf("set exactly one of prefix or regex")
	case r.Prefix != "":
		if err := checkAddress(r.Prefix, false); err != nil {
			return addressRule{}, fmt.Errorf("prefix: %w", err)
		}
		return addressRule{prefix: r.Prefix}, nil
	}
	// Anchored: an unanchored "prometheus\.team-a" would admit
	// http://evil.example/?prometheus.team-a.
	re, err := regexp.Compile(`^(?:` + r.Regex + `)$`)
	if err != nil {
		return addressRule{}, fmt.Errorf("regex: %w", err)
	}
	return addressRule{re: re}, nil
}

// admits: a regex must match the whole address; a prefix admits the
// address itself and paths below it, so "http://prom.team-a:9090" admits
// neither "http://prom.team-a:90901" nor "http://prom.team-a:9090.evil.example".
func (r addressRule) admits(address string) bool {
	if climbs(address) {
		return false
	}
	if r.re != nil {
		return r.re.MatchString(address)
	}
	rest, ok := strings.CutPrefix(address, r.prefix)
	return ok && (rest == "" || strings.HasPrefix(rest, "/") || strings.HasSuffix(r.prefix, "/"))
}

// Package tenancy confines PromQL written in a namespaced object (a
// queue's query overrides, a plan's external triggers) to that object's
// namespace when the source is tenant-scoped: every series selector gets
// the matcher namespace="<ns>", injected into the parsed query by
// prom-label-proxy's enforcer (the code Prometheus-as-a-service
// deployments put in front of shared Prometheus), never by editing the
// string. A selector that names another namespace is refused rather than
// rewritten, so a tenant learns that the query cannot read it.
package tenancy

import (
	"errors"
	"fmt"

	"github.com/prometheus-community/prom-label-proxy/injectproxy"
	"github.com/prometheus/prometheus/model/labels"
)

// NamespaceLabel is the label a tenant-scoped source's series carry:
// Frontline's ticket series carry it, as do the series of most
// Kubernetes exporters.
const NamespaceLabel = "namespace"

// Error is a query that cannot be confined, in words for a condition.
type Error struct{ Reason string }

func (e *Error) Error() string { return e.Reason }

// Confine returns query reading only series of namespace ns.
func Confine(query, ns string) (string, error) {
	if ns == "" {
		return "", &Error{Reason: "no namespace to confine the query to"}
	}
	e := injectproxy.NewPromQLEnforcer(true, &labels.Matcher{Type: labels.MatchEqual, Name: NamespaceLabel, Value: ns})
	out, err := e.Enforce(query)
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, injectproxy.ErrQueryParse):
		return "", &Error{Reason: "the query is not valid PromQL"}
	case errors.Is(err, injectproxy.ErrIllegalLabelMatcher):
		return "", &Error{Reason: fmt.Sprintf("the query selects series outside namespace %q; on this source a query reads its own namespace only", ns)}
	}
	return "", &Error{Reason: "the query cannot be confined to the namespace"}
}

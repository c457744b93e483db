package tenancy

import (
	"errors"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Every selector of a confined query reads the namespace only, whatever
// the query's shape; a selector naming another namespace is refused.
func TestConfine(t *testing.T) {
	for _, tc := range []struct {
		query   string
		refused bool
	}{
		{`sum(frontline_queue_backlog{queue="vip"})`, false},
		{`max(exchange_price)`, false},
		{`sum(rate(x[5m])) / sum(rate(y{namespace="a"}[5m]))`, false},
		{`up{namespace=~".+"}`, false},
		{`up{namespace!="b"}`, false},
		{`sum by (namespace) (up) or on() vector(1)`, false},
		{`max(x) > bool 0 unless absent(y{job="z"})`, false},
		{`sum(up{namespace="b"})`, true},
		{`up{namespace=~"b|c"}`, true},
		{`up{namespace!="a"}`, true},
		{`sum(up{`, true},
	} {
		out, err := Confine(tc.query, "a")
		if tc.refused {
			var te *Error
			if err == nil || !errors.As(err, &te) {
				t.Errorf("%s: confined to %q, want refused", tc.query, out)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		expr, err := parser.ParseExpr(out)
		if err != nil {
			t.Fatalf("%s: the confined query %q does not parse: %v", tc.query, out, err)
		}
		selectors := 0
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			vs, ok := n.(*parser.VectorSelector)
			if !ok {
				return nil
			}
			selectors++
			confined := false
			for _, m := range vs.LabelMatchers {
				if m.Name == NamespaceLabel && m.Type == labels.MatchEqual && m.Value == "a" {
					confined = true
				}
				if m.Name == NamespaceLabel && !m.Matches("a") {
					t.Errorf("%s: selector %s excludes its own namespace", tc.query, vs)
				}
			}
			if !confined {
				t.Errorf("%s: selector %s is not confined to namespace a (%s)", tc.query, vs, out)
			}
			return nil
		})
		if selectors == 0 && tc.query != "" {
			t.Logf("%s: no selector", tc.query)
		}
	}
	if _, err := Confine("up", ""); err == nil {
		t.Error("confined to no namespace")
	}
}

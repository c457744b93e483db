package sources

import (
	"errors"
	"strings"
	"testing"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

func testSet(t *testing.T) *Set {
	t.Helper()
	set, err := Build([]byte(`
sources:
- {name: mimir, address: "http://mimir:8080/prometheus", headers: {X-Scope-OrgID: support}}
- {name: market, address: "http://prices:9090", tenancy: Shared}
allowedAddresses:
- prefix: http://prometheus.team-a:9090
- prefix: http://thanos.team-b:10902/api/
- regex: 'https://prom\.[a-z0-9-]+\.svc:9090'
`), "http://prometheus.monitoring:9090")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestResolve: a name the platform defined is read with its settings; an
// address only if the allow-list admits it, without credentials; anything
// else is refused with a reason and a message that names no credential.
func TestResolve(t *testing.T) {
	set := testSet(t)
	for _, tc := range []struct {
		name    string
		ref     *supportv1alpha1.PrometheusSource
		address string // read, or
		reason  string // refused
		says    string
	}{
		{"nothing is the default", nil, "http://prometheus.monitoring:9090", "", ""},
		{"empty is the default", &supportv1alpha1.PrometheusSource{}, "http://prometheus.monitoring:9090", "", ""},
		{"named default", &supportv1alpha1.PrometheusSource{Source: "default"}, "http://prometheus.monitoring:9090", "", ""},
		{"named", &supportv1alpha1.PrometheusSource{Source: "mimir"}, "http://mimir:8080/prometheus", "", ""},
		{"unknown name", &supportv1alpha1.PrometheusSource{Source: "mimr"}, "", supportv1alpha1.ReasonSourceNotFound,
			`metrics source "mimr" is not defined by the platform team (defined: default, market, mimir)`},
		{"prefix: the address itself", &supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:9090"}, "http://prometheus.team-a:9090", "", ""},
		{"prefix: a path below", &supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:9090/prom"}, "http://prometheus.team-a:9090/prom", "", ""},
		{"prefix: another port", &supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:90901"}, "", supportv1alpha1.ReasonSourceNotAllowed, "not among the addresses"},
		{"prefix: another host", &supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:9090.evil.example"}, "", supportv1alpha1.ReasonSourceNotAllowed, ""},
		{"prefix: user info", &supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:9090@evil.example"}, "", supportv1alpha1.ReasonSourceNotAllowed, ""},
		{"prefix with slash: below", &supportv1alpha1.PrometheusSource{Address: "http://thanos.team-b:10902/api/v1"}, "http://thanos.team-b:10902/api/v1", "", ""},
		{"prefix: climbing out", &supportv1alpha1.PrometheusSource{Address: "http://thanos.team-b:10902/api/../admin"}, "", supportv1alpha1.ReasonSourceNotAllowed, ""},
		{"regex: whole match", &supportv1alpha1.PrometheusSource{Address: "https://prom.team-c.svc:9090"}, "https://prom.team-c.svc:9090", "", ""},
		{"regex: anchored", &supportv1alpha1.PrometheusSource{Address: "https://evil.example/?https://prom.team-c.svc:9090"}, "", supportv1alpha1.ReasonSourceNotAllowed, ""},
		{"the cluster's metadata endpoint", &supportv1alpha1.PrometheusSource{Address: "http://169.254.169.254/latest"}, "", supportv1alpha1.ReasonSourceNotAllowed, "(defined: default, market, mimir)"},
		{"an address a source reads", &supportv1alpha1.PrometheusSource{Address: "http://mimir:8080/prometheus"}, "", supportv1alpha1.ReasonSourceNotAllowed,
			`name a source in prometheus.source instead (source "mimir" reads this address)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := set.Resolve(Ref(tc.ref))
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if src.Address != tc.address {
					t.Errorf("reads %s, want %s", src.Address, tc.address)
				}
				return
			}
			var refused *Refusal
			if !errors.As(err, &refused) || refused.Reason != tc.reason {
				t.Fatalf("got %+v, %v; want refused with %s", src, err, tc.reason)
			}
			if !strings.Contains(refused.Message, tc.says) {
				t.Errorf("message %q does not say %q", refused.Message, tc.says)
			}
		})
	}
}

// An allow-listed address is read as the tenant wrote it: none of a named
// source's headers or credentials, tenant-scoped.
func TestAllowedAddressGetsNoCredentials(t *testing.T) {
	src, err := testSet(t).Resolve(supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:9090"})
	if err != nil {
		t.Fatal(err)
	}
	if src.Name != "" || src.Tenancy != TenancyTenant || src.Client.Headers != nil || src.Client.BearerTokenFile != "" || src.Client.BasicAuth != nil || src.Client.TLS != nil {
		t.Errorf("allowed address resolved to %+v", src)
	}
	if got := src.Label(); got != "http://prometheus.team-a:9090" {
		t.Errorf("label %q", got)
	}
	if got := (Source{Name: "mimir", Address: "http://u:p@mimir"}).Label(); got != "mimir" {
		t.Errorf("a named source's label is %q, want its name", got)
	}
}

func TestNoAddressAllowedByDefault(t *testing.T) {
	set, err := Build(nil, "http://prometheus.monitoring:9090")
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Resolve(supportv1alpha1.PrometheusSource{Address: "http://prometheus.monitoring:9090"})
	var refused *Refusal
	if !errors.As(err, &refused) || refused.Reason != supportv1alpha1.ReasonSourceNotAllowed || !strings.Contains(refused.Message, `source "default" reads this address`) {
		t.Errorf("the default's own address written in a queue: %v", err)
	}
}

package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secretFiles writes a token, a password and returns their directory.
func secretFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"token": "s3cr3t-token\n", "password": "pw\n", "empty": "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBuildRefusesWhatCannotWork: every mistake a platform team can make
// in the file stops the operator at start with an error that names the
// source and the field.
func TestBuildRefusesWhatCannotWork(t *testing.T) {
	dir := secretFiles(t)
	for _, tc := range []struct {
		name string
		file string
		says []string
	}{
		{"unknown field", `
sources:
- name: thanos
  address: https://thanos.monitoring:10902
  bearerTokenFiel: /x`, []string{`unknown field "sources[0].bearerTokenFiel"`}},
		{"unknown top-level field", `
source: []`, []string{`unknown field "source"`}},
		{"repeated field", `
sources:
- name: a
  name: b
  address: http://a:9090`, []string{`"name" already set`}},
		{"duplicate name", `
sources:
- {name: mimir, address: http://mimir:8080/prometheus}
- {name: mimir, address: http://mimir-2:8080/prometheus}`, []string{`sources[1]: name "mimir" is defined twice`}},
		{"bad tenancy", `
sources:
- {name: mimir, address: http://mimir:8080, tenancy: Namespace}`, []string{"sources[0] (mimir)", `tenancy "Namespace" is not Tenant or Shared`}},
		{"tenancy a YAML 1.1 boolean", `
sources:
- {name: mimir, address: http://mimir:8080, tenancy: yes}`, []string{"cannot unmarshal bool"}},
		{"missing credential file", `
sources:
- {name: thanos, address: https://thanos:10902, bearerTokenFile: ` + dir + `/missing}`, []string{"sources[0] (thanos)", "bearerTokenFile", dir + "/missing", "no such file"}},
		{"empty password file", `
sources:
- name: prom
  address: http://prom:9090
  basicAuth: {username: frontline, passwordFile: ` + dir + `/empty}`, []string{"sources[0] (prom)", "basicAuth.passwordFile", "is empty"}},
		{"missing CA file", `
sources:
- name: prom
  address: https://prom:9090
  tls: {caFile: ` + dir + `/ca.crt}`, []string{"tls: caFile", "no such file"}},
		{"CA file without a certificate", `
sources:
- name: prom
  address: https://prom:9090
  tls: {caFile: ` + dir + `/token}`, []string{"holds no PEM certificate"}},
		{"relative credential path", `
sources:
- {name: thanos, address: https://thanos:10902, bearerTokenFile: token}`, []string{"bearerTokenFile must be an absolute path"}},
		{"token and basic auth", `
sources:
- name: thanos
  address: https://thanos:10902
  bearerTokenFile: ` + dir + `/token
  basicAuth: {username: u, passwordFile: ` + dir + `/password}`, []string{"set bearerTokenFile or basicAuth, not both"}},
		{"credentials in the address", `
sources:
- {name: thanos, address: "https://u:p@thanos:10902"}`, []string{"address: must not hold credentials"}},
		{"not an http address", `
sources:
- {name: thanos, address: "thanos:10902"}`, []string{"address: must be an http or https URL"}},
		{"name not a DNS label", `
sources:
- {name: Thanos_EU, address: "https://thanos:10902"}`, []string{"name must be a DNS label"}},
		{"Authorization header", `
sources:
- name: thanos
  address: https://thanos:10902
  headers: {authorization: Bearer x}`, []string{"authorization may not be set here", "mounted Secret"}},
		{"header value with a newline", `
sources:
- name: mimir
  address: http://mimir:8080
  headers: {X-Scope-OrgID: "a\r\nX-Admin: 1"}`, []string{"the value of X-Scope-OrgID holds a control character"}},
		{"tls on http", `
sources:
- {name: prom, address: "http://prom:9090", tls: {insecureSkipVerify: true}}`, []string{"tls is set but the address is http://"}},
		{"certificate without key", `
sources:
- {name: prom, address: "https://prom:9090", tls: {certFile: /etc/tls/tls.crt}}`, []string{"tls.certFile and tls.keyFile go together"}},
		{"timeout out of bounds", `
sources:
- {name: prom, address: "http://prom:9090", queryTimeout: 1h}`, []string{"queryTimeout 1h0m0s is not between 1s and 5m0s"}},
		{"body limit out of bounds", `
sources:
- {name: prom, address: "http://prom:9090", bodyLimit: 1Gi}`, []string{"bodyLimit 1Gi is not between 64Ki and 256Mi"}},
		{"allow rule with both", `
allowedAddresses:
- {prefix: "http://prom:9090", regex: "http://.*"}`, []string{"allowedAddresses[0]: set exactly one of prefix or regex"}},
		{"allow rule bad regex", `
allowedAddresses:
- {regex: "http://(prom"}`, []string{"allowedAddresses[0]: regex: error parsing regexp"}},
		{"allow prefix not a URL", `
allowedAddresses:
- {prefix: "prom.team-a"}`, []string{"allowedAddresses[0]: prefix: must be an http or https URL"}},
		{"several problems at once", `
sources:
- {name: a, address: "ftp://a", tenancy: Mine}
allowedAddresses:
- {}`, []string{"address: must be an http", `tenancy "Mine"`, "allowedAddresses[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build([]byte(tc.file), "http://prometheus.monitoring:9090")
			if err == nil {
				t.Fatal("accepted")
			}
			t.Log(err)
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not say %q:\n%v", s, err)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t-token") {
				t.Errorf("error holds a credential: %v", err)
			}
		})
	}
}

func TestBuildReadsACompleteFile(t *testing.T) {
	dir := secretFiles(t)
	set, err := Build([]byte(`
sources:
- name: mimir
  address: http://mimir-query-frontend.mimir:8080/prometheus
  headers: {X-Scope-OrgID: support}
- name: thanos
  address: https://thanos-query.monitoring:10902
  tenancy: Shared
  bearerTokenFile: `+dir+`/token
  queryTimeout: 15s
  bodyLimit: 16Mi
- name: default
  address: http://prometheus-k8s.monitoring:9090
  basicAuth: {username: frontline, passwordFile: `+dir+`/password}
allowedAddresses:
- prefix: http://prometheus.team-a:9090
`), "http://ignored:9090")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.Names(), ","); got != "default,mimir,thanos" {
		t.Errorf("names %s", got)
	}
	m := set.named["mimir"]
	if m.Tenancy != TenancyTenant || m.Client.Headers["X-Scope-OrgID"] != "support" {
		t.Errorf("mimir %+v", m)
	}
	th := set.named["thanos"]
	if th.Tenancy != TenancyShared || th.Client.BearerTokenFile != dir+"/token" || th.Client.Timeout != 15*time.Second || th.Client.MaxBodyBytes != 16<<20 {
		t.Errorf("thanos %+v", th)
	}
	if d := set.named[DefaultName]; d.Address != "http://prometheus-k8s.monitoring:9090" || d.Client.BasicAuth == nil {
		t.Errorf("the file's default does not replace the flag's: %+v", d)
	}
}

// Zero config: no file, the flag's address is the default source.
func TestNoFileIsTheDefaultSourceOnly(t *testing.T) {
	set, err := Build(nil, "http://prometheus.monitoring:9090")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.Names(), ","); got != DefaultName {
		t.Errorf("names %s", got)
	}
	if _, err := Build(nil, "prometheus:9090"); err == nil || !strings.Contains(err.Error(), "--prometheus-address") {
		t.Errorf("a flag without a scheme: %v", err)
	}
}

func TestOpenNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sources.yaml")
	if err := os.WriteFile(path, []byte("sources:\n- {name: x, address: http://x:9090, tenancy: Private}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, "http://prometheus.monitoring:9090")
	if err == nil || !strings.Contains(err.Error(), "sources config "+path+": sources[0] (x)") {
		t.Errorf("error %v does not name the file and the source", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.yaml"), ""); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a missing file: %v", err)
	}
}

// Package sourceauth proves each way the platform's metrics sources
// authenticate against a real Prometheus, configured as the operator is,
// through a sources file: basic auth and mutual TLS by Prometheus's own
// --web.config.file, a bearer token (rotated while in use) and a tenant
// header through a loopback proxy that checks them, as Thanos behind an
// auth proxy and Mimir do. Right credentials give readings; wrong ones a
// SourceError that says unauthorized, and the queue's reason Unauthorized.
package sourceauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/test/promtest"
	"github.com/frontline-dev/frontline/test/testenv"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

// The queue whose ticket counter the simulator exports and Prometheus
// scrapes: a reading of it is the real poll path.
var queue = metrics.QueueKey{Namespace: "support", Name: "retail-chat"}

// The basic-auth password and its bcrypt hash (cost 4, so Prometheus
// checks it quickly), made once with golang.org/x/crypto/bcrypt; the
// module is not a dependency of Frontline for this one test constant.
const (
	password     = "right-password"
	passwordHash = "$2a$04$Adrxav8d6HoVgL9nckgosOMSkbzVeoAmtg7cLIOTtMXnb9z4Aej4i"
)

func startSim(t *testing.T) *ticketsim.Sim {
	t.Helper()
	sim, err := ticketsim.Start(100 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	sim.Set(queue.Namespace, queue.Name, ticketsim.Queue{InflowPerHour: 3600, Smooth: true})
	return sim
}

// startPrometheus runs a real Prometheus scraping sim, guarded as o says.
func startPrometheus(t *testing.T, sim *ticketsim.Sim, o promtest.Options) *promtest.Server {
	t.Helper()
	bin := promtest.BinaryFor(t)
	prom, err := promtest.StartWith(bin, t.TempDir(), []string{sim.Address()}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	return prom
}

// openSources writes a sources file and opens it as the operator does.
func openSources(t *testing.T, dir, content string) *sources.Registry {
	t.Helper()
	path := filepath.Join(dir, "sources.yaml")
	write(t, path, content)
	reg, err := sources.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// write replaces a file in one rename, as the kubelet updates a mounted
// Secret.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

func api(t *testing.T, reg *sources.Registry, name string) metrics.API {
	t.Helper()
	a, _, err := reg.API(&supportv1alpha1.PrometheusSource{Source: name})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// read polls the queue once, as the poller does.
func read(a metrics.API) metrics.Reading {
	req := metrics.Request{Key: queue, Lookback: 30 * time.Second, Inflow: inflow.Params{}.WithDefaults(), MaxSampleAge: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return metrics.Read(ctx, a, time.Now(), []metrics.Request{req}, metrics.NewEstimators())[queue]
}

// wantReadings: the source gives the queue a usable reading (once
// Prometheus has scraped the counter twice).
func wantReadings(t *testing.T, a metrics.API) {
	t.Helper()
	var r metrics.Reading
	testenv.Eventually(t, 30*time.Second, 250*time.Millisecond, func() error {
		if r = read(a); !r.Usable() {
			return fmt.Errorf("reading %s: %s", r.Reason, r.Message)
		}
		return nil
	})
	if perHour := *r.Inflow * 3600; perHour < 1000 || perHour > 20000 {
		t.Errorf("inflow %.0f/h read, the simulator sends 3600/h", perHour)
	}
}

// wantUnauthorized: a query fails with a SourceError marked Unauthorized
// that says so, and the queue's reading has reason Unauthorized; neither
// holds a credential or a file path.
func wantUnauthorized(t *testing.T, a metrics.API, says string, secrets ...string) {
	t.Helper()
	_, _, _, err := a.Query(context.Background(), "up", time.Now())
	var se *metrics.SourceError
	if !errors.As(err, &se) || !se.Unauthorized {
		t.Fatalf("query error %v (%T), want a SourceError marked Unauthorized", err, err)
	}
	r := read(a)
	if r.Usable() || r.Reason != supportv1alpha1.ReasonSourceUnauthorized {
		t.Fatalf("reading %q (%s), want reason %s", r.Reason, r.Message, supportv1alpha1.ReasonSourceUnauthorized)
	}
	for _, msg := range []string{se.Error(), r.Message} {
		if !strings.Contains(msg, says) {
			t.Errorf("%q does not say %q", msg, says)
		}
		for _, s := range secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%q holds %q", msg, s)
			}
		}
	}
}

func TestBasicAuth(t *testing.T) {
	t.Parallel() // each has its own Prometheus; most of the time is waiting for scrapes
	dir := t.TempDir()
	prom := startPrometheus(t, startSim(t), promtest.Options{
		WebConfig: "basic_auth_users:\n  frontline: " + passwordHash + "\n",
		Username:  "frontline", Password: password,
	})
	write(t, filepath.Join(dir, "password"), password+"\n")
	write(t, filepath.Join(dir, "wrong"), "wrong-password")
	reg := openSources(t, dir, fmt.Sprintf(`sources:
- {name: right, address: %[1]s, basicAuth: {username: frontline, passwordFile: %[2]s/password}}
- {name: wrong, address: %[1]s, basicAuth: {username: frontline, passwordFile: %[2]s/wrong}}
- {name: none, address: %[1]s}
`, prom.URL(), dir))

	wantReadings(t, api(t, reg, "right"))
	wantUnauthorized(t, api(t, reg, "wrong"), "unauthorized (HTTP 401)", "wrong-password", dir)
	wantUnauthorized(t, api(t, reg, "none"), "unauthorized (HTTP 401)")
}

// TestMutualTLS: Prometheus serves HTTPS with a certificate from a CA of
// the test's and requires a client certificate from the same CA. A
// client certificate rotated in its files is used without a new client.
func TestMutualTLS(t *testing.T) {
	t.Parallel() // each has its own Prometheus; most of the time is waiting for scrapes
	dir := t.TempDir()
	ca := newCA(t, "frontline test CA")
	other := newCA(t, "someone else's CA")
	ca.issue(t, dir, "server", x509.ExtKeyUsageServerAuth)
	ca.issue(t, dir, "client", x509.ExtKeyUsageClientAuth)
	other.issue(t, dir, "impostor", x509.ExtKeyUsageClientAuth)
	ca.writeCert(t, filepath.Join(dir, "ca.crt"))
	clientPair, err := tls.LoadX509KeyPair(filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key"))
	if err != nil {
		t.Fatal(err)
	}
	prom := startPrometheus(t, startSim(t), promtest.Options{
		WebConfig: fmt.Sprintf(`tls_server_config:
  cert_file: %[1]s/server.crt
  key_file: %[1]s/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: %[1]s/ca.crt
`, dir),
		ClientTLS: &tls.Config{RootCAs: ca.pool(), Certificates: []tls.Certificate{clientPair}, MinVersion: tls.VersionTLS12},
	})
	copyFile(t, filepath.Join(dir, "impostor.crt"), filepath.Join(dir, "rotating.crt"))
	copyFile(t, filepath.Join(dir, "impostor.key"), filepath.Join(dir, "rotating.key"))
	reg := openSources(t, dir, fmt.Sprintf(`sources:
- name: mtls
  address: %[1]s
  tls: {caFile: %[2]s/ca.crt, certFile: %[2]s/client.crt, keyFile: %[2]s/client.key}
- name: impostor
  address: %[1]s
  tls: {caFile: %[2]s/ca.crt, certFile: %[2]s/impostor.crt, keyFile: %[2]s/impostor.key}
- name: no-certificate
  address: %[1]s
  tls: {caFile: %[2]s/ca.crt}
- name: rotating
  address: %[1]s
  tls: {caFile: %[2]s/ca.crt, certFile: %[2]s/rotating.crt, keyFile: %[2]s/rotating.key}
- name: system-roots
  address: %[1]s
`, prom.URL(), dir))

	wantReadings(t, api(t, reg, "mtls"))
	wantUnauthorized(t, api(t, reg, "impostor"), "unauthorized: the source refused the client certificate", dir)
	wantUnauthorized(t, api(t, reg, "no-certificate"), "unauthorized: the source refused the client certificate", dir)

	// The server is not one the system trusts: not an authorization
	// failure, and said so.
	_, _, _, err = api(t, reg, "system-roots").Query(context.Background(), "up", time.Now())
	var se *metrics.SourceError
	if !errors.As(err, &se) || se.Unauthorized || !strings.Contains(se.Error(), "TLS certificate is not trusted") {
		t.Errorf("an untrusted server: %v", err)
	}

	rotating := api(t, reg, "rotating")
	wantUnauthorized(t, rotating, "refused the client certificate")
	copyFile(t, filepath.Join(dir, "client.crt"), filepath.Join(dir, "rotating.crt"))
	copyFile(t, filepath.Join(dir, "client.key"), filepath.Join(dir, "rotating.key"))
	wantReadings(t, rotating)
}

// TestBearerTokenRotation: a token rotated in its file while the source is
// in use is sent from the next query on, by the same client: no restart.
func TestBearerTokenRotation(t *testing.T) {
	t.Parallel() // each has its own Prometheus; most of the time is waiting for scrapes
	dir := t.TempDir()
	prom := startPrometheus(t, startSim(t), promtest.Options{})
	proxy := newGuard(t, prom.URL(), "Authorization", "Bearer token-1")
	tokenFile := filepath.Join(dir, "token")
	write(t, tokenFile, "token-1\n")
	reg := openSources(t, dir, fmt.Sprintf(`sources:
- {name: thanos, address: %s, tenancy: Shared, bearerTokenFile: %s}
`, proxy.url(), tokenFile))
	thanos := api(t, reg, "thanos")
	wantReadings(t, thanos)

	proxy.expect("Bearer token-2") // the platform rotated the token; the Secret lags
	wantUnauthorized(t, thanos, "unauthorized (HTTP 401)", "token-1", "token-2", tokenFile)
	write(t, tokenFile, "token-2\n") // the kubelet delivers the new Secret
	wantReadings(t, thanos)
	if again := api(t, reg, "thanos"); again != thanos {
		t.Error("the rotation built a new client; it should need none")
	}
}

// TestTenantHeader: Mimir answers only requests that name a tenant in
// X-Scope-OrgID; the source's header names it.
func TestTenantHeader(t *testing.T) {
	t.Parallel() // each has its own Prometheus; most of the time is waiting for scrapes
	dir := t.TempDir()
	prom := startPrometheus(t, startSim(t), promtest.Options{})
	mimir := newGuard(t, prom.URL(), "X-Scope-OrgID", "support")
	reg := openSources(t, dir, fmt.Sprintf(`sources:
- {name: mimir, address: %[1]s, headers: {X-Scope-OrgID: support}}
- {name: other-tenant, address: %[1]s, headers: {X-Scope-OrgID: trading}}
- {name: no-tenant, address: %[1]s}
`, mimir.url()))
	wantReadings(t, api(t, reg, "mimir"))
	wantUnauthorized(t, api(t, reg, "other-tenant"), "unauthorized (HTTP 401)")
	wantUnauthorized(t, api(t, reg, "no-tenant"), "unauthorized (HTTP 401)")
}

// guard is a loopback reverse proxy in front of a real Prometheus that
// answers 401 unless a header carries the value it expects now.
type guard struct {
	header string
	mu     sync.Mutex
	want   string
	srv    *httptest.Server
}

func newGuard(t *testing.T, upstream, header, want string) *guard {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	g := &guard{header: header, want: want}
	proxy := httputil.NewSingleHostReverseProxy(u)
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		ok := r.Header.Get(g.header) == g.want
		g.mu.Unlock()
		if !ok {
			http.Error(w, "no credentials, or wrong ones", http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *guard) url() string { return g.srv.URL }

func (g *guard) expect(v string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.want = v
}

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert: cert, key: key}
}

func (ca testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func (ca testCA) writeCert(t *testing.T, path string) {
	t.Helper()
	write(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})))
}

// issue writes <name>.crt and <name>.key: a certificate for 127.0.0.1
// with the given use, signed by the CA.
func (ca testCA) issue(t *testing.T, dir, name string, use x509.ExtKeyUsage) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{use},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, name+".crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write(t, filepath.Join(dir, name+".key"), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	write(t, to, string(raw))
}

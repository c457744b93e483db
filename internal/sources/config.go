// Package sources holds the metrics sources the platform team defines:
// Prometheus-compatible endpoints with their headers, credentials, TLS,
// limits and tenancy, in the operator's own configuration file (a
// ConfigMap in the operator's namespace, credentials as files from mounted
// Secrets), which no tenant can write. Queues and plans name a source; an
// address written in a namespaced object is read only if the platform's
// allow-list admits it, and never with the platform's credentials.
//
// A file rather than a cluster-scoped CRD (KEDA's
// ClusterTriggerAuthentication): credentials mounted as files need no
// permission to read Secrets through the API, the kubelet delivers their
// rotation, the sources change with the operator's installation rather
// than with tenants' objects, and there is no new API to version.
package sources

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/internal/metrics"
)

// DefaultName is the source of queues and plans that name none: the
// operator's --prometheus-address, unless the file defines it.
const DefaultName = "default"

// Tenancy says whose series a source holds.
type Tenancy string

const (
	// TenancyTenant: the source holds the series of many namespaces, and a
	// namespaced object may read only its own (queries are confined to
	// its namespace). The default.
	TenancyTenant Tenancy = "Tenant"
	// TenancyShared: the source holds data every tenant may read as
	// written, such as market prices.
	TenancyShared Tenancy = "Shared"
)

// File is the sources configuration file (--sources-config).
type File struct {
	// Sources are the named endpoints queues and plans may read.
	Sources []SourceConfig `json:"sources,omitempty"`
	// AllowedAddresses admit addresses written in queues and plans
	// (prometheus.address); none is admitted by default.
	AllowedAddresses []AddressRule `json:"allowedAddresses,omitempty"`
}

// SourceConfig is one named source in the file.
type SourceConfig struct {
	// Name is what queues and plans write in prometheus.source.
	Name string `json:"name"`
	// Address is the base URL of the Prometheus HTTP API.
	Address string `json:"address"`
	// Tenancy is Tenant (the default) or Shared.
	Tenancy Tenancy `json:"tenancy,omitempty"`
	// Headers are set on every request, e.g. X-Scope-OrgID.
	Headers map[string]string `json:"headers,omitempty"`
	// BearerTokenFile holds a token sent as "Authorization: Bearer".
	BearerTokenFile string `json:"bearerTokenFile,omitempty"`
	// BasicAuth is a user name and the file that holds its password.
	BasicAuth *metrics.BasicAuth `json:"basicAuth,omitempty"`
	// TLS is the CA, client certificate and verification for https.
	TLS *metrics.TLSOptions `json:"tls,omitempty"`
	// QueryTimeout bounds one request to the source (default 30s).
	QueryTimeout *metav1.Duration `json:"queryTimeout,omitempty"`
	// BodyLimit bounds one answer, e.g. 16Mi (default 8Mi).
	BodyLimit *resource.Quantity `json:"bodyLimit,omitempty"`
}

// AddressRule admits addresses by prefix or by regular expression.
type AddressRule struct {
	// Prefix admits the address itself and paths below it.
	Prefix string `json:"prefix,omitempty"`
	// Regex admits addresses it matches in full (it is anchored).
	Regex string `json:"regex,omitempty"`
}

// Bounds of a source's limits: a timeout past the poll's own bound (10 s)
// or a body limit of hundreds of MiB would let one source cost everyone.
const (
	minQueryTimeout = time.Second
	maxQueryTimeout = 5 * time.Minute
	minBodyLimit    = 64 << 10
	maxBodyLimit    = 256 << 20
)

var (
	nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// headerNameRE is an HTTP token (RFC 9110).
	headerNameRE = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")
)

// reservedHeaders are set by the client itself; credentials go in
// bearerTokenFile or basicAuth, where they come from a Secret rather than
// the ConfigMap.
var reservedHeaders = map[string]string{
	"authorization":     "credentials belong in bearerTokenFile or basicAuth, read from a mounted Secret",
	"host":              "it is set from the address",
	"content-type":      "it is set by the client",
	"content-length":    "it is set by the client",
	"transfer-encoding": "it is set by the client",
	"connection":        "it is set by the client",
}

// Build reads a sources file's content strictly (an unknown or repeated
// field is an error: a typo must not silently drop a credential or a
// limit) and makes the set of sources, with the default one at
// defaultAddress unless the file defines "default". Every problem is
// reported at once, naming the source and the field; every credential
// file is read once, so a missing Secret fails the start or the reload
// rather than the first poll.
func Build(raw []byte, defaultAddress string) (*Set, error) {
	f, err := decode(raw)
	if err != nil {
		return nil, err
	}
	return build(f, defaultAddress)
}

// decode reads YAML as the apiserver reads manifests: a repeated key is an
// error, and an unknown field is named by its path.
func decode(raw []byte) (File, error) {
	js, err := yaml.YAMLToJSONStrict(raw)
	if err != nil {
		return File{}, err
	}
	var f File
	strict, err := kjson.UnmarshalStrict(js, &f)
	if err != nil {
		return File{}, err
	}
	return f, errors.Join(strict...)
}

// build validates a file and makes the set of sources.
func build(f File, defaultAddress string) (*Set, error) {
	set := &Set{named: map[string]Source{}}
	var errs []error
	for i, sc := range f.Sources {
		src, err := sourceOf(sc)
		if err != nil {
			errs = append(errs, fmt.Errorf("sources[%d] (%s): %w", i, sc.Name, err))
			continue
		}
		if _, dup := set.named[src.Name]; dup {
			errs = append(errs, fmt.Errorf("sources[%d]: name %q is defined twice", i, src.Name))
			continue
		}
		set.named[src.Name] = src
	}
	if _, ok := set.named[DefaultName]; !ok && defaultAddress != "" {
		if err := checkAddress(defaultAddress, true); err != nil {
			errs = append(errs, fmt.Errorf("--prometheus-address: %w", err))
		} else {
			set.named[DefaultName] = Source{Name: DefaultName, Address: defaultAddress, Tenancy: TenancyTenant}
		}
	}
	for i, r := range f.AllowedAddresses {
		m, err := ruleOf(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("allowedAddresses[%d]: %w", i, err))
			continue
		}
		set.allowed = append(set.allowed, m)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

// sourceOf checks one source and makes it.
func sourceOf(sc SourceConfig) (Source, error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !nameRE.MatchString(sc.Name) || len(sc.Name) > 63 {
		add("name must be a DNS label (lower-case letters, digits and '-', at most 63), as queues write it in prometheus.source")
	}
	if err := checkAddress(sc.Address, false); err != nil {
		add("address: %w", err)
	}
	src := Source{Name: sc.Name, Address: sc.Address, Tenancy: sc.Tenancy,
		Client: metrics.ClientOptions{Headers: sc.Headers, BearerTokenFile: sc.BearerTokenFile, BasicAuth: sc.BasicAuth, TLS: sc.TLS}}
	switch sc.Tenancy {
	case "":
		src.Tenancy = TenancyTenant
	case TenancyTenant, TenancyShared:
	default:
		add("tenancy %q is not Tenant or Shared", sc.Tenancy)
	}
	for _, name := range slices.Sorted(maps.Keys(sc.Headers)) { // sorted: the same file, the same message
		value := sc.Headers[name]
		if why, ok := reservedHeaders[strings.ToLower(name)]; ok {
			add("headers: %s may not be set here: %s", name, why)
		} else if !headerNameRE.MatchString(name) {
			add("headers: %q is not a valid header name", name)
		}
		if !validHeaderValue(value) {
			add("headers: the value of %s holds a control character", name)
		}
	}
	errs = append(errs, checkCredentialFields(sc)...)
	if t := sc.QueryTimeout; t != nil {
		if t.Duration < minQueryTimeout || t.Duration > maxQueryTimeout {
			add("queryTimeout %s is not between %s and %s", t.Duration, minQueryTimeout, maxQueryTimeout)
		}
		src.Client.Timeout = t.Duration
	}
	if b := sc.BodyLimit; b != nil {
		if v, ok := b.AsInt64(); !ok || v < minBodyLimit || v > maxBodyLimit {
			add("bodyLimit %s is not between 64Ki and 256Mi", b.String())
		} else {
			src.Client.MaxBodyBytes = v
		}
	}
	if len(errs) == 0 {
		// Read every file now, as requests will: a missing Secret fails
		// the start, naming the file, not the first poll.
		if err := metrics.CheckCredentials(src.Client); err != nil {
			errs = append(errs, err)
		}
	}
	return src, errors.Join(errs...)
}

// checkCredentialFields checks the shape of auth and TLS, before any file
// is read.
func checkCredentialFields(sc SourceConfig) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	file := func(field, path string) {
		if path != "" && !filepath.IsAbs(path) {
			add("%s must be an absolute path (where the Secret is mounted), not %q", field, path)
		}
	}
	file("bearerTokenFile", sc.BearerTokenFile)
	if b := sc.BasicAuth; b != nil {
		if sc.BearerTokenFile != "" {
			add("set bearerTokenFile or basicAuth, not both")
		}
		if b.Username == "" || b.PasswordFile == "" {
			add("basicAuth needs username and passwordFile")
		}
		file("basicAuth.passwordFile", b.PasswordFile)
	}
	if t := sc.TLS; t != nil {
		if strings.HasPrefix(sc.Address, "http://") {
			add("tls is set but the address is http://")
		}
		if (t.CertFile == "") != (t.KeyFile == "") {
			add("tls.certFile and tls.keyFile go together")
		}
		if t.InsecureSkipVerify && t.CAFile != "" {
			add("tls.insecureSkipVerify ignores tls.caFile: set one of them")
		}
		file("tls.caFile", t.CAFile)
		file("tls.certFile", t.CertFile)
		file("tls.keyFile", t.KeyFile)
	}
	return errs
}

// checkAddress accepts an http or https URL with a host. Credentials in
// it are refused for the file's sources (they would sit in a ConfigMap);
// the flag keeps accepting them, as it always did.
func checkAddress(address string, credentialsAllowed bool) error {
	u, err := url.Parse(address)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errors.New("must be an http or https URL with a host, e.g. http://prometheus.monitoring:9090")
	case u.User != nil && !credentialsAllowed:
		return errors.New("must not hold credentials: use basicAuth.passwordFile or bearerTokenFile")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("must not have a query or a fragment")
	}
	return nil
}

// validHeaderValue refuses control characters (CR and LF would split the
// request), as net/http does.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

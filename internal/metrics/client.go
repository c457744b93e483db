package metrics

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/api/resource"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// ClientOptions bound what one Prometheus source may cost the operator,
// and say how it is reached: headers, credentials and TLS. Credentials
// are files (mounted Secrets), never values: a file is read again for
// every request, so a rotated Secret is used from the next query on,
// without a restart.
type ClientOptions struct {
	// Timeout bounds one request, answer included (default 30s).
	Timeout time.Duration
	// MaxBodyBytes bounds one answer (default 8 MiB): a grouped range
	// query over thousands of queues stays far below it.
	MaxBodyBytes int64
	// Headers are set on every request, e.g. X-Scope-OrgID naming a Mimir
	// or Cortex tenant.
	Headers map[string]string
	// BearerTokenFile holds a token sent as "Authorization: Bearer".
	BearerTokenFile string
	// BasicAuth sends HTTP basic credentials.
	BasicAuth *BasicAuth
	// TLS sets the CA that signs the server's certificate, a client
	// certificate (mutual TLS) and verification.
	TLS *TLSOptions
}

// BasicAuth is a user name and the file that holds its password.
type BasicAuth struct {
	// Username is sent as is: a name is not a secret.
	Username string `json:"username"`
	// PasswordFile holds the password (surrounding white space is ignored).
	PasswordFile string `json:"passwordFile"`
}

// TLSOptions configure HTTPS to a source. Files are PEM; they are read
// again for every request and the connections rebuilt when they change.
type TLSOptions struct {
	// CAFile holds the CA certificates that verify the server, in place of
	// the system's.
	CAFile string `json:"caFile,omitempty"`
	// CertFile and KeyFile are the client certificate and its key, for
	// servers that require one (mutual TLS).
	CertFile string `json:"certFile,omitempty"`
	KeyFile  string `json:"keyFile,omitempty"`
	// ServerName is the name the server's certificate must carry, when it
	// differs from the address's host.
	ServerName string `json:"serverName,omitempty"`
	// InsecureSkipVerify accepts any server certificate: for a test
	// source only, as anyone on the path can then read the queries and
	// answers.
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
}

// Defaults for ClientOptions.
const (
	DefaultClientTimeout = 30 * time.Second
	DefaultMaxBodyBytes  = 8 << 20
)

// NewHTTPAPI is a Prometheus HTTP API client that an address written by a
// tenant cannot turn against the operator or the cluster: it follows no
// redirect (a 307 would replay the request, body and all, and its
// credentials, to a host of the tenant's choosing), reads at most
// MaxBodyBytes of an answer (a huge body would exhaust the operator's
// memory for every namespace), gives up after Timeout, and reports
// failures in its own words (SourceError), never echoing what the remote
// end said, nor a credential or the name of the file that holds it.
func NewHTTPAPI(address string, o ClientOptions) (API, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultClientTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	var transport http.RoundTripper = base
	if o.TLS != nil {
		transport = &tlsTransport{base: base, o: *o.TLS}
	}
	hc := &http.Client{
		Transport:     cappedBodies{next: credentials{next: transport, o: o}, max: o.MaxBodyBytes},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       o.Timeout,
	}
	c, err := promapi.NewClient(promapi.Config{Address: address, Client: hc})
	if err != nil {
		return nil, &SourceError{What: "the Prometheus address is not a valid URL"}
	}
	return wordedAPI{next: v1.NewAPI(c), maxBody: o.MaxBodyBytes, http: hc}, nil
}

// SourceError is a failed read of a metrics source, in Frontline's words.
type SourceError struct {
	What string
	// Unauthorized: the source refused the credentials (HTTP 401/403).
	Unauthorized bool
	// TooLarge: the answer was over the body limit; a narrower query may
	// fit.
	TooLarge bool
}

// tooLarge reports whether err is an answer over the body limit.
func tooLarge(err error) bool {
	var se *SourceError
	return errors.As(err, &se) && se.TooLarge
}

func (e *SourceError) Error() string { return e.What }

// FailureReason is the MetricsAvailable reason for a failed query:
// Unauthorized when the source refused the credentials (the platform team
// must act), QueryFailed otherwise.
func FailureReason(err error) string {
	var se *SourceError
	if errors.As(err, &se) && se.Unauthorized {
		return supportv1alpha1.ReasonSourceUnauthorized
	}
	return supportv1alpha1.ReasonMetricsQueryFailed
}

// errBodyTooLarge marks an answer cut at the body limit.
var errBodyTooLarge = errors.New("answer over the size limit")

// SingleValueBytes caps the answer of a query that must return one
// series (a queue's override, a plan's external trigger): a tenant's
// `{__name__=~".+"}` would otherwise decode up to the source's whole
// bodyLimit, some thirty times that in memory, once per query.
const SingleValueBytes = 64 << 10

type singleValueKey struct{}

// SingleValue marks the queries run with ctx as ones that must return a
// single series: their answers are capped at SingleValueBytes.
func SingleValue(ctx context.Context) context.Context {
	return context.WithValue(ctx, singleValueKey{}, true)
}

func singleValue(ctx context.Context) bool { v, _ := ctx.Value(singleValueKey{}).(bool); return v }

// cappedBodies limits every response body.
type cappedBodies struct {
	next http.RoundTripper
	max  int64
}

// CloseIdleConnections passes the call on to the wrapped transport.
func (c cappedBodies) CloseIdleConnections() { CloseIdle(c.next) }

// CloseIdle closes the idle connections of v (a client, a transport),
// when it keeps any.
func CloseIdle(v any) {
	if c, ok := v.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (c cappedBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	limit := c.max
	if singleValue(r.Context()) {
		limit = min(limit, SingleValueBytes)
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: limit}
	return resp, nil
}

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// wordedAPI translates every failure into a SourceError.
type wordedAPI struct {
	next    v1.API
	maxBody int64
	http    *http.Client
}

// CloseIdleConnections closes the client's idle connections: a client no
// longer used does not keep them open.
func (w wordedAPI) CloseIdleConnections() { w.http.CloseIdleConnections() }

func (w wordedAPI) Query(ctx context.Context, query string, ts time.Time, opts ...v1.Option) (model.Value, v1.Warnings, v1.Infos, error) {
	v, warn, infos, err := w.next.Query(ctx, query, ts, opts...)
	return v, warn, infos, w.word(ctx, err)
}

// statusCode reads the HTTP status client_golang puts in its own messages
// ("client error: 404", "bad response code 307").
var statusCode = regexp.MustCompile(`(\d{3})$`)

func (w wordedAPI) word(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return err // shutting down, not a source failure
	}
	var apiErr *v1.Error
	var netErr net.Error
	var urlErr *url.Error
	alert := refusedClientCertificate(err)
	switch {
	case errors.Is(err, errBodyTooLarge) && singleValue(ctx) && w.maxBody > SingleValueBytes:
		limit := resource.NewQuantity(SingleValueBytes, resource.BinarySI)
		return &SourceError{What: fmt.Sprintf("the answer was larger than the %s a query for one value may return and was not read (aggregate it, e.g. max(...))", limit), TooLarge: true}
	case errors.Is(err, errBodyTooLarge):
		limit := resource.NewQuantity(w.maxBody, resource.BinarySI)
		return &SourceError{What: fmt.Sprintf("the answer was larger than the source's bodyLimit (%s) and was not read", limit), TooLarge: true}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return &SourceError{What: "no answer within the timeout"}
	case errors.As(err, &apiErr):
		return wordAPIError(apiErr)
	case errors.Is(err, errCredentials):
		return &SourceError{What: "the source's credentials could not be read (a mounted Secret file is missing, empty or invalid): tell the platform team"}
	case untrustedServer(err):
		return &SourceError{What: "the source's TLS certificate is not trusted (check the source's tls.caFile and tls.serverName)"}
	case alert != "":
		return &SourceError{What: fmt.Sprintf("unauthorized: the source refused the client certificate (%s)", alert), Unauthorized: true}
	case errors.As(err, &urlErr):
		return &SourceError{What: "unreachable (no connection could be made)"}
	}
	return &SourceError{What: "the answer could not be read"}
}

// untrustedServer: the server's certificate did not verify against the
// source's CA (or the system's), or does not carry its name.
func untrustedServer(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host)
}

// clientCertificateAlerts are the TLS alerts a server sends when it
// refuses the client's certificate, or the lack of one. The text is Go's
// own name for the alert's code, not remote content.
var clientCertificateAlerts = map[string]bool{
	"tls: certificate required": true, "tls: bad certificate": true, "tls: unsupported certificate": true,
	"tls: revoked certificate": true, "tls: expired certificate": true, "tls: unknown certificate": true,
	"tls: unknown certificate authority": true, "tls: access denied": true,
}

// refusedClientCertificate names the alert with which the server refused
// the client certificate; empty if it did not. crypto/tls reports a
// received alert as a net.OpError "remote error" around an unexported
// type, so its text is the only handle.
func refusedClientCertificate(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil && clientCertificateAlerts[op.Err.Error()] {
		return op.Err.Error()
	}
	return ""
}

func wordAPIError(e *v1.Error) *SourceError {
	code := 0
	if m := statusCode.FindStringSubmatch(e.Msg); m != nil {
		code, _ = strconv.Atoi(m[1])
	}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &SourceError{What: fmt.Sprintf("unauthorized (HTTP %d): check the source's credentials", code), Unauthorized: true}
	case code >= 300 && code < 400:
		return &SourceError{What: fmt.Sprintf("answered with a redirect (HTTP %d), which is not followed", code)}
	case e.Type == v1.ErrBadData:
		return &SourceError{What: "the query was rejected as invalid"}
	case e.Type == v1.ErrTimeout:
		return &SourceError{What: "the query timed out in Prometheus"}
	case e.Type == v1.ErrExec:
		return &SourceError{What: "Prometheus could not execute the query"}
	case code != 0:
		return &SourceError{What: fmt.Sprintf("bad response (HTTP %d)", code)}
	case e.Type == v1.ErrBadResponse:
		return &SourceError{What: "the answer could not be read"}
	}
	return &SourceError{What: "bad response"}
}

// SourceLabel names a source in metrics and logs: scheme and host only,
// so credentials, paths and query strings in an address never become a
// label (a secret, and unbounded cardinality).
func SourceLabel(address string) string {
	u, err := url.Parse(address)
	if err != nil || u.Host == "" {
		return "invalid"
	}
	return u.Scheme + "://" + u.Host
}

package metrics

import (
	"context"
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
)

// ClientOptions bound what one Prometheus source may cost the operator.
type ClientOptions struct {
	// Timeout bounds one request, answer included (default 30s).
	Timeout time.Duration
	// MaxBodyBytes bounds one answer (default 8 MiB): a grouped range
	// query over thousands of queues stays far below it.
	MaxBodyBytes int64
}

// Defaults for ClientOptions.
const (
	DefaultClientTimeout = 30 * time.Second
	DefaultMaxBodyBytes  = 8 << 20
)

// NewHTTPAPI is a Prometheus HTTP API client that an address written by a
// tenant cannot turn against the operator or the cluster: it follows no
// redirect (a 307 would replay the request, body and all, to a host of
// the tenant's choosing), reads at most MaxBodyBytes of an answer (a huge
// body would exhaust the operator's memory for every namespace), gives up
// after Timeout, and reports failures in its own words (SourceError),
// never echoing what the remote end said.
func NewHTTPAPI(address string, o ClientOptions) (API, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultClientTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	hc := &http.Client{
		Transport:     cappedBodies{next: transport, max: o.MaxBodyBytes},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       o.Timeout,
	}
	c, err := promapi.NewClient(promapi.Config{Address: address, Client: hc})
	if err != nil {
		return nil, &SourceError{What: "the Prometheus address is not a valid URL"}
	}
	return wordedAPI{next: v1.NewAPI(c), maxBody: o.MaxBodyBytes}, nil
}

// SourceError is a failed read of a metrics source, in Frontline's words.
type SourceError struct {
	What string
	// Unauthorized: the source refused the credentials (HTTP 401/403).
	Unauthorized bool
}

func (e *SourceError) Error() string { return e.What }

// errBodyTooLarge marks an answer cut at the body limit.
var errBodyTooLarge = errors.New("answer over the size limit")

// cappedBodies limits every response body.
type cappedBodies struct {
	next http.RoundTripper
	max  int64
}

func (c cappedBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: c.max}
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
}

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
	switch {
	case errors.Is(err, errBodyTooLarge):
		return &SourceError{What: fmt.Sprintf("the answer was larger than %d MiB and was not read", w.maxBody>>20)}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return &SourceError{What: "no answer within the timeout"}
	case errors.As(err, &apiErr):
		return wordAPIError(apiErr)
	case errors.As(err, &urlErr):
		return &SourceError{What: "unreachable (no connection could be made)"}
	}
	return &SourceError{What: "the answer could not be read"}
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

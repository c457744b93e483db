package metrics

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
)

// errCredentials marks a request not sent because a credential file could
// not be read. The worded error does not name the file: status and Events
// are read by tenants, and the mount layout is the platform's.
var errCredentials = errors.New("credentials unreadable")

// maxCredentialBytes bounds a credential file: a token or a PEM bundle is
// a few KiB, and a file is read for every request.
const maxCredentialBytes = 1 << 20

// CheckCredentials reads every file the options name, as requests will,
// and says what is wrong, naming the file: for the operator's start and
// reloads, where the platform team reads it.
func CheckCredentials(o ClientOptions) error {
	var errs []error
	if o.BearerTokenFile != "" {
		if _, err := readSecret(o.BearerTokenFile); err != nil {
			errs = append(errs, fmt.Errorf("bearerTokenFile: %w", err))
		}
	}
	if o.BasicAuth != nil {
		if _, err := readSecret(o.BasicAuth.PasswordFile); err != nil {
			errs = append(errs, fmt.Errorf("basicAuth.passwordFile: %w", err))
		}
	}
	if o.TLS != nil {
		if m, err := o.TLS.read(); err != nil {
			errs = append(errs, fmt.Errorf("tls: %w", err))
		} else if _, err := m.config(*o.TLS); err != nil {
			errs = append(errs, fmt.Errorf("tls: %w", err))
		}
	}
	return errors.Join(errs...)
}

// readSecret reads a credential file: a Secret's key mounted as a file.
// Surrounding white space (the newline an editor or `echo` adds) is not
// part of it; an empty one is an error, not an empty password.
func readSecret(path string) (string, error) {
	raw, err := readBounded(path)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	raw, err := io.ReadAll(io.LimitReader(f, maxCredentialBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(raw) > maxCredentialBytes {
		return nil, fmt.Errorf("%s is larger than %d KiB", path, maxCredentialBytes>>10)
	}
	return raw, nil
}

// credentials sets a source's headers and credentials on every request,
// reading the credential files each time: a rotated token is used from
// the next request on.
type credentials struct {
	next http.RoundTripper
	o    ClientOptions
}

// CloseIdleConnections passes the call on: http.Client reaches the
// transport below only through each wrapper.
func (c credentials) CloseIdleConnections() { CloseIdle(c.next) }

func (c credentials) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(c.o.Headers) == 0 && c.o.BearerTokenFile == "" && c.o.BasicAuth == nil {
		return c.next.RoundTrip(r)
	}
	r = r.Clone(r.Context()) // a RoundTripper must not change its request
	for k, v := range c.o.Headers {
		r.Header.Set(k, v)
	}
	switch {
	case c.o.BearerTokenFile != "":
		token, err := readSecret(c.o.BearerTokenFile)
		if err != nil {
			return nil, errCredentials
		}
		r.Header.Set("Authorization", "Bearer "+token)
	case c.o.BasicAuth != nil:
		password, err := readSecret(c.o.BasicAuth.PasswordFile)
		if err != nil {
			return nil, errCredentials
		}
		r.SetBasicAuth(c.o.BasicAuth.Username, password)
	}
	return c.next.RoundTrip(r)
}

// tlsMaterial is the content of a source's TLS files.
type tlsMaterial struct{ ca, cert, key []byte }

func (m tlsMaterial) equal(o tlsMaterial) bool {
	return bytes.Equal(m.ca, o.ca) && bytes.Equal(m.cert, o.cert) && bytes.Equal(m.key, o.key)
}

func (o TLSOptions) read() (tlsMaterial, error) {
	var m tlsMaterial
	var err error
	if o.CAFile != "" {
		if m.ca, err = readBounded(o.CAFile); err != nil {
			return m, fmt.Errorf("caFile: %w", err)
		}
	}
	if o.CertFile != "" {
		if m.cert, err = readBounded(o.CertFile); err != nil {
			return m, fmt.Errorf("certFile: %w", err)
		}
	}
	if o.KeyFile != "" {
		if m.key, err = readBounded(o.KeyFile); err != nil {
			return m, fmt.Errorf("keyFile: %w", err)
		}
	}
	return m, nil
}

// config is the client TLS configuration the material makes.
func (m tlsMaterial) config(o TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         o.ServerName,
		InsecureSkipVerify: o.InsecureSkipVerify, // the platform's explicit choice, documented as for tests only
	}
	if m.ca != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(m.ca) {
			return nil, fmt.Errorf("caFile %s holds no PEM certificate", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	if m.cert != nil || m.key != nil {
		pair, err := tls.X509KeyPair(m.cert, m.key)
		if err != nil {
			return nil, fmt.Errorf("certFile %s and keyFile %s are not a certificate and its key: %w", o.CertFile, o.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// tlsTransport is HTTPS with a source's own CA and client certificate. It
// reads the files for every request and builds new connections when they
// changed, so a rotated certificate is used without a restart; requests
// fail (in Frontline's words) while the files cannot be read.
type tlsTransport struct {
	base *http.Transport
	o    TLSOptions

	mu   sync.Mutex
	have tlsMaterial
	cur  *http.Transport
}

func (t *tlsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tr, err := t.transport()
	if err != nil {
		return nil, errCredentials
	}
	return tr.RoundTrip(r)
}

// CloseIdleConnections closes the current transport's idle connections.
func (t *tlsTransport) CloseIdleConnections() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil {
		t.cur.CloseIdleConnections()
	}
}

func (t *tlsTransport) transport() (*http.Transport, error) {
	m, err := t.o.read()
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil && m.equal(t.have) {
		return t.cur, nil
	}
	cfg, err := m.config(t.o)
	if err != nil {
		return nil, err
	}
	next := t.base.Clone()
	next.TLSClientConfig = cfg
	// HTTP/1.1: when a server refuses the client certificate, HTTP/2
	// reports only "client conn could not be established", and the
	// condition could not say unauthorized; HTTP/1.1 keeps the TLS alert.
	next.ForceAttemptHTTP2 = false
	if t.cur != nil {
		t.cur.CloseIdleConnections() // the old certificate's connections end as they go idle
	}
	t.cur, t.have = next, m
	return next, nil
}

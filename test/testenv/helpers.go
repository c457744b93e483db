package testenv

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/cli"
)

// Eventually retries check every interval until it returns nil, and fails
// the test with the last error once timeout has passed.
func Eventually(t *testing.T, timeout, interval time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(interval)
	}
	t.Fatalf("not true after %v: %v", timeout, err)
}

// Plugin runs `kubectl frontline ARGS` in-process against a cluster and
// returns its output; a non-zero exit fails the test.
func Plugin(t *testing.T, kubeconfig, namespace string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--kubeconfig", kubeconfig, "-n", namespace)
	if code := cli.Run(args, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("kubectl frontline %v: exit %d: %s", args, code, errOut.String())
	}
	return out.String()
}

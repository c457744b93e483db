package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

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

// Kubeconfig writes a kubeconfig for a new user of the test apiserver in
// the given groups and returns its path.
func (e *Env) Kubeconfig(t *testing.T, user string, groups ...string) string {
	t.Helper()
	u, err := e.Env.AddUser(envtest.User{Name: user, Groups: groups}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := u.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

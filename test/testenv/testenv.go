// Package testenv starts a real kube-apiserver and etcd (controller-runtime's
// envtest) with Frontline's generated CRDs installed, for integration tests.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	frontlinescheme "github.com/frontline-dev/frontline/internal/scheme"
)

// K8sVersion is the Kubernetes release whose binaries the tests run against;
// hack/build-k8s.sh builds them into bin/k8s-<version>.
const K8sVersion = "v1.37.2"

// Env is a running apiserver with the CRDs installed.
type Env struct {
	Env    *envtest.Environment
	Config *rest.Config
	Scheme *runtime.Scheme
	// Client talks to the apiserver directly (no cache), so assertions see
	// what is stored, not what an informer has caught up with.
	Client client.Client
}

// RepoRoot finds the module root by walking up to go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Start runs kube-apiserver and etcd from KUBEBUILDER_ASSETS, or from
// bin/k8s-<version> when the variable is unset, and installs the CRDs from
// config/crd/bases. It fails, rather than skips, when the binaries are
// missing: run `make envtest-assets`.
func Start() (*Env, error) { return StartWith(nil) }

// StartWith is Start with the apiserver's flags adjusted first (e.g. an
// admission plugin turned on).
func StartWith(configure func(*envtest.Environment)) (*Env, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = filepath.Join(root, "bin", "k8s-"+K8sVersion)
	}
	if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
		return nil, fmt.Errorf("kube-apiserver not found in %s: run `make envtest-assets` (builds it from Go modules)", assets)
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if configure != nil {
		configure(env)
	}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop() // a failed CRD install leaves the apiserver running
		return nil, fmt.Errorf("starting envtest: %w", err)
	}
	scheme := frontlinescheme.New()
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		_ = env.Stop()
		return nil, err
	}
	return &Env{Env: env, Config: cfg, Scheme: scheme, Client: c}, nil
}

// Stop stops the apiserver and etcd.
func (e *Env) Stop() error { return e.Env.Stop() }

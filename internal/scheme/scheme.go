// Package scheme builds the runtime.Scheme every Frontline binary uses:
// the built-in Kubernetes kinds plus support.frontline.dev/v1alpha1.
package scheme

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// New returns a scheme with the core and Frontline kinds.
func New() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(supportv1alpha1.AddToScheme(s))
	return s
}

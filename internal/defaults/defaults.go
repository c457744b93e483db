// Package defaults decodes Frontline resources read from files with the
// defaults the apiserver would give them: the CRDs' own structural schemas
// (their +kubebuilder:default markers) applied by the apiserver's own
// defaulting code, so the simulator cannot drift from the cluster.
package defaults

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"sigs.k8s.io/yaml"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/config/crd"
)

var (
	loadOnce sync.Once
	schemas  map[string]*structuralschema.Structural // by kind
	loadErr  error
)

func load() {
	schemas = map[string]*structuralschema.Structural{}
	files, err := fs.Glob(crd.Bases, "bases/*.yaml")
	if err != nil {
		loadErr = err
		return
	}
	for _, f := range files {
		raw, err := crd.Bases.ReadFile(f)
		if err != nil {
			loadErr = err
			return
		}
		var def apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &def); err != nil {
			loadErr = fmt.Errorf("%s: %w", f, err)
			return
		}
		for _, v := range def.Spec.Versions {
			if v.Name != supportv1alpha1.GroupVersion.Version || v.Schema == nil {
				continue
			}
			var internal apiextensions.JSONSchemaProps
			if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
				loadErr = fmt.Errorf("%s: %w", f, err)
				return
			}
			s, err := structuralschema.NewStructural(&internal)
			if err != nil {
				loadErr = fmt.Errorf("%s: %w", f, err)
				return
			}
			schemas[def.Spec.Names.Kind] = s
		}
	}
}

// Decode reads one YAML (or JSON) document of the given kind into obj,
// defaulted as the apiserver would default it on create, and rejects
// fields the kind does not have.
func Decode(doc []byte, kind string, obj any) error {
	loadOnce.Do(load)
	if loadErr != nil {
		return fmt.Errorf("reading the embedded CRDs: %w", loadErr)
	}
	s, ok := schemas[kind]
	if !ok {
		return fmt.Errorf("no CRD for kind %q", kind)
	}
	var u map[string]any
	if err := yaml.Unmarshal(doc, &u); err != nil {
		return err
	}
	defaulting.Default(u, s)
	out, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return yaml.UnmarshalStrict(out, obj)
}

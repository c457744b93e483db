// Package defaults decodes Frontline resources read from files as the
// apiserver would admit them: defaulted by the CRDs' own structural schemas
// (their +kubebuilder:default markers) and validated by their OpenAPI
// schemas and CEL rules, with the apiserver's own code, so the simulator
// cannot drift from the cluster and rejects what `kubectl apply` rejects.
package defaults

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/config/crd"
)

// kindSchema is one kind's admission: defaulting, OpenAPI and CEL.
type kindSchema struct {
	structural *structuralschema.Structural
	openAPI    validation.SchemaValidator
	cel        *cel.Validator
}

var (
	loadOnce sync.Once
	schemas  map[string]kindSchema // by kind
	loadErr  error
)

func load() {
	schemas = map[string]kindSchema{}
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
			v, _, err := validation.NewSchemaValidator(&internal)
			if err != nil {
				loadErr = fmt.Errorf("%s: %w", f, err)
				return
			}
			schemas[def.Spec.Names.Kind] = kindSchema{structural: s, openAPI: v, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}
		}
	}
}

// Decode reads one YAML (or JSON) document of the given kind into obj,
// defaulted as the apiserver would default it on create; it rejects what
// the apiserver would (the schema, its CEL rules, fields the kind does not
// have), with the apiserver's messages.
func Decode(doc []byte, kind string, obj any) error {
	loadOnce.Do(load)
	if loadErr != nil {
		return fmt.Errorf("reading the embedded CRDs: %w", loadErr)
	}
	s, ok := schemas[kind]
	if !ok {
		return fmt.Errorf("no CRD for kind %q", kind)
	}
	// As the apiserver decodes a body: integers stay int64 (CEL tells
	// int from double).
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	var u map[string]any
	if err := utiljson.Unmarshal(j, &u); err != nil {
		return err
	}
	// Unknown fields are refused, as kubectl's strict field validation
	// does: the kinds decode leniently (see supportv1alpha1.DecodeError),
	// so the Go decoder cannot tell.
	if unknown := pruning.PruneWithOptions(u, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}); len(unknown) > 0 {
		name, _, _ := unstructured.NestedString(u, "metadata", "name")
		return fmt.Errorf("%s %q: unknown field %s", kind, name, quoteAll(unknown))
	}
	defaulting.Default(u, s.structural)
	errs := validation.ValidateCustomResource(nil, u, s.openAPI)
	if len(errs) == 0 {
		// CEL runs on schema-valid objects only, as in the apiserver.
		errs, _ = s.cel.Validate(context.Background(), nil, s.structural, u, nil, celconfig.RuntimeCELCostBudget)
	}
	if len(errs) > 0 {
		name, _, _ := unstructured.NestedString(u, "metadata", "name")
		return apierrors.NewInvalid(schema.GroupKind{Group: supportv1alpha1.GroupVersion.Group, Kind: kind}, name, errs)
	}
	out, err := json.Marshal(u)
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(out, obj); err != nil {
		return err
	}
	if d, ok := obj.(interface{ DecodeError() error }); ok && d.DecodeError() != nil {
		return d.DecodeError()
	}
	return nil
}

func quoteAll(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = strconv.Quote(p)
	}
	return strings.Join(q, ", ")
}

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/resource"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/defaults"
)

// fileOptions are kubectl's -f, -R and -k: files, directories, "-" for
// standard input, and kustomization directories.
type fileOptions struct {
	files     []string
	recursive bool
	kustomize string
}

func (f *fileOptions) addFlags(fs *pflag.FlagSet, usage string) {
	fs.StringArrayVarP(&f.files, "filename", "f", nil, usage+` Files, directories or "-" (standard input), repeatable; Lists are read item by item.`)
	fs.BoolVarP(&f.recursive, "recursive", "R", false, "Read the directories given with -f recursively.")
	fs.StringVarP(&f.kustomize, "kustomize", "k", "", "Read the objects a kustomization directory renders (as kubectl apply -k).")
}

func (f fileOptions) empty() bool { return len(f.files) == 0 && f.kustomize == "" }

// frontlineKinds are the kinds read from files; every other kind (the
// FAQ ConfigMaps beside them, say) is skipped.
var frontlineKinds = map[string]bool{"SupportQueue": true, "SLAPolicy": true, "SurgePlan": true}

// objects are Frontline objects read from files, admitted as the
// apiserver would admit them.
type objects struct {
	queues   []supportv1alpha1.SupportQueue
	policies []supportv1alpha1.SLAPolicy
	plans    []supportv1alpha1.SurgePlan
}

// read reads the files with cli-runtime's resource.Builder, as kubectl
// does (directories, -R, -k, Lists flattened), and admits each Frontline
// object with the CRDs' own defaulting, schema and CEL rules. Errors name
// the file and the object.
func (f fileOptions) read(stdin io.Reader) (objects, error) {
	var out objects
	b := resource.NewLocalBuilder().Unstructured().ContinueOnError().Flatten()
	var paths []string
	for _, p := range f.files {
		if p == "-" {
			b = b.Stream(stdin, "standard input")
			continue
		}
		paths = append(paths, p)
	}
	if len(paths) > 0 || f.kustomize != "" {
		b = b.FilenameParam(false, &resource.FilenameOptions{Filenames: paths, Recursive: f.recursive, Kustomize: f.kustomize})
	}
	infos, err := b.Do().Infos()
	if err = withoutKustomizationFiles(err); err != nil {
		return out, &flagError{"filename", err.Error()}
	}
	for _, info := range infos {
		u, ok := info.Object.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		kind := u.GetKind()
		if !frontlineKinds[kind] {
			continue
		}
		where := fmt.Sprintf("%s: %s %q", info.Source, kind, u.GetName())
		if gv := u.GetAPIVersion(); gv != supportv1alpha1.GroupVersion.String() {
			return out, fmt.Errorf("%s: apiVersion %q: this plugin reads %s", where, gv, supportv1alpha1.GroupVersion)
		}
		doc, err := json.Marshal(u.Object)
		if err != nil {
			return out, fmt.Errorf("%s: %w", where, err)
		}
		switch kind {
		case "SupportQueue":
			var q supportv1alpha1.SupportQueue
			err = defaults.Decode(doc, kind, &q)
			out.queues = append(out.queues, q)
		case "SLAPolicy":
			var p supportv1alpha1.SLAPolicy
			err = defaults.Decode(doc, kind, &p)
			out.policies = append(out.policies, p)
		case "SurgePlan":
			var p supportv1alpha1.SurgePlan
			err = defaults.Decode(doc, kind, &p)
			out.plans = append(out.plans, p)
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", where, err)
		}
	}
	return out, nil
}

// withoutKustomizationFiles drops the errors of kustomization files met in
// a directory given with -f: they hold no object (-k reads them), and a
// directory of manifests usually has one.
func withoutKustomizationFiles(err error) error {
	if err == nil {
		return nil
	}
	errs := []error{err}
	var agg utilerrors.Aggregate
	if errors.As(err, &agg) {
		errs = agg.Errors()
	}
	var keep []error
	for _, e := range errs {
		msg := e.Error()
		if !strings.Contains(msg, "Object 'Kind' is missing") || !kustomizationFile.MatchString(msg) {
			keep = append(keep, e)
		}
	}
	return utilerrors.NewAggregate(keep)
}

var kustomizationFile = regexp.MustCompile(`(^|/|")[Kk]ustomization\.ya?ml"`)

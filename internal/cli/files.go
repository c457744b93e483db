package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	fs.StringArrayVarP(&f.files, "filename", "f", nil, usage+` Files, directories, URLs or "-" (standard input), repeatable; Lists are read item by item.`)
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

// stdinName is how standard input is named in errors, as kubectl names it.
const stdinName = "standard input"

// source is one place documents are read from: standard input, a file, a
// URL or a kustomization directory.
type source struct {
	name      string // the builder's name for it, used in errors
	kustomize bool
}

// sources are the flags' sources in order: a directory given with -f
// becomes its files (all levels with -R) with kubectl's extensions,
// without the kustomization files -k reads.
func (f fileOptions) sources() []source {
	var out []source
	for _, p := range f.files {
		if p == "-" {
			out = append(out, source{name: stdinName})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			out = append(out, source{name: p}) // a file, a URL, or an error the builder words
			continue
		}
		visitors, err := resource.ExpandPathsToFileVisitors(nil, p, f.recursive, resource.FileExtensions, nil)
		var files []source
		for _, v := range visitors {
			if fv, ok := v.(*resource.FileVisitor); ok && !isKustomization(fv.Path) {
				files = append(files, source{name: fv.Path})
			}
		}
		if err != nil || len(files) == 0 {
			files = []source{{name: p}} // the builder says what is wrong
		}
		out = append(out, files...)
	}
	if f.kustomize != "" {
		out = append(out, source{name: f.kustomize, kustomize: true})
	}
	return out
}

func isKustomization(path string) bool {
	switch filepath.Base(path) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// document is one object read from a source, with where it was.
type document struct {
	obj   *unstructured.Unstructured
	where string
}

// docName names a document as errors do: the source, the document's
// number in it from 1 (empty documents are not counted) and, for an item
// of a List, the item's number from 1.
func docName(src string, doc, item int) string {
	out := fmt.Sprintf("%s, document %d", src, doc)
	if item > 0 {
		out += fmt.Sprintf(", item %d", item)
	}
	return out
}

// documentError names the document the builder failed on: a document that
// is not YAML or JSON stops the stream after the `validated` documents
// before it; one that does not decode is the last validated.
func documentError(src string, validated int, err error) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "error parsing "+src+": "); ok {
		return errors.New(docName(src, validated+1, 0) + ": " + rest)
	}
	if rest, ok := strings.CutPrefix(msg, fmt.Sprintf("unable to decode %q: ", src)); ok && validated > 0 {
		return errors.New(docName(src, validated, 0) + ": " + rest)
	}
	return err
}

// counter counts the documents the builder's stream reads (it hands each
// to its schema validator before decoding it).
type counter struct{ n int }

func (c *counter) ValidateBytes([]byte) error { c.n++; return nil }

// readSource reads one source with cli-runtime's resource.Builder, as
// kubectl does, each List's items in order.
func readSource(src source, stdin io.Reader) ([]document, error) {
	docs := &counter{}
	b := resource.NewLocalBuilder().Unstructured().Schema(docs)
	switch {
	case src.kustomize:
		b = b.FilenameParam(false, &resource.FilenameOptions{Kustomize: src.name})
	case src.name == stdinName:
		b = b.Stream(stdin, stdinName)
	default:
		b = b.FilenameParam(false, &resource.FilenameOptions{Filenames: []string{src.name}})
	}
	r := b.Do()
	if err := r.Err(); err != nil {
		return nil, &flagError{"filename", err.Error()}
	}
	var out []document
	err := r.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			return err
		}
		if list, ok := info.Object.(*unstructured.UnstructuredList); ok {
			for i := range list.Items {
				out = append(out, document{obj: &list.Items[i], where: docName(src.name, docs.n, i+1)})
			}
			return nil
		}
		if u, ok := info.Object.(*unstructured.Unstructured); ok {
			out = append(out, document{obj: u, where: docName(src.name, docs.n, 0)})
		}
		return nil
	})
	if err != nil {
		return nil, documentError(src.name, docs.n, err)
	}
	return out, nil
}

// read reads every source (reporting each one's first bad document) and
// admits each Frontline object with the CRDs' own defaulting, schema and
// CEL rules. Errors name the source, the document's number and the
// object.
func (f fileOptions) read(stdin io.Reader) (objects, error) {
	var out objects
	var docs []document
	var errs []error
	for _, src := range f.sources() {
		d, err := readSource(src, stdin)
		if err != nil {
			errs = append(errs, err)
		}
		docs = append(docs, d...)
	}
	switch len(errs) {
	case 0:
	case 1:
		return out, errs[0]
	default:
		return out, utilerrors.NewAggregate(errs)
	}
	for _, d := range docs {
		if err := admit(d, &out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// admit decodes a Frontline document into out (other kinds are skipped).
func admit(d document, out *objects) error {
	kind := d.obj.GetKind()
	if !frontlineKinds[kind] {
		return nil
	}
	where := fmt.Sprintf("%s: %s %q", d.where, kind, d.obj.GetName())
	if gv := d.obj.GetAPIVersion(); gv != supportv1alpha1.GroupVersion.String() {
		return fmt.Errorf("%s: apiVersion %q: this plugin reads %s", where, gv, supportv1alpha1.GroupVersion)
	}
	doc, err := json.Marshal(d.obj.Object)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	switch kind {
	case "SupportQueue":
		var q supportv1alpha1.SupportQueue
		if err = defaults.Decode(doc, kind, &q); err == nil {
			out.queues = append(out.queues, q)
		}
	case "SLAPolicy":
		var p supportv1alpha1.SLAPolicy
		if err = defaults.Decode(doc, kind, &p); err == nil {
			out.policies = append(out.policies, p)
		}
	case "SurgePlan":
		var p supportv1alpha1.SurgePlan
		if err = defaults.Decode(doc, kind, &p); err == nil {
			out.plans = append(out.plans, p)
		}
	}
	if err != nil {
		// The decoder's errors name the kind and the object.
		return fmt.Errorf("%s: %w", d.where, err)
	}
	return nil
}

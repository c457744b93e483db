package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/util/jsonpath"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/internal/scheme"
)

// Output formats beyond cli-runtime's PrintFlags (json, yaml, name,
// jsonpath..., go-template...): kubectl get's table, wide and custom
// columns.
const (
	formatWide              = "wide"
	formatCustomColumns     = "custom-columns"
	formatCustomColumnsFile = "custom-columns-file"
)

// objectPrintFlags are kubectl get's -o for commands that print API objects
// (top, surge status): their table (the default), wide, custom-columns, and
// through cli-runtime's PrintFlags json, yaml, name, jsonpath and
// go-template in all their forms.
type objectPrintFlags struct {
	print     *genericclioptions.PrintFlags
	noHeaders bool
}

func newObjectPrintFlags() *objectPrintFlags {
	return &objectPrintFlags{print: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.New())}
}

// addFlags adds -o (with every format named, as kubectl get does),
// --template, --allow-missing-template-keys, --show-managed-fields and
// --no-headers.
func (f *objectPrintFlags) addFlags(cmd *cobra.Command) {
	f.print.AddFlags(cmd)
	cmd.Flags().Lookup("output").Usage = fmt.Sprintf("Output format. One of: (%s). wide adds columns; custom-columns=NAME:.json.path,... picks them.", strings.Join(f.allowedFormats(), ", "))
	cmd.Flags().BoolVar(&f.noHeaders, "no-headers", false, "When using the default, wide or custom-column output format, don't print headers.")
}

// format is -o's value; --template alone means go-template, as in kubectl.
func (f *objectPrintFlags) format() string {
	if format := ptr.Deref(f.print.OutputFormat, ""); format != "" {
		return format
	}
	if ptr.Deref(f.print.TemplatePrinterFlags.TemplateArgument, "") != "" {
		return "go-template"
	}
	return ""
}

// isTable reports whether the output is the command's own table (the
// default or wide) rather than a printer's.
func (f *objectPrintFlags) isTable() bool { return f.format() == "" || f.format() == formatWide }

func (f *objectPrintFlags) wide() bool { return f.format() == formatWide }

func (f *objectPrintFlags) allowedFormats() []string {
	out := append(f.print.AllowedFormats(), formatWide, formatCustomColumns, formatCustomColumnsFile)
	sort.Strings(out)
	return out
}

// toPrinter is the printer of a format other than the table; a format
// kubectl would not know is refused in kubectl's words (a usage error).
func (f *objectPrintFlags) toPrinter() (printers.ResourcePrinter, error) {
	format := f.format()
	if cols, ok, err := customColumns(format); ok {
		if err != nil {
			return nil, &flagError{"output", err.Error()}
		}
		return f.print.TypeSetterPrinter.WrapToPrinter(&columnsPrinter{columns: cols, noHeaders: f.noHeaders}, nil)
	}
	p, err := f.print.ToPrinter()
	if genericclioptions.IsNoCompatiblePrinterError(err) {
		return nil, &usageError{genericclioptions.NoCompatiblePrinterError{OutputFormat: &format, AllowedFormats: f.allowedFormats()}}
	}
	if err != nil {
		return nil, &flagError{"output", err.Error()}
	}
	return p, nil
}

// check refuses a bad -o before anything is read from the cluster.
func (f *objectPrintFlags) check() error {
	if f.isTable() {
		return nil
	}
	_, err := f.toPrinter()
	return err
}

// dataPrintFlags are -o and --no-headers of commands whose results are
// not API objects (plan, simulate): their table, json, yaml, and through
// cli-runtime's printers jsonpath and go-template over the JSON keys, and
// custom columns. wide and name do not apply.
type dataPrintFlags struct {
	output    string
	noHeaders bool
}

// addFlags adds -o, saying which formats apply and what the custom-columns
// rows are, and --no-headers.
func (f *dataPrintFlags) addFlags(fs *pflag.FlagSet, rows string) {
	fs.StringVarP(&f.output, "output", "o", "table", "Output format: table (the default); json or yaml; "+
		"jsonpath=TEMPLATE, jsonpath-as-json=TEMPLATE, jsonpath-file=FILE, go-template=TEMPLATE or go-template-file=FILE over the JSON keys; "+
		"custom-columns=NAME:.key,... or custom-columns-file=FILE, "+rows+". "+
		"The result is not a Kubernetes object: wide and name do not apply.")
	fs.BoolVar(&f.noHeaders, "no-headers", false, "With custom-columns, don't print headers.")
}

func (f *dataPrintFlags) isTable() bool { return f.output == "table" }

// dataFormats are the -o values of plan and simulate, as kubectl lists
// allowed formats.
func dataFormats() []string {
	out := append([]string{"table", "json", "yaml", formatCustomColumns, formatCustomColumnsFile}, genericclioptions.NewKubeTemplatePrintFlags().AllowedFormats()...)
	sort.Strings(out)
	return out
}

// check refuses an -o value the data printers cannot write: kubectl's
// words for an unknown format (a usage error), the parser's for a bad
// template or column spec.
func (f *dataPrintFlags) check() error {
	switch f.output {
	case "table", "json", "yaml":
		return nil
	}
	_, err := f.printer()
	return err
}

// printer is the printer of a template or custom-columns format.
func (f *dataPrintFlags) printer() (printers.ResourcePrinter, error) {
	if cols, ok, err := customColumns(f.output); ok {
		if err != nil {
			return nil, &flagError{"output", err.Error()}
		}
		return &columnsPrinter{columns: cols, noHeaders: f.noHeaders}, nil
	}
	p, err := genericclioptions.NewKubeTemplatePrintFlags().ToPrinter(f.output)
	if genericclioptions.IsNoCompatiblePrinterError(err) {
		return nil, &usageError{genericclioptions.NoCompatiblePrinterError{OutputFormat: &f.output, AllowedFormats: dataFormats()}}
	}
	if err != nil {
		return nil, &flagError{"output", err.Error()}
	}
	return p, nil
}

// print writes v as json, yaml or through a template (the same keys in
// each, the JSON ones); custom columns print a row per element of rows.
func (f *dataPrintFlags) print(out io.Writer, v any, rows any) error {
	switch f.output {
	case "json", "yaml":
		raw, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if f.output == "yaml" {
			raw, err = yaml.JSONToYAML(raw)
		} else {
			raw = append(raw, '\n')
		}
		if err != nil {
			return err
		}
		_, err = out.Write(raw)
		return err
	}
	p, err := f.printer()
	if err != nil {
		return err
	}
	if cp, ok := p.(*columnsPrinter); ok {
		var items []any
		if err := roundTrip(rows, &items); err != nil {
			return err
		}
		return cp.printRows(out, items)
	}
	obj := &unstructured.Unstructured{}
	if err := roundTrip(v, &obj.Object); err != nil {
		return err
	}
	return p.PrintObj(obj, out)
}

// roundTrip gives v's JSON form (maps, slices, float64s) in out.
func roundTrip(v, out any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// column is one custom column: its header and its JSONPath.
type column struct {
	header string
	path   *jsonpath.JSONPath
}

// customColumns parses kubectl's custom-columns=HEADER:PATH,... and
// custom-columns-file=FILE (a line of headers over a line of paths); ok is
// false for other formats.
func customColumns(format string) (cols []column, ok bool, err error) {
	name, arg, _ := strings.Cut(format, "=")
	var headers, paths []string
	switch name {
	case formatCustomColumns:
		if arg == "" {
			return nil, true, errors.New("custom-columns format specified but no custom columns given")
		}
		for _, part := range strings.Split(arg, ",") {
			h, p, found := strings.Cut(part, ":")
			if !found {
				return nil, true, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
			}
			headers, paths = append(headers, h), append(paths, p)
		}
	case formatCustomColumnsFile:
		raw, err := os.ReadFile(arg)
		if err != nil {
			return nil, true, fmt.Errorf("error reading template %s, %v", arg, err)
		}
		s := bufio.NewScanner(strings.NewReader(string(raw)))
		var lines [][]string
		for s.Scan() && len(lines) < 2 {
			lines = append(lines, strings.Fields(s.Text()))
		}
		if len(lines) < 2 {
			return nil, true, errors.New("invalid template, expected one line of space separated headers and one line of space separated column specs")
		}
		if headers, paths = lines[0], lines[1]; len(headers) != len(paths) {
			return nil, true, fmt.Errorf("number of headers (%d) and field specifications (%d) don't match", len(headers), len(paths))
		}
	default:
		return nil, false, nil
	}
	for i := range headers {
		expr, err := relaxedJSONPath(paths[i])
		if err != nil {
			return nil, true, err
		}
		jp := jsonpath.New(headers[i]).AllowMissingKeys(true)
		if err := jp.Parse(expr); err != nil {
			return nil, true, fmt.Errorf("custom-columns %s: %w", headers[i], err)
		}
		cols = append(cols, column{header: headers[i], path: jp})
	}
	return cols, true, nil
}

var relaxedPath = regexp.MustCompile(`^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`)

// relaxedJSONPath accepts a column path as kubectl does: name.name,
// .name.name, {name.name} or {.name.name}.
func relaxedJSONPath(p string) (string, error) {
	m := relaxedPath.FindStringSubmatch(p)
	if m == nil {
		return "", fmt.Errorf("unexpected path string %q, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'", p)
	}
	return "{." + m[1] + m[2] + "}", nil
}

// columnsPrinter prints custom columns, one row per object (per item of
// a list), aligned as kubectl aligns them.
type columnsPrinter struct {
	columns   []column
	noHeaders bool
}

func (p *columnsPrinter) PrintObj(obj runtime.Object, out io.Writer) error {
	objs := []runtime.Object{obj}
	if meta.IsListType(obj) {
		var err error
		if objs, err = meta.ExtractList(obj); err != nil {
			return err
		}
	}
	rows := make([]any, 0, len(objs))
	for _, o := range objs {
		if u, ok := o.(runtime.Unstructured); ok {
			rows = append(rows, u.UnstructuredContent())
			continue
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			return err
		}
		rows = append(rows, u)
	}
	return p.printRows(out, rows)
}

func (p *columnsPrinter) printRows(out io.Writer, rows []any) error {
	w := printers.GetNewTabWriter(out)
	if !p.noHeaders {
		headers := make([]string, len(p.columns))
		for i, c := range p.columns {
			headers[i] = c.header
		}
		_, _ = fmt.Fprintln(w, strings.Join(headers, "\t"))
	}
	for _, row := range rows {
		cells := make([]string, len(p.columns))
		for i, c := range p.columns {
			results, err := c.path.FindResults(row)
			if err != nil {
				return err
			}
			var values []string
			for _, r := range results {
				for _, v := range r {
					values = append(values, printers.EscapeTerminal(fmt.Sprint(v.Interface())))
				}
			}
			if len(values) == 0 {
				values = []string{"<none>"}
			}
			cells[i] = strings.Join(values, ",")
		}
		_, _ = fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	return w.Flush()
}

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"k8s.io/client-go/util/jsonpath"
	"sigs.k8s.io/yaml"
)

// dataFormats are the -o values of commands whose results are not API
// objects (plan, simulate): besides their table, kubectl's json, yaml and
// jsonpath=TEMPLATE.
const dataFormats = "table, json, yaml or jsonpath=TEMPLATE"

// checkDataFormat rejects an -o value the data printer cannot write.
func checkDataFormat(format string) error {
	switch {
	case format == "table" || format == "json" || format == "yaml":
		return nil
	case strings.HasPrefix(format, "jsonpath="):
		if _, err := newJSONPath(strings.TrimPrefix(format, "jsonpath=")); err != nil {
			return &flagError{"output", err.Error()}
		}
		return nil
	}
	return &flagError{"output", fmt.Sprintf("%q is not a format; use %s", format, dataFormats)}
}

func newJSONPath(template string) (*jsonpath.JSONPath, error) {
	jp := jsonpath.New("output").AllowMissingKeys(true)
	if err := jp.Parse(template); err != nil {
		return nil, fmt.Errorf("jsonpath %q: %w", template, err)
	}
	return jp, nil
}

// printData writes v as json, yaml or through a JSONPath template, the
// same keys in each (the JSON ones).
func printData(out io.Writer, format string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	switch format {
	case "json":
		_, err = fmt.Fprintf(out, "%s\n", raw)
		return err
	case "yaml":
		y, err := yaml.JSONToYAML(raw)
		if err != nil {
			return err
		}
		_, err = out.Write(y)
		return err
	}
	jp, err := newJSONPath(strings.TrimPrefix(format, "jsonpath="))
	if err != nil {
		return &flagError{"output", err.Error()}
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return err
	}
	return jp.Execute(out, generic)
}

package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// Load reads, parses and validates the file, and reads every secret once
// so a missing or empty secret stops the start.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	var errs []error
	for i := range c.Sources {
		if _, err := ReadSecret(c.Sources[i].SecretFile); err != nil {
			errs = append(errs, fmt.Errorf("sources[%d] (%s).secretFile: %w", i, c.Sources[i].Name, err))
		}
		if o := c.Sources[i].OpenTickets; o != nil {
			if _, err := ReadToken(o.TokenFile); err != nil {
				errs = append(errs, fmt.Errorf("sources[%d] (%s).openTickets.tokenFile: %w", i, c.Sources[i].Name, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse reads YAML strictly (an unknown or misspelt field is an error) and
// validates it, without touching secret files.
func Parse(raw []byte) (*Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(raw, &c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// ReadSecret reads a secret file: one secret per non-empty line, trimmed.
// Errors name the file, never its content.
func ReadSecret(path string) (event.Keys, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read secret file: %w", err)
	}
	var keys event.Keys
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if k := bytes.TrimSpace(line); len(k) > 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("secret file %s is empty", path)
	}
	return keys, nil
}

// ReadToken reads an API credential file: its first non-empty line,
// trimmed. Errors name the file, never its content.
func ReadToken(path string) (string, error) {
	keys, err := ReadSecret(path)
	if err != nil {
		return "", err
	}
	return string(keys[0]), nil
}

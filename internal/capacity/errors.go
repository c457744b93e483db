package capacity

import "fmt"

// InputError says which input is out of range, and why.
type InputError struct {
	Field  string
	Value  float64
	Reason string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s = %v: %s", e.Field, e.Value, e.Reason)
}

func invalid(field string, v float64, reason string) error {
	return &InputError{Field: field, Value: v, Reason: reason}
}

// finite reports whether v is a real number (not NaN or ±Inf).
func finite(v float64) bool { return v == v && v-v == 0 }

package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// envReader reads typed values and collects one error per malformed variable.
type envReader struct {
	getenv func(string) string
	errs   []error
}

func (r *envReader) lookup(name string) (string, bool) {
	v := strings.TrimSpace(r.getenv(name))
	return v, v != ""
}

func (r *envReader) str(name string, dst *string) {
	if v, ok := r.lookup(name); ok {
		*dst = v
	}
}

func (r *envReader) list(name string, dst *[]string) {
	v, ok := r.lookup(name)
	if !ok {
		return
	}
	*dst = nil
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*dst = append(*dst, f)
		}
	}
}

func (r *envReader) boolean(name string, dst *bool) {
	v, ok := r.lookup(name)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("config: %s=%q is not true or false", name, v))
		return
	}
	*dst = b
}

func (r *envReader) integer(name string, dst *int) {
	v, ok := r.lookup(name)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("config: %s=%q is not a whole number", name, v))
		return
	}
	*dst = n
}

func (r *envReader) duration(name string, dst *time.Duration) {
	v, ok := r.lookup(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("config: %s=%q is not a duration such as 15m or 1h", name, v))
		return
	}
	*dst = d
}

func (r *envReader) size(name string, dst *int64) {
	v, ok := r.lookup(name)
	if !ok {
		return
	}
	n, err := ParseSize(v)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("config: %s: %w", name, err))
		return
	}
	*dst = n
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40},
	{"B", 1},
}

// ParseSize reads a byte count such as 1048576, 512MiB, 20GB or 2G
// (single letters are binary units).
func ParseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, unit := range sizeUnits {
		if strings.HasSuffix(u, unit.suffix) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, unit.suffix)), unit.mult
			break
		}
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 512MiB or 20GiB", s)
	}
	if n > (1<<63-1)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}

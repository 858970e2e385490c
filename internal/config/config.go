// Package config reads a component's settings from command-line flags, then
// environment variables, then built-in defaults, and reports every bad value at
// once, each named by its flag and its environment variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Set collects the settings of one component. Register settings, then call Parse.
type Set struct {
	flags    *flag.FlagSet
	getenv   func(string) string
	settings []*setting
}

type setting struct {
	flag, env, def string
	parse          func(string) error
	value          string // the raw text in effect, for messages
	// keep: when neither flag nor environment gives the setting, its target
	// keeps its value (Bind's settings) instead of taking def.
	keep bool
}

// New returns an empty Set for the component called name; getenv is usually os.Getenv.
func New(name string, getenv func(string) string) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &Set{flags: fs, getenv: getenv}
}

// FlagSet exposes the flags, for usage output.
func (s *Set) FlagSet() *flag.FlagSet { return s.flags }

// Usage writes the settings with their environment variables and defaults.
func (s *Set) Usage(w io.Writer) {
	for _, st := range s.settings {
		f := s.flags.Lookup(st.flag)
		env := ""
		if st.env != "" {
			env = " (env " + st.env + ")"
		}
		fmt.Fprintf(w, "  --%s%s\n        %s (default %q)\n", st.flag, env, f.Usage, st.def)
	}
}

func (s *Set) add(flagName, env, def, usage string, parse func(string) error) {
	st := &setting{flag: flagName, env: env, def: def, parse: parse}
	s.settings = append(s.settings, st)
	s.flags.Func(flagName, usage, func(v string) error {
		st.value = v
		return nil
	})
}

// String registers a text setting.
func (s *Set) String(p *string, flagName, env, def, usage string) {
	s.add(flagName, env, def, usage, func(v string) error { *p = v; return nil })
}

// NonEmpty registers a text setting that must not be empty.
func (s *Set) NonEmpty(p *string, flagName, env, def, usage string) {
	s.add(flagName, env, def, usage, func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must not be empty")
		}
		*p = v
		return nil
	})
}

// Bool registers a true/false setting.
func (s *Set) Bool(p *bool, flagName, env string, def bool, usage string) {
	s.add(flagName, env, strconv.FormatBool(def), usage, func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*p = b
		return nil
	})
	// Let "--flag" alone mean true, as with the standard flag package.
	s.flags.Lookup(flagName).Value = boolFlag{s.flags.Lookup(flagName).Value}
}

// boolFlag marks a flag as boolean for the flag package while keeping our parser.
type boolFlag struct{ flag.Value }

func (boolFlag) IsBoolFlag() bool { return true }

// Duration registers a positive duration setting such as "5s".
func (s *Set) Duration(p *time.Duration, flagName, env string, def time.Duration, usage string) {
	s.add(flagName, env, def.String(), usage, func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a positive duration such as 500ms or 10s")
		}
		*p = d
		return nil
	})
}

// Int registers an integer setting within [min, max].
func (s *Set) Int(p *int64, flagName, env string, def, min, max int64, usage string) {
	s.add(flagName, env, strconv.FormatInt(def, 10), usage, func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min || n > max {
			return fmt.Errorf("want an integer from %d to %d", min, max)
		}
		*p = n
		return nil
	})
}

// Addr registers a HOST:PORT listen address; the host may be empty for all interfaces.
func (s *Set) Addr(p *string, flagName, env, def, usage string) {
	s.add(flagName, env, def, usage, func(v string) error {
		if err := CheckAddr(v); err != nil {
			return err
		}
		*p = v
		return nil
	})
}

// CheckAddr reports whether v is a HOST:PORT a server can listen on.
func CheckAddr(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("want HOST:PORT such as 127.0.0.1:4001 or :4001")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	return nil
}

// URL registers an absolute URL setting whose scheme is one of schemes.
func (s *Set) URL(p *string, flagName, env, def, usage string, schemes ...string) {
	s.add(flagName, env, def, usage, func(v string) error {
		if err := CheckURL(v, schemes...); err != nil {
			return err
		}
		*p = v
		return nil
	})
}

// CheckURL reports whether v is an absolute URL with a host and one of schemes.
func CheckURL(v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return fmt.Errorf("want an absolute URL such as %s://HOST:PORT/...", schemes[0])
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return nil
		}
	}
	return fmt.Errorf("URL scheme %q: want %s", u.Scheme, strings.Join(schemes, " or "))
}

// Optional registers a setting that is applied only when given as a flag or in
// the environment (shown is the default the help text shows): its target keeps
// its value otherwise, the default or what a config file set.
func (s *Set) Optional(flagName, env, shown, usage string, parse func(string) error) {
	s.add(flagName, env, shown, usage, parse)
	s.settings[len(s.settings)-1].keep = true
}

// Func registers a setting with a parser of the caller's.
func (s *Set) Func(flagName, env, def, usage string, parse func(string) error) {
	s.add(flagName, env, def, usage, parse)
}

// Parse reads args (without the command name), then the environment for every
// setting not given as a flag, then defaults, and applies them. It returns the
// remaining arguments and one error joining every bad setting.
func (s *Set) Parse(args []string) ([]string, error) {
	if err := s.flags.Parse(args); err != nil {
		return nil, fmt.Errorf("%s: %w", s.flags.Name(), err)
	}
	given := map[string]bool{}
	s.flags.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var errs []error
	for _, st := range s.settings {
		source := "--" + st.flag
		switch {
		case given[st.flag]:
		case st.env != "" && s.getenv(st.env) != "":
			st.value = s.getenv(st.env)
			source = "env " + st.env
		case st.keep:
			continue
		default:
			st.value = st.def
			source = "default of --" + st.flag
		}
		if err := st.parse(st.value); err != nil {
			errs = append(errs, fmt.Errorf("%s: setting %s = %q: %w", s.flags.Name(), source, st.value, err))
		}
	}
	return s.flags.Args(), errors.Join(errs...)
}

// EnvNames lists the environment variables the registered settings read.
func (s *Set) EnvNames() []string {
	var names []string
	for _, st := range s.settings {
		if st.env != "" {
			names = append(names, st.env)
		}
	}
	return names
}

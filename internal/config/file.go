package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// LoadYAML decodes the YAML file at path onto the struct ptr points to: keys the
// file sets replace the struct's values, others keep them. An unknown key, a
// value of the wrong kind or a second document is an error that names the file,
// the line and the key.
func LoadYAML(path string, ptr any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(ptr); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file sets nothing
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return fmt.Errorf("config file %s: %s", path, joinLines(te.Errors))
		}
		return fmt.Errorf("config file %s: %w", path, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: want one YAML document, found more", path)
	}
	return nil
}

func joinLines(lines []string) string {
	var b bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// ArgValue returns the value of flag name in args (--name V, --name=V, and the
// single-dash forms), else the environment variable env, else "". It finds a
// setting that must be known before the others are parsed, such as the config
// file whose values the flags then override.
func ArgValue(args []string, name, env string, getenv func(string) string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, prefix := range []string{"--" + name, "-" + name} {
			if a == prefix && i+1 < len(args) {
				return args[i+1]
			}
			if len(a) > len(prefix) && a[:len(prefix)+1] == prefix+"=" {
				return a[len(prefix)+1:]
			}
		}
	}
	return getenv(env)
}

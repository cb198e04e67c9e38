package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkShape walks the parsed document against the File type, as the
// decoder's KnownFields would, but reports what it finds in the file's own
// terms: the path as written (profiles[0].readonly), the line and column
// of the node, and for an unknown field the fields that are known. yaml's
// own errors name Go types ("field colour not found in type
// config.Profile"), which mean nothing to the person editing the file.
func checkShape(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		// An empty value is the zero value, as the decoder treats it.
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return shapeError(n, path, "want fields (name: value), found "+kindName(n))
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				where := "in " + path
				if path == "" {
					where = "at the top level"
				}
				return fmt.Errorf("unknown field `%s` %s (%s): known fields are %s",
					k.Value, where, position(k), strings.Join(fieldNames(t), ", "))
			}
			if err := checkShape(v, f.Type, join(path, k.Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return shapeError(n, path, "want a list, found "+kindName(n))
		}
		for i, item := range n.Content {
			if err := checkShape(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return shapeError(n, path, "want names and values (name: value), found "+kindName(n))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkShape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	default:
		if n.Kind != yaml.ScalarNode {
			return shapeError(n, path, "want "+scalarName(t)+", found "+kindName(n))
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			return shapeError(n, path, fmt.Sprintf("`%s` is not %s", n.Value, scalarName(t)))
		}
	}
	return nil
}

func shapeError(n *yaml.Node, path, msg string) error {
	if path == "" {
		path = "the file"
	}
	return fmt.Errorf("%s (%s): %s", path, position(n), msg)
}

func position(n *yaml.Node) string {
	return fmt.Sprintf("line %d, column %d", n.Line, n.Column)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the names a struct's fields have in the file to the
// fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name := yamlName(f); name != "" {
			m[name] = f
		}
	}
	return m
}

// fieldNames lists a struct's fields as the file spells them, in
// declaration order, which is the order the README documents them in.
func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return strings.ToLower(f.Name)
	}
	return name
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "fields (name: value)"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "`" + n.Value + "`"
	}
	return "something else"
}

func scalarName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a single value"
}

// maxLocateLines bounds the work of locateSyntaxError: it parses one
// prefix per line, which is nothing for a config file and too much for a
// file that is not one.
const maxLocateLines = 2000

// locateSyntaxError rewrites a yaml syntax error so that it names the line
// where the problem is. yaml reports the line where the enclosing block
// started when it knows one (a list item indented wrongly on line 6 is
// reported at line 2, where the list starts) and drops the line of the
// problem itself. The problem's line is the first line at which a prefix
// of the file fails with the same complaint; the enclosing block's line is
// kept in the message as context.
func locateSyntaxError(b []byte, err error) error {
	reported, problem, ok := splitSyntaxError(err)
	if !ok {
		return err
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) > maxLocateLines {
		return err
	}
	end := 0
	for i, l := range lines {
		end += len(l)
		var n yaml.Node
		perr := yaml.Unmarshal(b[:end], &n)
		if perr == nil {
			continue
		}
		_, p, ok := splitSyntaxError(perr)
		if !ok || p != problem {
			continue
		}
		line := i + 1
		if line == reported {
			return fmt.Errorf("line %d: %s", line, problem)
		}
		return fmt.Errorf("line %d: %s (in the block that starts at line %d)", line, problem, reported)
	}
	return err
}

// splitSyntaxError takes "yaml: line N: problem" apart.
func splitSyntaxError(err error) (line int, problem string, ok bool) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 0, "", false
	}
	rest, ok := strings.CutPrefix(err.Error(), "yaml: line ")
	if !ok {
		return 0, "", false
	}
	num, problem, ok := strings.Cut(rest, ": ")
	if !ok {
		return 0, "", false
	}
	line, perr := strconv.Atoi(num)
	if perr != nil {
		return 0, "", false
	}
	return line, problem, true
}

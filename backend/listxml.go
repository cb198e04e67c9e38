package backend

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// S3's listing answer is plain XML: elements hold text or elements,
// never both, and sluice reads a handful of them. encoding/xml spends a
// token, a name and a copy on every one of the thousands of elements of
// a page (as much CPU per listed key as replaying the key's event costs
// beyond its read), so a listing is read by this small scanner instead.
// It accepts well-formed XML only: anything it does not understand
// (CDATA, a doctype, a mismatched tag) is an error, and the caller asks
// the SDK instead.

// xmlElement is one element a scan reports as it closes: its path of
// names from the root, whether it held no other element, and then its
// text with the entities resolved.
type xmlElement struct {
	path []string
	leaf bool
	text []byte
}

// scanXML walks doc and calls end for each element as it closes.
func scanXML(doc []byte, end func(xmlElement) error) error {
	var path []string
	var text []byte
	// children says whether the open element had a child element, whose
	// text is then not the element's.
	children, rootDone := false, false
	i := 0
	for i < len(doc) {
		lt := bytes.IndexByte(doc[i:], '<')
		if lt < 0 {
			if len(path) > 0 || len(bytes.TrimSpace(doc[i:])) > 0 {
				return errors.New("text outside the root element, or an element left open")
			}
			return nil
		}
		if lt > 0 {
			if len(path) == 0 {
				if len(bytes.TrimSpace(doc[i:i+lt])) > 0 {
					return errors.New("text outside the root element")
				}
			} else {
				t, err := unescapeXML(doc[i : i+lt])
				if err != nil {
					return err
				}
				text = append(text, t...)
			}
		}
		i += lt
		rest := doc[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if end < 0 || len(path) > 0 {
				return errors.New("a processing instruction inside an element or unclosed")
			}
			i += end + 2
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return errors.New("an unclosed comment")
			}
			i += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("</")):
			gt := bytes.IndexByte(rest, '>')
			if gt < 0 || len(path) == 0 {
				return errors.New("an end tag without its start")
			}
			name := string(bytes.TrimSpace(rest[2:gt]))
			if name != path[len(path)-1] {
				return fmt.Errorf("</%s> closes <%s>", name, path[len(path)-1])
			}
			e := xmlElement{path: path, leaf: !children}
			if e.leaf {
				e.text = text
			}
			if err := end(e); err != nil {
				return err
			}
			path, text, children = path[:len(path)-1], text[:0], true
			rootDone = len(path) == 0
			i += gt + 1
		case bytes.HasPrefix(rest, []byte("<!")):
			return errors.New("CDATA and declarations are not read here")
		default:
			gt := bytes.IndexByte(rest, '>')
			if gt < 0 {
				return errors.New("an unclosed start tag")
			}
			tag := rest[1:gt]
			selfClosing := bytes.HasSuffix(tag, []byte("/"))
			if selfClosing {
				tag = tag[:len(tag)-1]
			}
			name, _, _ := bytes.Cut(tag, []byte(" "))
			name = bytes.TrimRight(name, "\t\r\n")
			if len(name) == 0 || !utf8.Valid(name) || bytes.ContainsAny(name, "<&\"'=") {
				return fmt.Errorf("a malformed tag %q", tag)
			}
			if rootDone {
				return errors.New("a second root element")
			}
			path, text, children = append(path, string(name)), text[:0], false
			if selfClosing {
				if err := end(xmlElement{path: path, leaf: true}); err != nil {
					return err
				}
				path, children = path[:len(path)-1], true
				rootDone = len(path) == 0
			}
			i += gt + 1
		}
	}
	if len(path) > 0 {
		return fmt.Errorf("<%s> is never closed", path[len(path)-1])
	}
	return nil
}

// unescapeXML resolves the five named entities and character references.
func unescapeXML(s []byte) ([]byte, error) {
	amp := bytes.IndexByte(s, '&')
	if amp < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for {
		out = append(out, s[:amp]...)
		s = s[amp:]
		semi := bytes.IndexByte(s, ';')
		if semi < 0 {
			return nil, errors.New("an unterminated entity")
		}
		ent := string(s[1:semi])
		switch ent {
		case "amp":
			out = append(out, '&')
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return nil, fmt.Errorf("an unknown entity &%s;", ent)
			}
			var n uint64
			var err error
			if ent[1] == 'x' {
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			}
			r := rune(n)
			if err != nil || !isXMLChar(r) {
				return nil, fmt.Errorf("a character reference &%s; that XML does not allow", ent)
			}
			out = utf8.AppendRune(out, r)
		}
		s = s[semi+1:]
		if amp = bytes.IndexByte(s, '&'); amp < 0 {
			return append(out, s...), nil
		}
	}
}

// isXMLChar is XML 1.0's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

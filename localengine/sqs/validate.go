package sqs

import (
	"sort"
	"strings"
	"unicode/utf8"
)

const (
	maxMessageAttrs  = 10
	maxAttrNameLen   = 256
	maxDataTypeLen   = 256
	maxBatchEntries  = 10
	maxBatchBytes    = 1048576
	traceHeaderAttr  = "AWSTraceHeader"
	maxTraceHeader   = 2048
	attrKindString   = 1
	attrKindBinary   = 2
	maxNumberDigits  = 38
	maxNumberExp     = 126
	minNumberExp     = -128
	maxGroupIDLength = 128
)

// attrValue is a message attribute value as both protocols carry it.
type attrValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *msgText `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

// msgAttr is a validated message attribute.
type msgAttr struct {
	Name     string
	DataType string
	Kind     byte // attrKindString or attrKindBinary
	Str      string
	Bin      []byte
}

func (a *msgAttr) size() int { return len(a.Name) + len(a.DataType) + len(a.Str) + len(a.Bin) }

// invalidXMLChar returns the first character of s outside the XML 1.0
// character set SQS allows (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF), or -1 when there is none.
func invalidXMLChar(s string) rune {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != 0x9 && c != 0xA && c != 0xD {
				return rune(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			// A surrogate in its three-byte form (how msgText keeps an
			// unpaired one, and how CESU-8 writes it) is named as such.
			if sr, ok := surrogateAt(s[i:]); ok {
				return sr
			}
			return utf8.RuneError
		}
		if r >= 0xD800 && r <= 0xDFFF || r == 0xFFFE || r == 0xFFFF {
			return r
		}
		i += n
	}
	return -1
}

func validateBody(body *string) error {
	if body == nil || *body == "" {
		return errMissing("MessageBody")
	}
	if r := invalidXMLChar(*body); r >= 0 {
		return errInvalidMessageContents("Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
	}
	return nil
}

// validateMessageAttrs checks user message attributes and returns them
// sorted by name (the order their MD5 needs).
func validateMessageAttrs(in map[string]attrValue) ([]msgAttr, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > maxMessageAttrs {
		return nil, errInvalidParameter("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttrs)
	}
	out := make([]msgAttr, 0, len(in))
	for name, v := range in {
		if err := validateAttrName(name); err != nil {
			return nil, err
		}
		a, err := validateAttrValue(name, v, "message (user)")
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// validateSystemAttrs checks message system attributes: only AWSTraceHeader,
// a String.
func validateSystemAttrs(in map[string]attrValue) ([]msgAttr, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]msgAttr, 0, len(in))
	for name, v := range in {
		if name != traceHeaderAttr {
			return nil, errInvalidParameter("Message system attribute name '%s' is invalid.", clip(name, maxAttrNameLen))
		}
		a, err := validateAttrValue(name, v, "message system")
		if err != nil {
			return nil, err
		}
		if a.DataType != "String" {
			return nil, errInvalidParameter("Message system attribute '%s' must be of type String.", name)
		}
		if len(a.Str) > maxTraceHeader {
			return nil, errInvalidParameter("Message system attribute '%s' is too long.", name)
		}
		out = append(out, a)
	}
	return out, nil
}

func validateAttrName(name string) error {
	bad := func(reason string) error {
		return errInvalidParameter("Message (user) attribute name '%s' is invalid. %s", clip(name, maxAttrNameLen), reason)
	}
	if name == "" {
		return errInvalidParameter("The request must contain non-empty message (user) attribute names.")
	}
	if len(name) > maxAttrNameLen {
		return bad("The attribute name must be at most 256 characters long.")
	}
	for i := 0; i < len(name); i++ {
		if !isNameChar(name[i]) && name[i] != '.' {
			return bad("The attribute name can contain only A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.")
		}
	}
	if name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return bad("The attribute name must not start or end with a period, and must not have successive periods.")
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return bad("The attribute name must not start with AWS-reserved prefixes 'AWS.' or 'Amazon.'.")
	}
	return nil
}

func validateAttrValue(name string, v attrValue, kind string) (msgAttr, error) {
	a := msgAttr{Name: name, DataType: v.DataType}
	if v.DataType == "" {
		return a, errInvalidParameter("The %s attribute '%s' must contain a non-empty attribute type.", kind, clip(name, maxAttrNameLen))
	}
	if len(v.DataType) > maxDataTypeLen || invalidXMLChar(v.DataType) >= 0 {
		return a, errInvalidParameter("The type of %s attribute '%s' is invalid.", kind, clip(name, maxAttrNameLen))
	}
	if len(v.StringListValues) > 0 || len(v.BinaryListValues) > 0 {
		return a, errInvalidParameter("The %s attribute '%s' uses list values, which are not supported.", kind, clip(name, maxAttrNameLen))
	}
	base, _, _ := strings.Cut(v.DataType, ".")
	if base != v.DataType && len(v.DataType) == len(base)+1 {
		return a, errInvalidParameter("The type of %s attribute '%s' is invalid: a custom type must follow the period.", kind, clip(name, maxAttrNameLen))
	}
	switch base {
	case "String", "Number":
		if v.BinaryValue != nil {
			return a, errInvalidParameter("The %s attribute '%s' with type '%s' must use field 'String'.", kind, clip(name, maxAttrNameLen), base)
		}
		if v.StringValue == nil || *v.StringValue == "" {
			return a, errInvalidParameter("The %s attribute '%s' must contain a non-empty value of type '%s'.", kind, clip(name, maxAttrNameLen), base)
		}
		str := string(*v.StringValue)
		if r := invalidXMLChar(str); r >= 0 {
			return a, errInvalidMessageContents("Invalid binary character '#x%X' was found in the value of %s attribute '%s'.", r, kind, clip(name, maxAttrNameLen))
		}
		if base == "Number" && !validNumber(str) {
			return a, errInvalidParameter("Can't cast the value of %s attribute '%s' to a number.", kind, clip(name, maxAttrNameLen))
		}
		a.Kind, a.Str = attrKindString, str
	case "Binary":
		if v.StringValue != nil {
			return a, errInvalidParameter("The %s attribute '%s' with type 'Binary' must use field 'Binary'.", kind, clip(name, maxAttrNameLen))
		}
		if len(v.BinaryValue) == 0 {
			return a, errInvalidParameter("The %s attribute '%s' must contain a non-empty value of type 'Binary'.", kind, clip(name, maxAttrNameLen))
		}
		a.Kind, a.Bin = attrKindBinary, v.BinaryValue
	default:
		return a, errInvalidParameter("The type of %s attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", kind, clip(name, maxAttrNameLen))
	}
	return a, nil
}

// validNumber accepts what SQS's Number type does: a decimal with at most
// 38 significant digits, between 10^-128 and 10^126 in magnitude.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[intStart:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracPart = s[fracStart:i]
	}
	if intPart == "" && fracPart == "" {
		return false
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return false
		}
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return false
		}
		for ; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' || exp > 1_000_000 {
				return false
			}
			exp = exp*10 + int(s[i]-'0')
		}
		if neg {
			exp = -exp
		}
	}
	// Digits are indexed across the integer and fraction parts as one run.
	n := len(intPart) + len(fracPart)
	at := func(k int) byte {
		if k < len(intPart) {
			return intPart[k]
		}
		return fracPart[k-len(intPart)]
	}
	first := 0
	for first < n && at(first) == '0' {
		first++
	}
	if first == n {
		return true // zero
	}
	last := n - 1
	for at(last) == '0' {
		last--
	}
	if last-first+1 > maxNumberDigits {
		return false
	}
	mag := len(intPart) - 1 - first + exp
	return mag <= maxNumberExp && mag >= minNumberExp
}

// messageSize is what SQS counts against MaximumMessageSize: the body and
// the user attributes' names, types and values.
func messageSize(body string, attrs []msgAttr) int {
	n := len(body)
	for i := range attrs {
		n += attrs[i].size()
	}
	return n
}

func errTooLong(max int64) error {
	return errInvalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", max)
}

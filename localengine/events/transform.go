package events

import (
	"strings"
)

// Predefined InputTransformer variables.
const (
	varEvent         = "aws.events.event"
	varEventJSON     = "aws.events.event.json"
	varRuleArn       = "aws.events.rule-arn"
	varRuleName      = "aws.events.rule-name"
	varIngestionTime = "aws.events.event.ingestion-time"
)

func isPredefinedVar(name string) bool {
	switch name {
	case varEvent, varEventJSON, varRuleArn, varRuleName, varIngestionTime:
		return true
	}
	return false
}

// templateContext is what a template's placeholders can refer to.
type templateContext struct {
	event     any    // the decoded event
	eventJSON string // the event as delivered
	ruleArn   string
	ruleName  string
	ingestion string // RFC 3339
	paths     map[string]jsonPath
}

// renderTemplate fills an InputTemplate as EventBridge does: a placeholder
// inside a JSON string takes the value's text, escaped for the string;
// outside a string it takes the value's JSON (so a string keeps its
// quotes). A missing value is an empty string inside quotes and null
// outside. Text that names no variable is copied as it is.
func renderTemplate(tmpl string, c *templateContext) string {
	var out []byte
	inString := false
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		switch {
		case ch == '\\' && inString && i+1 < len(tmpl):
			out = append(out, ch, tmpl[i+1])
			i++
			continue
		case ch == '"':
			inString = !inString
		case ch == '<':
			end := strings.IndexByte(tmpl[i+1:], '>')
			if end >= 0 {
				name := tmpl[i+1 : i+1+end]
				if v, kind, ok := c.lookup(name); ok {
					out = appendValue(out, v, kind, inString)
					i += end + 1
					continue
				}
			}
		}
		out = append(out, ch)
	}
	return string(out)
}

type valueKind int

const (
	valueDecoded valueKind = iota // v is a decoded JSON value
	valueRaw                      // v is JSON text
	valueMissing
)

func (c *templateContext) lookup(name string) (any, valueKind, bool) {
	switch name {
	case varEvent:
		return c.eventJSON, valueRaw, true
	case varEventJSON:
		return c.eventJSON, valueDecoded, true
	case varRuleArn:
		return c.ruleArn, valueDecoded, true
	case varRuleName:
		return c.ruleName, valueDecoded, true
	case varIngestionTime:
		return c.ingestion, valueDecoded, true
	}
	p, ok := c.paths[name]
	if !ok {
		return nil, 0, false
	}
	v, found := p.eval(c.event)
	if !found {
		return nil, valueMissing, true
	}
	return v, valueDecoded, true
}

func appendValue(out []byte, v any, kind valueKind, inString bool) []byte {
	switch kind {
	case valueMissing:
		if inString {
			return out
		}
		return append(out, "null"...)
	case valueRaw:
		if inString {
			return appendJSONStringContent(out, v.(string))
		}
		return append(out, v.(string)...)
	}
	if inString {
		return appendJSONStringContent(out, textOf(v))
	}
	if s, ok := v.(string); ok {
		return appendJSONString(out, s)
	}
	return append(out, marshalJSON(v)...)
}

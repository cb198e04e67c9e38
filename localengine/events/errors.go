package events

import (
	"net/http"
	"strings"

	"github.com/sluicehq/sluice/localengine/awserr"
)

// EventBridge answers every client error with status 400; the SDK picks the
// typed error from the code (ValidationException has no typed error and
// arrives as a generic API error with that code). Messages follow AWS's
// wording where it is known.

func validationError(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ValidationException", format, args...)
}

func notFound(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException", format, args...)
}

func alreadyExists(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceAlreadyExistsException", format, args...)
}

func limitExceeded(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "LimitExceededException", format, args...)
}

func invalidPattern(reason string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidEventPatternException",
		"Event pattern is not valid. Reason: %s", reason)
}

func busNotFound(name string) *awserr.Error {
	return notFound("Event bus %s does not exist.", name)
}

func ruleNotFound(rule, bus string) *awserr.Error {
	return notFound("Rule %s does not exist on EventBus %s.", rule, bus)
}

func connectionNotFound(name string) *awserr.Error {
	return notFound("Failed to describe the connection(s). Connection '%s' does not exist.", name)
}

func apiDestinationNotFound(name string) *awserr.Error {
	return notFound("Failed to describe the api-destination(s). An api-destination '%s' does not exist.", name)
}

func invalidNextToken() *awserr.Error {
	return validationError("The NextToken provided is invalid.")
}

// validation collects constraint violations and reports them in one
// ValidationException, worded as AWS's request validation does.
type validation struct{ msgs []string }

func (v *validation) fail(value, field, constraint string) {
	if len(v.msgs) < 10 {
		if value == "" {
			v.msgs = append(v.msgs, "Value at '"+field+"' failed to satisfy constraint: "+constraint)
			return
		}
		v.msgs = append(v.msgs, "Value '"+clip(value, 128)+"' at '"+field+"' failed to satisfy constraint: "+constraint)
	}
}

// required reports a missing parameter.
func (v *validation) required(field string, present bool) bool {
	if !present {
		v.fail("", field, "Member must not be null")
	}
	return present
}

// length checks a string's length in characters, as AWS counts them.
func (v *validation) length(field, value string, min, max int) bool {
	n := len([]rune(value))
	switch {
	case n < min:
		v.fail(value, field, "Member must have length greater than or equal to "+itoa(min))
		return false
	case max > 0 && n > max:
		v.fail(value, field, "Member must have length less than or equal to "+itoa(max))
		return false
	}
	return true
}

// optLength checks an optional string.
func (v *validation) optLength(field string, value *string, min, max int) bool {
	if value == nil {
		return true
	}
	return v.length(field, *value, min, max)
}

func (v *validation) pattern(field, value string, ok bool, pattern string) bool {
	if !ok {
		v.fail(value, field, "Member must satisfy regular expression pattern: "+pattern)
	}
	return ok
}

func (v *validation) enum(field, value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	v.fail(value, field, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	return false
}

func (v *validation) intRange(field string, value *int64, min, max int64) bool {
	if value == nil {
		return true
	}
	switch {
	case *value < min:
		v.fail(itoa64(*value), field, "Member must have value greater than or equal to "+itoa64(min))
		return false
	case *value > max:
		v.fail(itoa64(*value), field, "Member must have value less than or equal to "+itoa64(max))
		return false
	}
	return true
}

func (v *validation) count(field string, n, min, max int) bool {
	switch {
	case n < min:
		v.fail("", field, "Member must have length greater than or equal to "+itoa(min))
		return false
	case n > max:
		v.fail("", field, "Member must have length less than or equal to "+itoa(max))
		return false
	}
	return true
}

func (v *validation) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: %s", v.msgs[0])
	default:
		return validationError("%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; "))
	}
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
}

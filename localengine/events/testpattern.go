package events

import (
	"context"

	"github.com/sluicehq/sluice/localengine/wire"
)

// maxTestEvent bounds TestEventPattern's event as PutEvents bounds one.
const maxTestEvent = maxPutEventsSize

// eventRequiredFields are the fields TestEventPattern requires of its
// event, as AWS documents them.
var eventRequiredFields = []string{"id", "account", "source", "time", "region", "resources", "detail-type"}

type testEventPatternInput struct {
	EventPattern *string
	Event        *string
}

type testEventPatternOutput struct {
	Result bool
}

func (s *Service) testEventPattern(_ context.Context, body []byte) (any, error) {
	var in testEventPatternInput
	if err := wire.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	var v validation
	if v.required("eventPattern", in.EventPattern != nil) {
		v.length("eventPattern", *in.EventPattern, 0, maxEventPattern)
	}
	v.required("event", in.Event != nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	pat, err := compilePattern(*in.EventPattern)
	if err != nil {
		return nil, invalidPattern(err.Error())
	}
	if len(*in.Event) > maxTestEvent {
		return nil, validationError("Parameter Event is not valid: it is larger than %d bytes.", maxTestEvent)
	}
	decoded, err := decodeJSON([]byte(*in.Event))
	if err != nil {
		return nil, validationError("Parameter Event is not valid: %s.", err.Error())
	}
	event, ok := decoded.(map[string]any)
	if !ok {
		return nil, validationError("Parameter Event is not valid: it is not a JSON object.")
	}
	for _, f := range eventRequiredFields {
		if _, ok := event[f]; !ok {
			return nil, validationError("Parameter Event is not valid: the field %q is required.", f)
		}
	}
	return testEventPatternOutput{Result: pat.matches(event)}, nil
}

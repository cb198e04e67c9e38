// Package inproc lets one engine service call another in-process through
// the same JSON actions a client sends, so that every call gets the
// service's full validation and semantics without a second API.
package inproc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sluicehq/sluice/localengine/wire"
)

// JSONService answers JSON-protocol actions, as the Kinesis, SQS and
// EventBridge services do.
type JSONService interface {
	HandleJSON(ctx context.Context, action string, body []byte) (any, error)
}

// Call runs action on svc with in as the request and decodes the answer
// into out (which may be nil). Errors from the service come back as they
// are (an *awserr.Error for AWS errors). ctx must carry the caller's region
// (wire.WithInfo), since resources live in regions.
func Call(ctx context.Context, svc JSONService, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", action, err)
	}
	res, err := svc.HandleJSON(ctx, action, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	raw, ok := res.(wire.RawJSON)
	if !ok {
		if raw, err = json.Marshal(res); err != nil {
			return fmt.Errorf("%s: encode answer: %w", action, err)
		}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", action, err)
	}
	return nil
}

// InRegion returns ctx carrying region for in-process calls made by
// background work (a pipe runner) that has no client request behind it.
func InRegion(ctx context.Context, region string) context.Context {
	info := wire.Info(ctx)
	info.Region = region
	if info.RequestID == "" {
		info.RequestID = wire.NewRequestID()
	}
	return wire.WithInfo(ctx, info)
}

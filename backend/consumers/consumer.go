// Package consumers lists, describes and controls the consumers of a
// Kinesis stream: EventBridge pipes and Lambda event source mappings.
// Stopping a pipe (StopPipe) and disabling a mapping (UpdateEventSourceMapping
// Enabled=false) are the same operator action, "stop", for both kinds.
package consumers

import (
	"regexp"
	"strings"

	"github.com/sluicehq/sluice/backend/inventory"
)

// Kind is a consumer's kind.
type Kind string

const (
	// KindPipe is an EventBridge pipe, named by its name.
	KindPipe Kind = "pipe"
	// KindESM is a Lambda event source mapping, named by its UUID.
	KindESM Kind = "esm"
)

// Consumer is a pipe or an event source mapping as an operator reads it.
type Consumer struct {
	Kind Kind `json:"kind"`
	// Name is the pipe's name or the mapping's UUID.
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Function is the mapping's function name ("" for a pipe).
	Function string `json:"function,omitempty"`
	// State is AWS's: a pipe's CurrentState (RUNNING, STOPPING, …), a
	// mapping's State (Enabled, Disabling, …).
	State string `json:"state"`
	// DesiredState is a pipe's DesiredState; a mapping has none, so it
	// is the state its transition heads for (Enabling → Enabled).
	DesiredState string `json:"desiredState,omitempty"`
	// StateReason is a pipe's StateReason or a mapping's
	// StateTransitionReason.
	StateReason string `json:"stateReason,omitempty"`
	Source      string `json:"source"`
	Target      string `json:"target"`
	// DLQ is where failed batches' metadata goes (an SQS queue's ARN,
	// usually).
	DLQ                string `json:"dlq,omitempty"`
	BatchSize          int    `json:"batchSize"`
	BatchWindowSeconds int    `json:"batchWindowSeconds"`
	StartingPosition   string `json:"startingPosition,omitempty"`
	// MaximumRetryAttempts and MaximumRecordAgeSeconds are −1 for
	// infinite, AWS's default.
	MaximumRetryAttempts    int  `json:"maximumRetryAttempts"`
	MaximumRecordAgeSeconds int  `json:"maximumRecordAgeSeconds"`
	Bisect                  bool `json:"bisect"`
}

func fromPipe(p inventory.Pipe) Consumer {
	return Consumer{
		Kind: KindPipe, Name: p.Name, ARN: p.ARN, State: p.State, DesiredState: p.DesiredState,
		StateReason: p.StateReason, Source: p.Source, Target: p.Target, DLQ: p.DLQARN,
		BatchSize: p.BatchSize, BatchWindowSeconds: p.BatchWindowSeconds, StartingPosition: p.StartingPosition,
		MaximumRetryAttempts: p.MaximumRetryAttempts, MaximumRecordAgeSeconds: p.MaximumRecordAgeSeconds,
		Bisect: p.Bisect,
	}
}

func fromESM(e inventory.ESM) Consumer {
	return Consumer{
		Kind: KindESM, Name: e.UUID, Function: e.Function, State: e.State, DesiredState: esmHeading(e.State),
		StateReason: e.StateReason, Source: e.StreamARN, Target: e.FunctionARN, DLQ: e.OnFailureARN,
		BatchSize: e.BatchSize, BatchWindowSeconds: e.BatchWindowSeconds, StartingPosition: e.StartingPosition,
		MaximumRetryAttempts: e.MaximumRetryAttempts, MaximumRecordAgeSeconds: e.MaximumRecordAgeSeconds,
		Bisect: e.Bisect,
	}
}

// esmHeading is where a mapping's state leads: Lambda reports no desired
// state, but its transitional states name their end.
func esmHeading(state string) string {
	switch state {
	case esmEnabled, esmEnabling:
		return esmEnabled
	case esmDisabled, esmDisabling:
		return esmDisabled
	}
	return ""
}

// Pipe states and mapping states that mean "settled".
const (
	pipeRunning  = "RUNNING"
	pipeStopped  = "STOPPED"
	esmEnabled   = "Enabled"
	esmEnabling  = "Enabling"
	esmDisabled  = "Disabled"
	esmDisabling = "Disabling"
)

// Settled reports whether c has stopped moving: a pipe RUNNING or
// STOPPED as desired, or failed (CREATE_FAILED, STOP_FAILED, …); a
// mapping Enabled or Disabled.
func (c Consumer) Settled() bool {
	switch c.Kind {
	case KindPipe:
		if strings.HasSuffix(c.State, "_FAILED") {
			return true
		}
		return (c.State == pipeRunning || c.State == pipeStopped) && (c.DesiredState == "" || c.DesiredState == c.State)
	case KindESM:
		return c.State == esmEnabled || c.State == esmDisabled
	}
	return true
}

// StateLine is the state, with where it is heading while it moves
// ("STOPPING → STOPPED").
func (c Consumer) StateLine() string {
	if c.DesiredState != "" && c.DesiredState != c.State {
		return c.State + " → " + c.DesiredState
	}
	return c.State
}

// Stopped reports whether c is stopped (or on its way there): what a
// toggle would undo.
func (c Consumer) Stopped() bool {
	switch c.Kind {
	case KindPipe:
		return c.DesiredState == pipeStopped || (c.DesiredState == "" && c.State == pipeStopped)
	case KindESM:
		return c.DesiredState == esmDisabled
	}
	return false
}

// Verb is the AWS word for stopping or starting c: a pipe is stopped and
// started, a mapping disabled and enabled.
func (c Consumer) Verb(stop bool) string { return Verb(c.Kind, stop) }

// Verb is the AWS word for stopping or starting a consumer of kind k.
func Verb(k Kind, stop bool) string {
	switch {
	case k == KindESM && stop:
		return "disable"
	case k == KindESM:
		return "enable"
	case stop:
		return "stop"
	}
	return "start"
}

// Ref names a consumer for Describe, Stop and Start.
type Ref struct {
	Kind Kind
	Name string
}

func (r Ref) String() string {
	if r.Kind == KindESM {
		return "event source mapping " + r.Name
	}
	return "pipe " + r.Name
}

// Ref is c's reference.
func (c Consumer) Ref() Ref { return Ref{Kind: c.Kind, Name: c.Name} }

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseRef reads a consumer's name as an operator types it: "pipe/NAME"
// or "esm/UUID", a mapping's UUID alone, a pipe's or mapping's ARN, or
// else a pipe's name.
func ParseRef(s string) Ref {
	switch {
	case strings.HasPrefix(s, "pipe/"):
		return Ref{KindPipe, strings.TrimPrefix(s, "pipe/")}
	case strings.HasPrefix(s, "esm/"):
		return Ref{KindESM, strings.TrimPrefix(s, "esm/")}
	case strings.HasPrefix(s, "arn:") && strings.Contains(s, ":pipe/"):
		return Ref{KindPipe, s[strings.LastIndex(s, "/")+1:]}
	case strings.HasPrefix(s, "arn:") && strings.Contains(s, ":event-source-mapping:"):
		return Ref{KindESM, s[strings.LastIndex(s, ":")+1:]}
	case uuidPattern.MatchString(s):
		return Ref{KindESM, s}
	}
	return Ref{KindPipe, s}
}

// Package backendtest opens backend sessions on a real engine for tests.
package backendtest

import (
	"context"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// Open starts an engine for the test and opens the local profile on it.
func Open(tb testing.TB, opts ...enginetest.Option) (*backend.Session, *enginetest.Engine) {
	tb.Helper()
	e := enginetest.Start(tb, opts...)
	return OpenOn(tb, e, backend.Env{}), e
}

// OpenOn opens the local profile on a running engine with env (whose Local
// is set to the engine).
func OpenOn(tb testing.TB, e *enginetest.Engine, env backend.Env) *backend.Session {
	tb.Helper()
	env.Local = func(context.Context) (string, error) { return e.URL, nil }
	if env.HTTPClient == nil {
		env.HTTPClient = enginetest.HTTPClient()
	}
	p := backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal, Region: e.Region}
	s, err := backend.Open(context.Background(), p, env)
	if err != nil {
		tb.Fatalf("open local profile: %v", err)
	}
	return s
}

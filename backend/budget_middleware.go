package backend

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// callBudget is what the budget did to one call, across its attempts,
// for the call log: the call log's middleware puts it in the context
// and the budget's fills it in.
type callBudget struct {
	mu     sync.Mutex
	key    APIKey
	keyed  bool
	waited time.Duration
}

type callBudgetKey struct{}

func (c *callBudget) add(k APIKey, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.keyed = k, true
	c.waited += d
}

func (c *callBudget) get() (APIKey, time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.key, c.waited, c.keyed
}

// budgetScope is what a session's calls are keyed by besides the API.
type budgetScope struct {
	profile, region string
	local           bool
	creds           aws.CredentialsProvider
}

// account is the credentials' account when they say, else the profile:
// two profiles of one account then share a budget when the credentials
// name the account (SSO, assume-role), and are kept apart otherwise.
func (sc budgetScope) account(ctx context.Context) string {
	if sc.creds != nil {
		if c, err := sc.creds.Retrieve(ctx); err == nil && c.AccountID != "" {
			return c.AccountID
		}
	}
	return "profile " + sc.profile
}

// key is the budget's key of service.operation called in this scope.
func (sc budgetScope) key(ctx context.Context, service, operation string) APIKey {
	return APIKey{Account: sc.account(ctx), Region: sc.region, Local: sc.local, Service: service, Operation: operation}
}

// budgetMiddleware takes a token of the call's API before each attempt
// (the SDK's retries too, since AWS counts each) and slows the API when
// an attempt is throttled. It sits in Finalize right after the SDK's
// retry loop, so that it paces attempts, not operations.
func budgetMiddleware(b *Budget, sc budgetScope) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		mw := middleware.FinalizeMiddlewareFunc("sluiceBudget",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				k := sc.key(ctx, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
				waited, err := b.Wait(ctx, k)
				if note, ok := ctx.Value(callBudgetKey{}).(*callBudget); ok {
					note.add(k, waited)
				}
				if err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				out, md, err := next.HandleFinalize(ctx, in)
				if err != nil && isThrottled(err) {
					b.Throttled(k)
				}
				return out, md, err
			})
		if _, ok := stack.Finalize.Get("Retry"); ok {
			return stack.Finalize.Insert(mw, "Retry", middleware.After)
		}
		return stack.Finalize.Add(mw, middleware.Before)
	}
}

// takeToken waits for a token of service.operation, as the middleware
// does before each of the SDK's attempts, for a call made without the
// SDK.
func (s *Session) takeToken(ctx context.Context, service, operation string) (APIKey, time.Duration, error) {
	k := s.scope.key(ctx, service, operation)
	waited, err := s.Budget.Wait(ctx, k)
	return k, waited, err
}

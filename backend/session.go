package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	sluiceconfig "github.com/sluicehq/sluice/backend/config"
)

// LocalEngine finds the bundled engine for the local profile: the one
// serving the data directory, else one it starts in-process. cmd/sluice
// provides it, so that backend needs no import of the engine.
type LocalEngine func(ctx context.Context) (endpoint string, err error)

// Env is what opening a session needs besides the profile.
type Env struct {
	Local LocalEngine
	// Calls receives every call; a new log when nil. Share one across
	// profile switches to keep the history.
	Calls *CallLog
	// Region and Endpoint override the profile's for this run (--region,
	// --endpoint-url).
	Region, Endpoint string
	// ReadOnly refuses every write, whatever the profile says.
	ReadOnly bool
	// HTTPClient replaces the SDK's (tests); nil for the default.
	HTTPClient aws.HTTPClient
	// Connections is how many connections to one host the default client
	// keeps open for reuse (DefaultConnections when 0): at least the
	// calls a command makes at once, so that none opens a connection per
	// call.
	Connections int
	// Now is the clock for the call log; time.Now when nil.
	Now func() time.Time
	// Log receives a line for every write (the audit trail); discarded
	// when nil.
	Log *slog.Logger
	// Budget paces every call; the default budget when nil. Share one
	// across profile switches, as Calls.
	Budget *Budget
}

// Session is one profile's SDK configuration and its clients.
type Session struct {
	Profile Profile
	Region  string
	// Endpoint is the custom endpoint when one serves every service (the
	// local engine, --endpoint-url, AWS_ENDPOINT_URL); "" otherwise, and
	// Endpoints says which service goes where.
	Endpoint string
	Calls    *CallLog
	// Budget is the limiter every call of the session passes.
	Budget *Budget
	// Log is where writes are recorded; never the terminal.
	Log *slog.Logger

	readOnly bool
	// readOnlyWhy says what made the session read-only, and the way out.
	readOnlyWhy string
	cfg         aws.Config

	clients
	// endpoints maps each service to its custom endpoint; AWS's own
	// endpoints are absent.
	endpoints map[string]string

	idMu     sync.Mutex
	identity *Identity

	// gaps are the features the endpoint turned out to lack.
	gaps gaps

	// scope and now key and time the calls sluice makes without the SDK
	// (ReadObject, WriteObject) as the middleware does the SDK's.
	scope budgetScope
	now   func() time.Time
	plain plainBuckets
}

// Identity is who the session acts as.
type Identity struct {
	Account, Arn, UserID string
}

// Open builds the SDK configuration of p. It does not call AWS: credentials
// are fetched on the first call, so that a profile whose SSO session has
// expired still opens and reports the fix on that call.
func Open(ctx context.Context, p Profile, env Env) (*Session, error) {
	if env.Calls == nil {
		env.Calls = NewCallLog(0)
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Log == nil {
		env.Log = slog.New(slog.DiscardHandler)
	}
	if env.Budget == nil {
		b, err := NewBudget(sluiceconfig.Budget{}, nil)
		if err != nil {
			return nil, fmt.Errorf("open profile %s: %w", p.Name, err)
		}
		env.Budget = b
	}
	region := firstNonEmpty(env.Region, p.Region)
	// sluice's own endpoint (--endpoint-url, the sluice config's) covers
	// every service; without one, each service's comes from AWS's
	// settings, as the SDK reads them.
	override := firstNonEmpty(env.Endpoint, p.Endpoint)
	logger := newSDKLogger(env.Log)
	var cfg aws.Config
	var err error
	if p.IsLocal() {
		if env.Local == nil {
			return nil, errors.New("open profile local: this build has no bundled engine")
		}
		if override == "" {
			if override, err = env.Local(ctx); err != nil {
				return nil, fmt.Errorf("open profile local: %w", err)
			}
		}
		cfg = aws.Config{
			Region: firstNonEmpty(region, "us-east-1"),
			// The engine takes any key; it reads only the region.
			Credentials:                aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("local", "local", "")),
			RetryMaxAttempts:           3,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
		}
	} else {
		if cfg, err = loadAWSConfig(ctx, p, region, logger); err != nil {
			return nil, fmt.Errorf("open profile %s: %w", p.Name, explainConfig(err, p))
		}
		if cfg.Region == "" {
			return nil, fmt.Errorf("open profile %s: no region: set one in the profile, with --region, or AWS_REGION", p.Name)
		}
	}
	cfg.Logger = logger
	if env.HTTPClient != nil {
		cfg.HTTPClient = env.HTTPClient
	} else {
		cfg.HTTPClient = pooledClient(cfg.HTTPClient, env.Connections)
	}
	scope := budgetScope{profile: p.Name, region: cfg.Region, local: p.IsLocal(), creds: cfg.Credentials}
	cfg.APIOptions = append(cfg.APIOptions, callLogMiddleware(env.Calls, env.Budget, p.Name, env.Now),
		budgetMiddleware(env.Budget, scope))
	s := &Session{
		Profile: p, Region: cfg.Region, Calls: env.Calls, Budget: env.Budget, Log: env.Log,
		readOnly: env.ReadOnly || p.ReadOnly, cfg: cfg, scope: scope, now: env.Now,
	}
	switch {
	case p.ReadOnly:
		s.readOnlyWhy = "profile " + p.Name + " is read-only in the sluice config (pick another profile)"
	case env.ReadOnly:
		s.readOnlyWhy = "sluice runs read-only (drop --readonly)"
	}
	s.clients = newClients(cfg, override, streamRefOption(s))
	s.endpoints = s.clients.endpoints()
	s.Endpoint = commonEndpoint(s.endpoints)
	return s, nil
}

// loadAWSConfig reads p's shared-config profile as the SDK does, with the
// SDK's log sent to sluice's log from the start (loading may warn).
func loadAWSConfig(ctx context.Context, p Profile, region string, logger sdkLogger) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithLogger(logger)}
	if p.AWSProfile != "" {
		opts = append(opts, config.WithSharedConfigProfile(p.AWSProfile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err == nil {
		quietCredentialProcess(ctx, &cfg, p.AWSProfile, logger.log)
	}
	return cfg, err
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// Config is the session's SDK configuration.
func (s *Session) Config() aws.Config { return s.cfg }

// Kinesis is the session's Kinesis client.
func (s *Session) Kinesis() *kinesis.Client { return s.kinesis }

// SQS is the session's SQS client.
func (s *Session) SQS() *sqs.Client { return s.sqs }

// S3 is the session's S3 client.
func (s *Session) S3() *s3.Client { return s.s3 }

// CloudWatch is the session's CloudWatch client.
func (s *Session) CloudWatch() *cloudwatch.Client { return s.cloudwatch }

// Pipes is the session's EventBridge Pipes client.
func (s *Session) Pipes() *pipes.Client { return s.pipes }

// Lambda is the session's Lambda client (event source mappings).
func (s *Session) Lambda() *lambda.Client { return s.lambda }

// EventBridge is the session's EventBridge client.
func (s *Session) EventBridge() *eventbridge.Client { return s.eventbridge }

// STS is the session's STS client.
func (s *Session) STS() *sts.Client { return s.sts }

// ReadOnly reports whether writes are refused.
func (s *Session) ReadOnly() bool { return s.readOnly }

// ReadOnlyReason says why writes are refused and how to allow them; ""
// when they are not.
func (s *Session) ReadOnlyReason() string { return s.readOnlyWhy }

// Identity asks STS who the session is, once; a failure is not cached, so
// that a renewed token is picked up on the next try.
func (s *Session) Identity(ctx context.Context) (Identity, error) {
	s.idMu.Lock()
	cached := s.identity
	s.idMu.Unlock()
	if cached != nil {
		return *cached, nil
	}
	out, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("who am I: %w", s.Explain(err))
	}
	id := Identity{Account: aws.ToString(out.Account), Arn: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}
	s.idMu.Lock()
	s.identity = &id
	s.idMu.Unlock()
	return id, nil
}

// RefreshCredentials drops cached credentials, so that the next call reads
// them anew (after `aws sso login`, or a rotated key).
func (s *Session) RefreshCredentials() {
	if c, ok := s.cfg.Credentials.(*aws.CredentialsCache); ok {
		c.Invalidate()
	}
	s.idMu.Lock()
	s.identity = nil
	s.idMu.Unlock()
}

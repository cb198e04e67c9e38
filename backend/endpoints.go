package backend

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Services are the services a session uses, by the names Failure and
// Endpoints use: the SDK's service ID in lower case.
var Services = []string{"kinesis", "sqs", "s3", "cloudwatch", "pipes", "lambda", "eventbridge", "sts"}

// clients are a session's SDK clients.
type clients struct {
	kinesis     *kinesis.Client
	sqs         *sqs.Client
	s3          *s3.Client
	cloudwatch  *cloudwatch.Client
	pipes       *pipes.Client
	lambda      *lambda.Client
	eventbridge *eventbridge.Client
	sts         *sts.Client
}

// newClients builds every client from cfg. Each SDK client resolves its
// own base endpoint when it is built, with AWS's precedence:
// AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the endpoint_url
// of the profile's services section, then the profile's endpoint_url
// (none of them under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
// ignore_configured_endpoint_urls). override, sluice's own endpoint,
// replaces whatever they chose. Reading the endpoint back from the built
// client (endpoints) means what sluice shows is what the SDK calls.
// kinesisOpts are added to the Kinesis client's (the stream-by-ARN fallback).
func newClients(cfg aws.Config, override string, kinesisOpts ...func(*kinesis.Options)) clients {
	pin := func(resolved *string) *string {
		if override != "" {
			return aws.String(override)
		}
		return resolved
	}
	return clients{
		kinesis: kinesis.NewFromConfig(cfg, append([]func(*kinesis.Options){func(o *kinesis.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }}, kinesisOpts...)...),
		sqs:     sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = pin(o.BaseEndpoint)
			// A custom endpoint has no <bucket>.host DNS
			// (bucket.localhost); path style always works.
			o.UsePathStyle = o.UsePathStyle || aws.ToString(o.BaseEndpoint) != ""
		}),
		cloudwatch:  cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }),
		pipes:       pipes.NewFromConfig(cfg, func(o *pipes.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }),
		lambda:      lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }),
		eventbridge: eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }),
		sts:         sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = pin(o.BaseEndpoint) }),
	}
}

// endpoints maps each service to the custom endpoint its client calls;
// a service that calls AWS's own endpoint is absent.
func (c clients) endpoints() map[string]string {
	all := map[string]*string{
		"kinesis": c.kinesis.Options().BaseEndpoint, "sqs": c.sqs.Options().BaseEndpoint,
		"s3": c.s3.Options().BaseEndpoint, "cloudwatch": c.cloudwatch.Options().BaseEndpoint,
		"pipes": c.pipes.Options().BaseEndpoint, "lambda": c.lambda.Options().BaseEndpoint,
		"eventbridge": c.eventbridge.Options().BaseEndpoint, "sts": c.sts.Options().BaseEndpoint,
	}
	out := map[string]string{}
	for svc, ep := range all {
		if v := aws.ToString(ep); v != "" {
			out[svc] = v
		}
	}
	return out
}

// commonEndpoint is the endpoint every service uses, or "".
func commonEndpoint(eps map[string]string) string {
	if len(eps) != len(Services) {
		return ""
	}
	first := eps[Services[0]]
	for _, svc := range Services {
		if eps[svc] != first {
			return ""
		}
	}
	return first
}

// serviceAliases map the other names a service goes by (SigV4 signing
// names, SDK service IDs with spaces) to the session's.
var serviceAliases = map[string]string{"events": "eventbridge", "monitoring": "cloudwatch"}

func serviceKey(service string) string {
	k := strings.ToLower(strings.ReplaceAll(service, " ", ""))
	if a, ok := serviceAliases[k]; ok {
		return a
	}
	return k
}

// Endpoints maps each service the session uses ("kinesis", "sqs", "s3",
// "cloudwatch", "pipes", "lambda", "eventbridge", "sts") to its custom
// endpoint; services on AWS's own endpoints are absent. The map is a copy.
func (s *Session) Endpoints() map[string]string {
	out := make(map[string]string, len(s.endpoints))
	for k, v := range s.endpoints {
		out[k] = v
	}
	return out
}

// EndpointOf is service's custom endpoint, "" when it is AWS's own.
func (s *Session) EndpointOf(service string) string {
	return s.endpoints[serviceKey(service)]
}

// CustomEndpoint reports whether service is reached through an endpoint
// other than AWS's own: there, a bare 404 means the endpoint lacks the
// service, where on AWS it means a missing resource.
func (s *Session) CustomEndpoint(service string) bool {
	return s.EndpointOf(service) != ""
}

// EndpointSummary says compactly where the session's calls go, for the
// status bar: "" when all go to AWS.
func (s *Session) EndpointSummary() string { return DescribeEndpoints(s.endpoints) }

// DescribeEndpoints says compactly where calls go: one URL when every
// service shares it; else the URL most services share, then the others
// as service=URL (service=aws for AWS's own); "" when all go to AWS.
func DescribeEndpoints(eps map[string]string) string {
	if len(eps) == 0 {
		return ""
	}
	count := map[string]int{}
	for _, svc := range Services {
		count[eps[svc]]++
	}
	urls := make([]string, 0, len(count))
	for u := range count {
		urls = append(urls, u)
	}
	sort.Slice(urls, func(i, j int) bool {
		if count[urls[i]] != count[urls[j]] {
			return count[urls[i]] > count[urls[j]]
		}
		return urls[i] < urls[j]
	})
	major := urls[0]
	var parts []string
	if major != "" && count[major] > len(Services)/2 {
		parts = append(parts, major)
	} else {
		major = ""
	}
	// The rest, grouped by URL: "s3,sqs=http://…"; AWS's own are said
	// only when they differ from a custom default.
	rest := slices.DeleteFunc(urls, func(u string) bool { return u == major || u == "" && major == "" })
	sort.Slice(rest, func(i, j int) bool { return rest[j] == "" || rest[i] != "" && rest[i] < rest[j] })
	for _, u := range rest {
		var svcs []string
		for _, svc := range Services {
			if eps[svc] == u {
				svcs = append(svcs, svc)
			}
		}
		parts = append(parts, strings.Join(svcs, ",")+"="+firstNonEmpty(u, "aws"))
	}
	return strings.Join(parts, " ")
}

// ProfileEndpoints is where p's calls would go, read as Open reads them but
// without starting an engine or calling AWS: for `sluice profiles`. The
// local profile's engine address is known only once it runs, so it gives
// only an explicit endpoint.
func ProfileEndpoints(ctx context.Context, p Profile, override string) (map[string]string, error) {
	override = firstNonEmpty(override, p.Endpoint)
	if p.IsLocal() {
		out := map[string]string{}
		if override != "" {
			for _, svc := range Services {
				out[svc] = override
			}
		}
		return out, nil
	}
	cfg, err := loadAWSConfig(ctx, p, firstNonEmpty(p.Region, "us-east-1"), newSDKLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, fmt.Errorf("endpoints of profile %s: %w", p.Name, err)
	}
	return newClients(cfg, override).endpoints(), nil
}

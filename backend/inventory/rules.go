package inventory

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/sluicehq/sluice/backend"
)

// ruleDLQs finds the dead-letter queues of EventBridge rule targets,
// across every bus, as sources by DLQ ARN, each call bounded by d. A bus
// or rule that cannot be read is a Failure and the others are still
// read; a call that times out or cannot connect ends the walk (the
// service is down, the rest would wait as long).
func ruleDLQs(ctx context.Context, s *backend.Session, d time.Duration) (map[string][]Source, backend.Failures) {
	eb := s.EventBridge()
	found := map[string][]Source{}
	var fs backend.Failures
	// fail records a failure and reports whether the service is down.
	fail := func(resource string, err error) bool {
		f := s.Failure("eventbridge", resource, err)
		fs = append(fs, f)
		return f.Kind == backend.FailTimedOut || f.Kind == backend.FailUnreachable
	}
	var buses []string
	var token *string
	for {
		out, err := bounded(ctx, d, func(ctx context.Context) (*eventbridge.ListEventBusesOutput, error) {
			return eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NextToken: token, Limit: aws.Int32(100)})
		})
		if err != nil {
			if fail("", err) || len(buses) == 0 {
				return found, fs
			}
			break
		}
		for _, b := range out.EventBuses {
			buses = append(buses, aws.ToString(b.Name))
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			break
		}
	}
	for _, bus := range buses {
		token = nil
		for {
			out, err := bounded(ctx, d, func(ctx context.Context) (*eventbridge.ListRulesOutput, error) {
				return eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(bus), NextToken: token, Limit: aws.Int32(100)})
			})
			if err != nil {
				if fail("bus "+bus, err) {
					return found, fs
				}
				break
			}
			for _, r := range out.Rules {
				rule := aws.ToString(r.Name)
				if err := ruleTargetDLQs(ctx, s, d, bus, rule, aws.ToString(r.Arn), found); err != nil {
					if fail("rule "+bus+"/"+rule, err) {
						return found, fs
					}
				}
			}
			if token = out.NextToken; aws.ToString(token) == "" {
				break
			}
		}
	}
	return found, fs
}

func ruleTargetDLQs(ctx context.Context, s *backend.Session, d time.Duration, bus, rule, ruleARN string, found map[string][]Source) error {
	var token *string
	for {
		out, err := bounded(ctx, d, func(ctx context.Context) (*eventbridge.ListTargetsByRuleOutput, error) {
			return s.EventBridge().ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{
				EventBusName: aws.String(bus), Rule: aws.String(rule), NextToken: token, Limit: aws.Int32(100),
			})
		})
		if err != nil {
			return s.Explain(err)
		}
		for _, t := range out.Targets {
			if t.DeadLetterConfig == nil || !isSQSARN(aws.ToString(t.DeadLetterConfig.Arn)) {
				continue
			}
			dlq := aws.ToString(t.DeadLetterConfig.Arn)
			found[dlq] = append(found[dlq], Source{Kind: SourceRule, Name: bus + "/" + rule, ARN: ruleARN})
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			return nil
		}
	}
}

package sqs

import (
	"context"
	"encoding/json"
	"strings"
)

// AddPermission and RemovePermission edit the queue's Policy attribute,
// one statement per label, as SQS does. The engine does not enforce
// policies.

type addPermissionInput struct {
	QueueUrl      string
	Label         *string
	AWSAccountIds []string
	Actions       []string
}

type removePermissionInput struct {
	QueueUrl string
	Label    *string
}

var permissionActions = map[string]bool{
	"*": true, "SendMessage": true, "ReceiveMessage": true, "DeleteMessage": true,
	"ChangeMessageVisibility": true, "GetQueueAttributes": true, "GetQueueUrl": true,
	"ListDeadLetterSourceQueues": true, "PurgeQueue": true, "ListQueueTags": true,
}

type policyDoc struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

type policyStatement struct {
	Sid       string              `json:"Sid"`
	Effect    string              `json:"Effect"`
	Principal map[string][]string `json:"Principal"`
	Action    []string            `json:"Action"`
	Resource  string              `json:"Resource"`
}

func validLabel(l string) bool { return validBatchID(l) }

func statementSid(raw json.RawMessage) string {
	var v struct {
		Sid string `json:"Sid"`
	}
	_ = json.Unmarshal(raw, &v)
	return v.Sid
}

func (s *Service) addPermission(ctx context.Context, in *addPermissionInput) (any, error) {
	if in.Label == nil || *in.Label == "" {
		return nil, errMissing("Label")
	}
	if !validLabel(*in.Label) {
		return nil, errInvalidValue(clip(*in.Label, 100), "Label", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.")
	}
	if len(in.AWSAccountIds) == 0 {
		return nil, errMissing("AWSAccountIds")
	}
	if len(in.Actions) == 0 {
		return nil, errMissing("Actions")
	}
	if len(in.AWSAccountIds) > 100 || len(in.Actions) > 20 {
		return nil, errOverLimit("Too many accounts or actions in one permission.")
	}
	principals := make([]string, 0, len(in.AWSAccountIds))
	for _, a := range in.AWSAccountIds {
		if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
			return nil, errInvalidValue(clip(a, 64), "AWSAccountIds", "Must be a 12-digit account id.")
		}
		principals = append(principals, "arn:aws:iam::"+a+":root")
	}
	actions := make([]string, 0, len(in.Actions))
	for _, a := range in.Actions {
		if !permissionActions[a] {
			return nil, errInvalidValue(clip(a, 64), "Actions", "Unknown action.")
		}
		actions = append(actions, "SQS:"+a)
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	doc := policyDoc{Version: "2012-10-17", ID: q.arn + "/SQSDefaultPolicy"}
	if q.rec.Config.Policy != "" {
		if json.Unmarshal([]byte(q.rec.Config.Policy), &doc) != nil {
			doc = policyDoc{Version: "2012-10-17", ID: q.arn + "/SQSDefaultPolicy"}
		}
	}
	for _, st := range doc.Statement {
		if statementSid(st) == *in.Label {
			s.mu.Unlock()
			return nil, errInvalidValue(*in.Label, "Label", "Already exists.")
		}
	}
	st, _ := json.Marshal(policyStatement{Sid: *in.Label, Effect: "Allow",
		Principal: map[string][]string{"AWS": principals}, Action: actions, Resource: q.arn})
	doc.Statement = append(doc.Statement, st)
	policy, _ := json.Marshal(doc)
	if len(policy) > maxPolicyBytes {
		s.mu.Unlock()
		return nil, errOverLimit("The queue's policy would exceed %d bytes.", maxPolicyBytes)
	}
	q.rec.Config.Policy = string(policy)
	q.rec.Modified = s.now()
	done := s.putRecordLocked(q)
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) removePermission(ctx context.Context, in *removePermissionInput) (any, error) {
	if in.Label == nil || *in.Label == "" {
		return nil, errMissing("Label")
	}
	q, err := s.lockQueue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	var doc policyDoc
	found := -1
	if q.rec.Config.Policy != "" && json.Unmarshal([]byte(q.rec.Config.Policy), &doc) == nil {
		for i, st := range doc.Statement {
			if statementSid(st) == *in.Label {
				found = i
			}
		}
	}
	if found < 0 {
		s.mu.Unlock()
		return nil, errInvalidValue(clip(*in.Label, 100), "Label", "can't find label.")
	}
	doc.Statement = append(doc.Statement[:found], doc.Statement[found+1:]...)
	if len(doc.Statement) == 0 {
		q.rec.Config.Policy = ""
	} else {
		policy, _ := json.Marshal(doc)
		q.rec.Config.Policy = string(policy)
	}
	q.rec.Modified = s.now()
	done := s.putRecordLocked(q)
	s.mu.Unlock()
	if err := <-done; err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

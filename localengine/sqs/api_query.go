package sqs

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"sort"

	"github.com/sluicehq/sluice/localengine/wire"
)

const queryNamespace = "http://queue.amazonaws.com/doc/2012-11-05/"

// respond wraps an action's result in the query protocol's envelope.
func respond(ctx context.Context, action string, result any) *wire.QueryResponse {
	return wire.NewQueryResponse(queryNamespace, action, wire.Info(ctx).RequestID, result)
}

type xmlNameValue struct {
	Name  string
	Value string
}

type xmlKeyValue struct {
	Key   string
	Value string
}

type xmlBatchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

func xmlErrors(in []batchError) []xmlBatchError {
	out := make([]xmlBatchError, len(in))
	for i, e := range in {
		out[i] = xmlBatchError(e)
	}
	return out
}

func sortedPairs(m map[string]string) []xmlNameValue {
	out := make([]xmlNameValue, 0, len(m))
	for k, v := range m {
		out = append(out, xmlNameValue{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type queryHandler func(s *Service, ctx context.Context, p queryParams) (any, error)

// noResult answers actions whose query response holds only metadata.
func noResult[In any](action string, decode func(p queryParams) (*In, error),
	call func(s *Service, ctx context.Context, in *In) (any, error)) queryHandler {
	return func(s *Service, ctx context.Context, p queryParams) (any, error) {
		in, err := decode(p)
		if err != nil {
			return nil, err
		}
		if _, err := call(s, ctx, in); err != nil {
			return nil, err
		}
		return respond(ctx, action, nil), nil
	}
}

func urlOnly(p queryParams) (*queueURLInput, error) {
	return &queueURLInput{QueueUrl: p.queueURL()}, nil
}

var queryActions = map[string]queryHandler{
	"CreateQueue":        queryCreateQueue,
	"DeleteQueue":        noResult("DeleteQueue", urlOnly, (*Service).deleteQueue),
	"GetQueueUrl":        queryGetQueueURL,
	"ListQueues":         queryListQueues,
	"PurgeQueue":         noResult("PurgeQueue", urlOnly, (*Service).purgeQueue),
	"ListQueueTags":      queryListQueueTags,
	"GetQueueAttributes": queryGetQueueAttributes,
	"SetQueueAttributes": noResult("SetQueueAttributes", func(p queryParams) (*setQueueAttributesInput, error) {
		return &setQueueAttributesInput{QueueUrl: p.queueURL(), Attributes: p.pairs("Attribute", "Name", "Value")}, nil
	}, (*Service).setQueueAttributes),
	"TagQueue": noResult("TagQueue", func(p queryParams) (*tagQueueInput, error) {
		return &tagQueueInput{QueueUrl: p.queueURL(), Tags: p.pairs("Tag", "Key", "Value")}, nil
	}, (*Service).tagQueue),
	"UntagQueue": noResult("UntagQueue", func(p queryParams) (*untagQueueInput, error) {
		return &untagQueueInput{QueueUrl: p.queueURL(), TagKeys: p.list("TagKey")}, nil
	}, (*Service).untagQueue),
	"ListDeadLetterSourceQueues":   queryListDLSources,
	"SendMessage":                  querySendMessage,
	"SendMessageBatch":             querySendMessageBatch,
	"ReceiveMessage":               queryReceiveMessage,
	"DeleteMessage":                noResult("DeleteMessage", decodeDelete, (*Service).deleteMessage),
	"DeleteMessageBatch":           queryDeleteMessageBatch,
	"ChangeMessageVisibility":      noResult("ChangeMessageVisibility", decodeChangeVisibility, (*Service).changeMessageVisibility),
	"ChangeMessageVisibilityBatch": queryChangeVisibilityBatch,
	"StartMessageMoveTask":         queryStartMoveTask,
	"CancelMessageMoveTask":        queryCancelMoveTask,
	"ListMessageMoveTasks":         queryListMoveTasks,
	"AddPermission": noResult("AddPermission", func(p queryParams) (*addPermissionInput, error) {
		return &addPermissionInput{QueueUrl: p.queueURL(), Label: p.str("Label"),
			AWSAccountIds: p.list("AWSAccountId"), Actions: p.list("ActionName")}, nil
	}, (*Service).addPermission),
	"RemovePermission": noResult("RemovePermission", func(p queryParams) (*removePermissionInput, error) {
		return &removePermissionInput{QueueUrl: p.queueURL(), Label: p.str("Label")}, nil
	}, (*Service).removePermission),
}

func queryCreateQueue(s *Service, ctx context.Context, p queryParams) (any, error) {
	in := &createQueueInput{QueueName: p.str("QueueName"), Attributes: p.pairs("Attribute", "Name", "Value"),
		Tags: p.pairs("Tag", "Key", "Value")}
	out, err := s.createQueue(ctx, in)
	if err != nil {
		return nil, err
	}
	return respond(ctx, "CreateQueue", &struct {
		XMLName  xml.Name `xml:"CreateQueueResult"`
		QueueUrl string
	}{QueueUrl: out.QueueUrl}), nil
}

func queryGetQueueURL(s *Service, ctx context.Context, p queryParams) (any, error) {
	out, err := s.getQueueURL(ctx, &getQueueURLInput{QueueName: p.str("QueueName"),
		QueueOwnerAWSAccountId: p.str("QueueOwnerAWSAccountId")})
	if err != nil {
		return nil, err
	}
	return respond(ctx, "GetQueueUrl", &struct {
		XMLName  xml.Name `xml:"GetQueueUrlResult"`
		QueueUrl string
	}{QueueUrl: out.QueueUrl}), nil
}

type xmlURLList struct {
	XMLName   xml.Name
	QueueUrl  []string
	NextToken string `xml:",omitempty"`
}

func queryListQueues(s *Service, ctx context.Context, p queryParams) (any, error) {
	max, err := p.int("MaxResults")
	if err != nil {
		return nil, err
	}
	out, err := s.listQueues(ctx, &listQueuesInput{QueueNamePrefix: p.str("QueueNamePrefix"),
		MaxResults: max, NextToken: p.str("NextToken")})
	if err != nil {
		return nil, err
	}
	return respond(ctx, "ListQueues", &xmlURLList{XMLName: xml.Name{Local: "ListQueuesResult"},
		QueueUrl: out.QueueUrls, NextToken: out.NextToken}), nil
}

func queryListDLSources(s *Service, ctx context.Context, p queryParams) (any, error) {
	max, err := p.int("MaxResults")
	if err != nil {
		return nil, err
	}
	out, err := s.listDeadLetterSourceQueues(ctx, &listDLSourcesInput{QueueUrl: p.queueURL(),
		MaxResults: max, NextToken: p.str("NextToken")})
	if err != nil {
		return nil, err
	}
	return respond(ctx, "ListDeadLetterSourceQueues", &xmlURLList{
		XMLName:  xml.Name{Local: "ListDeadLetterSourceQueuesResult"},
		QueueUrl: out.QueueUrls, NextToken: out.NextToken}), nil
}

func queryListQueueTags(s *Service, ctx context.Context, p queryParams) (any, error) {
	out, err := s.listQueueTags(ctx, &queueURLInput{QueueUrl: p.queueURL()})
	if err != nil {
		return nil, err
	}
	res := &struct {
		XMLName xml.Name `xml:"ListQueueTagsResult"`
		Tag     []xmlKeyValue
	}{}
	for _, kv := range sortedPairs(out.Tags) {
		res.Tag = append(res.Tag, xmlKeyValue{Key: kv.Name, Value: kv.Value})
	}
	return respond(ctx, "ListQueueTags", res), nil
}

func queryGetQueueAttributes(s *Service, ctx context.Context, p queryParams) (any, error) {
	out, err := s.getQueueAttributes(ctx, &getQueueAttributesInput{QueueUrl: p.queueURL(),
		AttributeNames: p.list("AttributeName")})
	if err != nil {
		return nil, err
	}
	return respond(ctx, "GetQueueAttributes", &struct {
		XMLName   xml.Name `xml:"GetQueueAttributesResult"`
		Attribute []xmlNameValue
	}{Attribute: sortedPairs(out.Attributes)}), nil
}

type xmlSendResult struct {
	Id                           string `xml:",omitempty"`
	MessageId                    string
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `xml:",omitempty"`
	MD5OfMessageSystemAttributes string `xml:",omitempty"`
	SequenceNumber               string `xml:",omitempty"`
}

func xmlSend(id string, o *sendMessageOutput) xmlSendResult {
	return xmlSendResult{Id: id, MessageId: o.MessageId, MD5OfMessageBody: o.MD5OfMessageBody,
		MD5OfMessageAttributes: o.MD5OfMessageAttributes, MD5OfMessageSystemAttributes: o.MD5OfMessageSystemAttributes,
		SequenceNumber: o.SequenceNumber}
}

func decodeSend(p queryParams) (*sendMessageInput, error) {
	delay, err := p.int("DelaySeconds")
	if err != nil {
		return nil, err
	}
	attrs, err := p.messageAttrs("MessageAttribute")
	if err != nil {
		return nil, err
	}
	sys, err := p.messageAttrs("MessageSystemAttribute")
	if err != nil {
		return nil, err
	}
	return &sendMessageInput{QueueUrl: p.queueURL(), MessageBody: textOf(p.str("MessageBody")), DelaySeconds: delay,
		MessageAttributes: attrs, MessageSystemAttributes: sys,
		MessageDeduplicationId: p.str("MessageDeduplicationId"), MessageGroupId: p.str("MessageGroupId")}, nil
}

func querySendMessage(s *Service, ctx context.Context, p queryParams) (any, error) {
	in, err := decodeSend(p)
	if err != nil {
		return nil, err
	}
	out, err := s.sendMessage(ctx, in)
	if err != nil {
		return nil, err
	}
	return respond(ctx, "SendMessage", &struct {
		XMLName xml.Name `xml:"SendMessageResult"`
		xmlSendResult
	}{xmlSendResult: xmlSend("", out)}), nil
}

func querySendMessageBatch(s *Service, ctx context.Context, p queryParams) (any, error) {
	in := &sendMessageBatchInput{QueueUrl: p.queueURL()}
	for _, g := range p.indexed("SendMessageBatchRequestEntry") {
		e, err := decodeSend(g)
		if err != nil {
			return nil, err
		}
		in.Entries = append(in.Entries, sendBatchEntry{Id: g.get("Id"), MessageBody: e.MessageBody,
			DelaySeconds: e.DelaySeconds, MessageAttributes: e.MessageAttributes,
			MessageSystemAttributes: e.MessageSystemAttributes,
			MessageDeduplicationId:  e.MessageDeduplicationId, MessageGroupId: e.MessageGroupId})
	}
	out, err := s.sendMessageBatch(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &struct {
		XMLName                     xml.Name `xml:"SendMessageBatchResult"`
		SendMessageBatchResultEntry []xmlSendResult
		BatchResultErrorEntry       []xmlBatchError
	}{BatchResultErrorEntry: xmlErrors(out.Failed)}
	for i := range out.Successful {
		res.SendMessageBatchResultEntry = append(res.SendMessageBatchResultEntry,
			xmlSend(out.Successful[i].Id, &out.Successful[i].sendMessageOutput))
	}
	return respond(ctx, "SendMessageBatch", res), nil
}

type xmlAttrValue struct {
	StringValue string `xml:",omitempty"`
	BinaryValue string `xml:",omitempty"` // base64
	DataType    string
}

type xmlMessageAttr struct {
	Name  string
	Value xmlAttrValue
}

type xmlMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attribute              []xmlNameValue
	MD5OfMessageAttributes string `xml:",omitempty"`
	MessageAttribute       []xmlMessageAttr
}

func queryReceiveMessage(s *Service, ctx context.Context, p queryParams) (any, error) {
	in := &receiveMessageInput{QueueUrl: p.queueURL(), AttributeNames: p.list("AttributeName"),
		MessageSystemAttributeNames: p.list("MessageSystemAttributeName"),
		MessageAttributeNames:       p.list("MessageAttributeName"),
		ReceiveRequestAttemptId:     p.str("ReceiveRequestAttemptId")}
	var err error
	if in.MaxNumberOfMessages, err = p.int("MaxNumberOfMessages"); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout, err = p.int("VisibilityTimeout"); err != nil {
		return nil, err
	}
	if in.WaitTimeSeconds, err = p.int("WaitTimeSeconds"); err != nil {
		return nil, err
	}
	out, err := s.receiveMessage(ctx, in)
	if err != nil {
		return nil, err
	}
	res := &struct {
		XMLName xml.Name `xml:"ReceiveMessageResult"`
		Message []xmlMessage
	}{}
	for _, m := range out.Messages {
		xm := xmlMessage{MessageId: m.MessageId, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody,
			Body: m.Body, Attribute: sortedPairs(m.Attributes), MD5OfMessageAttributes: m.MD5OfMessageAttributes}
		names := make([]string, 0, len(m.MessageAttributes))
		for n := range m.MessageAttributes {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			a := m.MessageAttributes[n]
			v := xmlAttrValue{DataType: a.DataType}
			if a.BinaryValue != nil {
				v.BinaryValue = base64.StdEncoding.EncodeToString(a.BinaryValue)
			}
			if a.StringValue != nil {
				v.StringValue = *a.StringValue
			}
			xm.MessageAttribute = append(xm.MessageAttribute, xmlMessageAttr{Name: n, Value: v})
		}
		res.Message = append(res.Message, xm)
	}
	return respond(ctx, "ReceiveMessage", res), nil
}

func decodeDelete(p queryParams) (*deleteMessageInput, error) {
	return &deleteMessageInput{QueueUrl: p.queueURL(), ReceiptHandle: p.str("ReceiptHandle")}, nil
}

func decodeChangeVisibility(p queryParams) (*changeVisibilityInput, error) {
	v, err := p.int("VisibilityTimeout")
	if err != nil {
		return nil, err
	}
	return &changeVisibilityInput{QueueUrl: p.queueURL(), ReceiptHandle: p.str("ReceiptHandle"), VisibilityTimeout: v}, nil
}

type xmlBatchResult struct {
	XMLName xml.Name
	Entries []xmlIDEntry
	Failed  []xmlBatchError `xml:"BatchResultErrorEntry"`
}

type xmlIDEntry struct {
	XMLName xml.Name
	Id      string
}

func xmlBatch(action, entry string, out *batchOutput) *xmlBatchResult {
	r := &xmlBatchResult{XMLName: xml.Name{Local: action + "Result"}, Failed: xmlErrors(out.Failed)}
	for _, s := range out.Successful {
		r.Entries = append(r.Entries, xmlIDEntry{XMLName: xml.Name{Local: entry}, Id: s.Id})
	}
	return r
}

func queryDeleteMessageBatch(s *Service, ctx context.Context, p queryParams) (any, error) {
	in := &deleteMessageBatchInput{QueueUrl: p.queueURL()}
	for _, g := range p.indexed("DeleteMessageBatchRequestEntry") {
		in.Entries = append(in.Entries, deleteBatchEntry{Id: g.get("Id"), ReceiptHandle: g.str("ReceiptHandle")})
	}
	out, err := s.deleteMessageBatch(ctx, in)
	if err != nil {
		return nil, err
	}
	return respond(ctx, "DeleteMessageBatch", xmlBatch("DeleteMessageBatch", "DeleteMessageBatchResultEntry", out)), nil
}

func queryChangeVisibilityBatch(s *Service, ctx context.Context, p queryParams) (any, error) {
	in := &changeVisibilityBatchInput{QueueUrl: p.queueURL()}
	for _, g := range p.indexed("ChangeMessageVisibilityBatchRequestEntry") {
		v, err := g.int("VisibilityTimeout")
		if err != nil {
			return nil, err
		}
		in.Entries = append(in.Entries, changeVisibilityBatchEntry{Id: g.get("Id"),
			ReceiptHandle: g.str("ReceiptHandle"), VisibilityTimeout: v})
	}
	out, err := s.changeMessageVisibilityBatch(ctx, in)
	if err != nil {
		return nil, err
	}
	return respond(ctx, "ChangeMessageVisibilityBatch",
		xmlBatch("ChangeMessageVisibilityBatch", "ChangeMessageVisibilityBatchResultEntry", out)), nil
}

func queryStartMoveTask(s *Service, ctx context.Context, p queryParams) (any, error) {
	rate, err := p.int("MaxNumberOfMessagesPerSecond")
	if err != nil {
		return nil, err
	}
	out, err := s.startMessageMoveTask(ctx, &startMoveTaskInput{SourceArn: p.str("SourceArn"),
		DestinationArn: p.str("DestinationArn"), MaxNumberOfMessagesPerSecond: rate})
	if err != nil {
		return nil, err
	}
	return respond(ctx, "StartMessageMoveTask", &struct {
		XMLName    xml.Name `xml:"StartMessageMoveTaskResult"`
		TaskHandle string
	}{TaskHandle: out.TaskHandle}), nil
}

func queryCancelMoveTask(s *Service, ctx context.Context, p queryParams) (any, error) {
	out, err := s.cancelMessageMoveTask(ctx, &cancelMoveTaskInput{TaskHandle: p.str("TaskHandle")})
	if err != nil {
		return nil, err
	}
	return respond(ctx, "CancelMessageMoveTask", &struct {
		XMLName                          xml.Name `xml:"CancelMessageMoveTaskResult"`
		ApproximateNumberOfMessagesMoved int64
	}{ApproximateNumberOfMessagesMoved: out.ApproximateNumberOfMessagesMoved}), nil
}

type xmlMoveTask struct {
	TaskHandle                        string `xml:",omitempty"`
	Status                            string
	SourceArn                         string
	DestinationArn                    string `xml:",omitempty"`
	MaxNumberOfMessagesPerSecond      *int64 `xml:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove *int64 `xml:",omitempty"`
	FailureReason                     string `xml:",omitempty"`
	StartedTimestamp                  int64
}

func queryListMoveTasks(s *Service, ctx context.Context, p queryParams) (any, error) {
	max, err := p.int("MaxResults")
	if err != nil {
		return nil, err
	}
	out, err := s.listMessageMoveTasks(ctx, &listMoveTasksInput{SourceArn: p.str("SourceArn"), MaxResults: max})
	if err != nil {
		return nil, err
	}
	res := &struct {
		XMLName xml.Name      `xml:"ListMessageMoveTasksResult"`
		Entries []xmlMoveTask `xml:"ListMessageMoveTasksResultEntry"`
	}{}
	for _, t := range out.Results {
		res.Entries = append(res.Entries, xmlMoveTask(t))
	}
	return respond(ctx, "ListMessageMoveTasks", res), nil
}

package sqs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// queryCall posts a query-protocol form, as the aws CLI v1 and older
// boto3 do, signed for eu-central-1 when sign is set, else for the
// default region (us-east-1).
func queryCall(t *testing.T, target string, form url.Values, sign bool) (int, []byte) {
	t.Helper()
	if form.Get("Version") == "" {
		form.Set("Version", "2012-11-05")
	}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	region := "us-east-1"
	if sign {
		region = "eu-central-1"
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sqs", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func decodeXML(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := xml.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

type xmlMeta struct {
	RequestId string `xml:"ResponseMetadata>RequestId"`
}

type xmlNV struct {
	Name  string
	Value string
}

func TestQueryProtocol(t *testing.T) {
	f := start(t)
	base := f.e.URL + "/"

	status, body := queryCall(t, base, url.Values{"Action": {"CreateQueue"}, "QueueName": {"legacy"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"40"},
		"Tag.1.Key": {"team"}, "Tag.1.Value": {"ops"}}, false)
	equal(t, "status", status, http.StatusOK)
	var created struct {
		XMLName  xml.Name
		QueueUrl string `xml:"CreateQueueResult>QueueUrl"`
		xmlMeta
	}
	decodeXML(t, body, &created)
	equal(t, "root", created.XMLName.Local, "CreateQueueResponse")
	equal(t, "namespace", created.XMLName.Space, "http://queue.amazonaws.com/doc/2012-11-05/")
	equal(t, "queue url", created.QueueUrl, f.e.URL+"/000000000000/legacy")
	if created.RequestId == "" {
		t.Fatal("no RequestId")
	}

	status, body = queryCall(t, base, url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.QueueUrl},
		"MessageBody":             {"<hello & \"world\">\r\n"},
		"MessageAttribute.1.Name": {"timestamp"}, "MessageAttribute.1.Value.DataType": {"Number"},
		"MessageAttribute.1.Value.StringValue": {"1493147359900"},
		"DelaySeconds":                         {"0"}}, false)
	equal(t, "send status", status, http.StatusOK)
	var sent struct {
		MessageId              string `xml:"SendMessageResult>MessageId"`
		MD5OfMessageBody       string `xml:"SendMessageResult>MD5OfMessageBody"`
		MD5OfMessageAttributes string `xml:"SendMessageResult>MD5OfMessageAttributes"`
	}
	decodeXML(t, body, &sent)
	equal(t, "attribute digest", sent.MD5OfMessageAttributes, "235c5c510d26fb653d073faed50ae77c")
	if sent.MessageId == "" || len(sent.MD5OfMessageBody) != 32 {
		t.Fatalf("send result %s", body)
	}

	// Posted to the queue URL itself, with no QueueUrl parameter.
	status, body = queryCall(t, created.QueueUrl, url.Values{"Action": {"ReceiveMessage"},
		"AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"}, "MaxNumberOfMessages": {"5"}}, false)
	equal(t, "receive status", status, http.StatusOK)
	var received struct {
		Messages []struct {
			MessageId              string
			ReceiptHandle          string
			MD5OfBody              string
			Body                   string
			Attribute              []xmlNV
			MD5OfMessageAttributes string
			MessageAttribute       []struct {
				Name  string
				Value struct {
					StringValue string
					DataType    string
				}
			}
		} `xml:"ReceiveMessageResult>Message"`
	}
	decodeXML(t, body, &received)
	if len(received.Messages) != 1 {
		t.Fatalf("receive: %s", body)
	}
	m := received.Messages[0]
	equal(t, "body survives XML", m.Body, "<hello & \"world\">\r\n")
	equal(t, "id", m.MessageId, sent.MessageId)
	equal(t, "body digest", m.MD5OfBody, sent.MD5OfMessageBody)
	equal(t, "attribute digest", m.MD5OfMessageAttributes, "235c5c510d26fb653d073faed50ae77c")
	equal(t, "message attribute", m.MessageAttribute[0].Value.StringValue, "1493147359900")
	equal(t, "attribute type", m.MessageAttribute[0].Value.DataType, "Number")
	attrs := map[string]string{}
	for _, a := range m.Attribute {
		attrs[a.Name] = a.Value
	}
	equal(t, "receive count", attrs["ApproximateReceiveCount"], "1")

	status, body = queryCall(t, base, url.Values{"Action": {"GetQueueAttributes"}, "QueueUrl": {created.QueueUrl},
		"AttributeName.1": {"All"}}, false)
	equal(t, "attributes status", status, http.StatusOK)
	var qattrs struct {
		Attributes []xmlNV `xml:"GetQueueAttributesResult>Attribute"`
	}
	decodeXML(t, body, &qattrs)
	got := map[string]string{}
	for _, a := range qattrs.Attributes {
		got[a.Name] = a.Value
	}
	equal(t, "visibility", got["VisibilityTimeout"], "40")
	equal(t, "in flight", got["ApproximateNumberOfMessagesNotVisible"], "1")

	status, body = queryCall(t, base, url.Values{"Action": {"DeleteMessage"}, "QueueUrl": {created.QueueUrl},
		"ReceiptHandle": {m.ReceiptHandle}}, false)
	equal(t, "delete status", status, http.StatusOK)
	var deleted struct {
		XMLName xml.Name
		xmlMeta
	}
	decodeXML(t, body, &deleted)
	equal(t, "delete root", deleted.XMLName.Local, "DeleteMessageResponse")

	// Batches.
	status, body = queryCall(t, base, url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {created.QueueUrl},
		"SendMessageBatchRequestEntry.1.Id": {"a"}, "SendMessageBatchRequestEntry.1.MessageBody": {"one"},
		"SendMessageBatchRequestEntry.2.Id": {"b"}, "SendMessageBatchRequestEntry.2.MessageBody": {"two"},
		"SendMessageBatchRequestEntry.2.MessageAttribute.1.Name":              {"bin"},
		"SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType":    {"Binary"},
		"SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.BinaryValue": {"AAEC"},
		"SendMessageBatchRequestEntry.3.Id":                                   {"c"}, "SendMessageBatchRequestEntry.3.MessageBody": {"\x01"},
	}, false)
	equal(t, "batch status", status, http.StatusOK)
	var batch struct {
		OK []struct {
			Id        string
			MessageId string
		} `xml:"SendMessageBatchResult>SendMessageBatchResultEntry"`
		Failed []struct {
			Id          string
			Code        string
			SenderFault bool
		} `xml:"SendMessageBatchResult>BatchResultErrorEntry"`
	}
	decodeXML(t, body, &batch)
	equal(t, "batch ok", len(batch.OK), 2)
	equal(t, "batch failed", len(batch.Failed), 1)
	equal(t, "failed code", batch.Failed[0].Code, "InvalidMessageContents")

	status, body = queryCall(t, base, url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {created.QueueUrl},
		"MaxNumberOfMessages": {"10"}, "MessageAttributeName.1": {"bin"}}, false)
	equal(t, "receive status", status, http.StatusOK)
	var two struct {
		Messages []struct {
			ReceiptHandle    string
			MessageAttribute []struct {
				Value struct{ BinaryValue string }
			}
		} `xml:"ReceiveMessageResult>Message"`
	}
	decodeXML(t, body, &two)
	equal(t, "two received", len(two.Messages), 2)
	equal(t, "binary as base64", two.Messages[1].MessageAttribute[0].Value.BinaryValue, "AAEC")
	status, body = queryCall(t, base, url.Values{"Action": {"DeleteMessageBatch"}, "QueueUrl": {created.QueueUrl},
		"DeleteMessageBatchRequestEntry.1.Id": {"x"}, "DeleteMessageBatchRequestEntry.1.ReceiptHandle": {two.Messages[0].ReceiptHandle},
		"DeleteMessageBatchRequestEntry.2.Id": {"y"}, "DeleteMessageBatchRequestEntry.2.ReceiptHandle": {two.Messages[1].ReceiptHandle},
	}, false)
	equal(t, "delete batch status", status, http.StatusOK)
	var dels struct {
		IDs []string `xml:"DeleteMessageBatchResult>DeleteMessageBatchResultEntry>Id"`
	}
	decodeXML(t, body, &dels)
	equalSlices(t, "deleted ids", dels.IDs, []string{"x", "y"})

	status, body = queryCall(t, base, url.Values{"Action": {"ListQueues"}}, false)
	equal(t, "list status", status, http.StatusOK)
	var list struct {
		URLs []string `xml:"ListQueuesResult>QueueUrl"`
	}
	decodeXML(t, body, &list)
	equalSlices(t, "list", list.URLs, []string{created.QueueUrl})

	status, body = queryCall(t, base, url.Values{"Action": {"ListQueueTags"}, "QueueUrl": {created.QueueUrl}}, false)
	equal(t, "tags status", status, http.StatusOK)
	var tags struct {
		Tags []struct{ Key, Value string } `xml:"ListQueueTagsResult>Tag"`
	}
	decodeXML(t, body, &tags)
	equal(t, "tag", tags.Tags[0].Key+"="+tags.Tags[0].Value, "team=ops")
}

func TestQueryErrors(t *testing.T) {
	f := start(t)
	base := f.e.URL + "/"
	type queryError struct {
		Type      string `xml:"Error>Type"`
		Code      string `xml:"Error>Code"`
		Message   string `xml:"Error>Message"`
		RequestId string
	}
	status, body := queryCall(t, base, url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}}, false)
	equal(t, "status", status, http.StatusBadRequest)
	var qe queryError
	decodeXML(t, body, &qe)
	equal(t, "legacy code", qe.Code, "AWS.SimpleQueueService.NonExistentQueue")
	equal(t, "fault", qe.Type, "Sender")
	if qe.RequestId == "" || qe.Message == "" {
		t.Fatalf("error body %s", body)
	}

	status, body = queryCall(t, base, url.Values{"Action": {"CreateQueue"}, "QueueName": {"x"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"-5"}}, false)
	equal(t, "status", status, http.StatusBadRequest)
	decodeXML(t, body, &qe)
	equal(t, "attribute value", qe.Code, "InvalidAttributeValue")

	status, body = queryCall(t, base, url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {f.e.URL + "/000000000000/x"},
		"MaxNumberOfMessages": {"many"}}, false)
	equal(t, "status", status, http.StatusBadRequest)
	decodeXML(t, body, &qe)
	equal(t, "not an integer", qe.Code, "InvalidParameterValue")

	status, body = queryCall(t, base, url.Values{"Action": {"Frobnicate"}}, false)
	equal(t, "status", status, http.StatusBadRequest)
	decodeXML(t, body, &qe)
	equal(t, "unknown action", qe.Code, "InvalidAction")
}

func TestQuerySigned(t *testing.T) {
	f := start(t)
	// The region comes from the signature.
	status, body := queryCall(t, f.e.URL+"/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"signed"}}, true)
	equal(t, "status", status, http.StatusOK)
	status, body = queryCall(t, f.e.URL+"/", url.Values{"Action": {"GetQueueAttributes"},
		"QueueUrl": {f.e.URL + "/000000000000/signed"}, "AttributeName.1": {"QueueArn"}}, true)
	equal(t, "status", status, http.StatusOK)
	var attrs struct {
		Attributes []xmlNV `xml:"GetQueueAttributesResult>Attribute"`
	}
	decodeXML(t, body, &attrs)
	equal(t, "arn", attrs.Attributes[0].Value, "arn:aws:sqs:eu-central-1:000000000000:signed")
}

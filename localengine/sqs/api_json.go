package sqs

import (
	"context"

	"github.com/sluicehq/sluice/localengine/wire"
)

type jsonHandler func(s *Service, ctx context.Context, body []byte) (any, error)

// jsonAction decodes the body into a fresh In and calls the core action.
func jsonAction[In any, Out any](call func(s *Service, ctx context.Context, in *In) (Out, error)) jsonHandler {
	return func(s *Service, ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := wire.DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := call(s, ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// jsonActions are the actions of the JSON 1.0 protocol, by X-Amz-Target
// suffix.
var jsonActions = map[string]jsonHandler{
	"CreateQueue":                  jsonAction((*Service).createQueue),
	"DeleteQueue":                  jsonAction((*Service).deleteQueue),
	"GetQueueUrl":                  jsonAction((*Service).getQueueURL),
	"ListQueues":                   jsonAction((*Service).listQueues),
	"GetQueueAttributes":           jsonAction((*Service).getQueueAttributes),
	"SetQueueAttributes":           jsonAction((*Service).setQueueAttributes),
	"TagQueue":                     jsonAction((*Service).tagQueue),
	"UntagQueue":                   jsonAction((*Service).untagQueue),
	"ListQueueTags":                jsonAction((*Service).listQueueTags),
	"PurgeQueue":                   jsonAction((*Service).purgeQueue),
	"ListDeadLetterSourceQueues":   jsonAction((*Service).listDeadLetterSourceQueues),
	"SendMessage":                  jsonAction((*Service).sendMessage),
	"SendMessageBatch":             jsonAction((*Service).sendMessageBatch),
	"ReceiveMessage":               jsonAction((*Service).receiveMessage),
	"DeleteMessage":                jsonAction((*Service).deleteMessage),
	"DeleteMessageBatch":           jsonAction((*Service).deleteMessageBatch),
	"ChangeMessageVisibility":      jsonAction((*Service).changeMessageVisibility),
	"ChangeMessageVisibilityBatch": jsonAction((*Service).changeMessageVisibilityBatch),
	"StartMessageMoveTask":         jsonAction((*Service).startMessageMoveTask),
	"CancelMessageMoveTask":        jsonAction((*Service).cancelMessageMoveTask),
	"ListMessageMoveTasks":         jsonAction((*Service).listMessageMoveTasks),
	"AddPermission":                jsonAction((*Service).addPermission),
	"RemovePermission":             jsonAction((*Service).removePermission),
}

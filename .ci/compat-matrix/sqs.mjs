// A tiny SQS client for the compatibility matrix, built on the AWS SDK for
// JavaScript v3 that fauxqs itself depends on (a release that runs on
// Node 20). Debian's aws CLI 2.9 speaks SQS's query protocol, which fauxqs
// does not serve (it routes form-encoded requests to SNS: "Unknown action").
//
//   node sqs.mjs ENDPOINT create QUEUE          prints the queue URL
//   node sqs.mjs ENDPOINT send QUEUE FILE       sends FILE's content, prints the message id
//   node sqs.mjs ENDPOINT count QUEUE           prints visible+in-flight messages
//
// Credentials and region come from the environment (AWS_ACCESS_KEY_ID, …).
import { readFileSync } from "node:fs";
import {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, SendMessageCommand, GetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";

const [endpoint, action, queue, file] = process.argv.slice(2);
const sqs = new SQSClient({ endpoint, region: process.env.AWS_REGION ?? "us-east-1" });
const queueUrl = async () => (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;

switch (action) {
  case "create":
    console.log((await sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl);
    break;
  case "send": {
    const out = await sqs.send(new SendMessageCommand({ QueueUrl: await queueUrl(), MessageBody: readFileSync(file, "utf8") }));
    console.log(out.MessageId);
    break;
  }
  case "count": {
    const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: await queueUrl(),
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }));
    console.log(Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible));
    break;
  }
  default:
    console.error(`sqs.mjs: unknown action ${action}`);
    process.exit(2);
}
